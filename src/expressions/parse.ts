// Parsing templates and compiling JSONata, once per isolate (docs/reference.md, Expressions and
// templates): pure, cached, and every compiled expression metered by fuel (fuel.ts).
import jsonata from "jsonata";
import type { Expression } from "jsonata";
import { burn, EVALUATE_ENTRY } from "./fuel.js";

/** JSONata guardrails. Its `timeout` reads Date.now(), which does not advance during CPU
 * work in deployed Workers, so only depth and sequence length are bounded. */
export const JSONATA_MAX_STACK = 250;
export const JSONATA_MAX_SEQUENCE = 100_000;

const WHOLE = /^\s*\{%([\s\S]*?)%\}\s*$/;

export type TemplatePart = { text: string } | { expr: string; offset: number };
export type ParsedString =
  | { kind: "literal" }
  | { kind: "expr"; expr: string; offset: number }
  | { kind: "interp"; parts: TemplatePart[] }
  | { kind: "error"; offset: number; message: string };

const parsedStrings = new Map<string, ParsedString>();
const compiled = new Map<string, Expression>();
let compileCount = 0;

/** How many JSONata compilations this isolate has done (the benchmark proves caching with it). */
export function expressionCompileCount(): number {
  return compileCount;
}

/** Splits a template string. `offset` is where the expression text starts in the string. */
export function parseTemplateString(s: string): ParsedString {
  const cached = parsedStrings.get(s);
  if (cached) return cached;
  let result: ParsedString;
  if (!s.includes("{%")) result = { kind: "literal" };
  else {
    const whole = WHOLE.exec(s);
    if (whole && !whole[1]!.includes("{%") && !whole[1]!.includes("%}")) {
      result = { kind: "expr", expr: whole[1]!, offset: s.indexOf("{%") + 2 };
    } else {
      const parts: TemplatePart[] = [];
      let i = 0;
      result = { kind: "interp", parts };
      while (i < s.length) {
        const open = s.indexOf("{%", i);
        if (open < 0) {
          parts.push({ text: s.slice(i) });
          break;
        }
        if (open > i) parts.push({ text: s.slice(i, open) });
        const close = s.indexOf("%}", open + 2);
        if (close < 0) {
          result = { kind: "error", offset: open, message: "`{%` has no matching `%}`" };
          break;
        }
        parts.push({ expr: s.slice(open + 2, close), offset: open + 2 });
        i = close + 2;
      }
    }
  }
  parsedStrings.set(s, result);
  return result;
}

/** An expression field (if, when, in, until …): JSONata with or without `{% %}`. */
export function expressionSource(v: string): { expr: string; offset: number } {
  const whole = WHOLE.exec(v);
  if (whole) return { expr: whole[1]!, offset: v.indexOf("{%") + 2 };
  return { expr: v, offset: 0 };
}

export interface ExpressionSyntaxError {
  message: string;
  /** 0-based character index inside the expression text. */
  position: number;
  code: string;
}

/** Compiles once per isolate; throws the JSONata error object on bad syntax. */
export function compile(expr: string): Expression {
  let e = compiled.get(expr);
  if (!e) {
    e = jsonata(expr, { stack: JSONATA_MAX_STACK, sequence: JSONATA_MAX_SEQUENCE } as unknown as undefined);
    // JSONata looks the hook up by this symbol (its typings name only string variables).
    (e.assign as unknown as (name: symbol, value: unknown) => void)(EVALUATE_ENTRY, burn);
    compileCount++;
    compiled.set(expr, e);
  }
  return e;
}

export function checkSyntax(expr: string): ExpressionSyntaxError | undefined {
  try {
    compile(expr);
    return undefined;
  } catch (err) {
    const e = err as { message?: string; position?: number; code?: string; token?: string };
    // JSONata's position is just past the offending token; "(end)" means the text ran out,
    // which is best shown at its last non-blank character.
    const pos =
      e.token === "(end)" ? Math.max(0, expr.trimEnd().length - 1) : typeof e.position === "number" ? Math.max(0, e.position - (e.token !== undefined ? String(e.token).length : 1)) : 0;
    return { message: e.message ?? String(err), position: Math.min(pos, expr.length), code: e.code ?? "S0000" };
  }
}

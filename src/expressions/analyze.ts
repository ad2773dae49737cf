// What an expression reads and holds, from its AST alone (the validator's questions): its
// variables, its free variables, its regular-expression literals, JSONata's built-ins.
import type { ExprNode } from "jsonata";
import { compile, parseTemplateString } from "./parse.js";

/** Functions whose result differs between replays. */
export const IMPURE_FUNCTIONS = ["now", "millis", "random", "shuffle", "callbackUrl"] as const;

/** What a visit answers: look inside the node (true), not (false), or inside just these children. */
type Descend = boolean | readonly unknown[];

/** Visits every node of an expression's AST, depth first; nothing when the expression does not parse. */
function walkAst(expr: string, visit: (node: Record<string, unknown>) => Descend): void {
  let ast: ExprNode;
  try {
    ast = compile(expr).ast();
  } catch {
    return;
  }
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const n = stack.pop();
    if (Array.isArray(n)) {
      for (const x of n) stack.push(x);
      continue;
    }
    if (!n || typeof n !== "object") continue;
    const o = n as Record<string, unknown>;
    const into = visit(o);
    if (into === true) for (const k in o) stack.push(o[k]);
    else if (into !== false) for (const x of into) stack.push(x);
  }
}

/** Variables an expression refers to (`$now` → "now"), found by walking its AST. */
export function referencedVariables(expr: string): Set<string> {
  const out = new Set<string>();
  walkAst(expr, (o) => {
    if (o.type === "variable" && typeof o.value === "string") out.add(o.value);
    return true;
  });
  return out;
}

/** Every expression inside a template value (recursively through objects and arrays), with its JSON path. */
export function* templateExpressions(
  value: unknown,
  path: (string | number)[] = [],
): Generator<{ path: (string | number)[]; expr: string; offset: number; error?: string }> {
  if (typeof value === "string") {
    const p = parseTemplateString(value);
    if (p.kind === "expr") yield { path, expr: p.expr, offset: p.offset };
    else if (p.kind === "interp") {
      for (const part of p.parts) if ("expr" in part) yield { path, expr: part.expr, offset: part.offset };
    } else if (p.kind === "error") yield { path, expr: "", offset: p.offset, error: p.message };
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* templateExpressions(value[i], [...path, i]);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) yield* templateExpressions(v, [...path, k]);
  }
}

/**
 * JSONata's own functions: its static frame, plus $now and $millis, which it binds per
 * evaluation. The one list of them; test/node/hostile.test.ts checks it against jsonata's source.
 */
export const JSONATA_FUNCTIONS: ReadonlySet<string> = new Set([
  "sum", "count", "max", "min", "average", "string", "substring", "substringBefore", "substringAfter", "lowercase", "uppercase",
  "length", "trim", "pad", "match", "contains", "replace", "split", "join", "formatNumber", "formatBase", "formatInteger",
  "parseInteger", "number", "floor", "ceil", "round", "abs", "sqrt", "power", "random", "boolean", "not", "map", "zip", "filter",
  "single", "reduce", "sift", "keys", "lookup", "append", "exists", "spread", "merge", "reverse", "each", "error", "assert", "type",
  "sort", "shuffle", "distinct", "base64encode", "base64decode", "encodeUrlComponent", "encodeUrl", "decodeUrlComponent", "decodeUrl",
  "eval", "toMillis", "fromMillis", "clone", "now", "millis",
]);

export interface VariableRef {
  name: string;
  /** 0-based index of the `$` in the expression text. */
  start: number;
  /** Called as a function: `$sum(…)`. */
  call: boolean;
}

/**
 * The variables an expression reads from outside itself: `$x` references, less the names the
 * expression binds (`$x := …`, lambda parameters, `@$v` and `#$i`), `$` and `$$`.
 */
export function freeVariables(expr: string): VariableRef[] {
  const bound = new Set<string>();
  const refs: VariableRef[] = [];
  const refAt = (v: string, position: unknown): number => Math.max(0, typeof position === "number" ? position - v.length - 1 : expr.indexOf("$" + v));
  walkAst(expr, (o) => {
    if (o.type === "variable" && typeof o.value === "string") {
      if (o.value !== "" && o.value !== "$") refs.push({ name: o.value, start: refAt(o.value, o.position), call: false });
      return false;
    }
    if (o.type === "bind" && o.lhs && typeof o.lhs === "object" && (o.lhs as Record<string, unknown>).type === "variable") bound.add(String((o.lhs as Record<string, unknown>).value));
    if (o.type === "lambda" && Array.isArray(o.arguments)) for (const a of o.arguments as Array<Record<string, unknown>>) if (a.type === "variable") bound.add(String(a.value));
    if (typeof o.focus === "string") bound.add(o.focus);
    if (typeof o.index === "string") bound.add(o.index);
    if ((o.type === "function" || o.type === "partial") && o.procedure && typeof o.procedure === "object") {
      const p = o.procedure as Record<string, unknown>;
      if (p.type === "variable" && typeof p.value === "string") {
        refs.push({ name: p.value, start: refAt(p.value, p.position), call: true });
        return Object.keys(o).filter((k) => k !== "procedure").map((k) => o[k]);
      }
    }
    return true;
  });
  return refs.filter((r) => !bound.has(r.name)).sort((a, b) => a.start - b.start);
}

/** A regular-expression literal of an expression: its pattern and where its opening `/` is. */
export interface RegexLiteral {
  source: string;
  /** 0-based index of the literal's opening `/` in the expression text. */
  start: number;
}

/** Every regular-expression literal in an expression (JSONata has no other way to make one). */
export function regexLiterals(expr: string): RegexLiteral[] {
  const out: RegexLiteral[] = [];
  walkAst(expr, (o) => {
    if (o.type !== "regex" || !(o.value instanceof RegExp)) return true;
    // JSONata's position is just past the literal and its flags.
    const end = typeof o.position === "number" ? o.position : expr.length;
    out.push({ source: o.value.source, start: Math.max(0, expr.lastIndexOf(`/${o.value.source}/`, end)) });
    return false;
  });
  return out.sort((a, b) => a.start - b.start);
}


// Evaluating expressions and rendering templates: exact `{% %}` to any JSON value, interpolation
// to text, recursion through objects and arrays; synchronous fast paths where no JSONata runs.
import { setOwn } from "../core/own.js";
import { compile, expressionSource, parseTemplateString } from "./parse.js";
import type { TemplatePart } from "./parse.js";
import { FUEL_BINDING, fuelLimitOf, OutOfFuel } from "./fuel.js";
import type { Fuel } from "./fuel.js";
import { toPlain } from "./values.js";
import type { Bindings } from "./values.js";

export class ExpressionFailure extends Error {
  constructor(
    message: string,
    readonly expr: string,
    /** The run-time error it becomes at its node: ExpressionLimit when it ran out of fuel. */
    readonly errorName: "ExpressionError" | "ExpressionLimit" = "ExpressionError",
  ) {
    super(message);
    this.name = errorName;
  }
}

type AstNode = { type: string; value?: unknown; steps?: AstNode[]; lhs?: AstNode; rhs?: AstNode };

/** `$v`, `$v.sum`, `$input.customer.id` as an AST: the names on the path, or null. */
function variablePathOf(ast: AstNode): string[] | null {
  const plain = (n: AstNode, type: string): boolean => n.type === type && typeof n.value === "string" && Object.keys(n).every((k) => k === "type" || k === "value" || k === "position");
  if (plain(ast, "variable") && ast.value !== "") return [ast.value as string];
  if (ast.type === "path" && Array.isArray(ast.steps) && ast.steps.length > 1 && plain(ast.steps[0]!, "variable") && ast.steps[0]!.value !== "" && ast.steps.slice(1).every((s) => plain(s, "name")) && Object.keys(ast).every((k) => k === "type" || k === "steps" || k === "position")) {
    return ast.steps.map((s) => s.value as string);
  }
  return null;
}

/**
 * The shapes evaluated without JSONata, recognised once per expression: a plain variable path
 * (read by fastPath below), and such a path with a number literal under + - * (`$acc + 3`).
 * When the path holds a finite number the arithmetic is JavaScript's, exactly as JSONata's;
 * anything else (undefined, a string, an overflow) goes to JSONata for its own result or error.
 */
type FastShape = { path: string[]; op?: undefined } | { path: string[]; op: "+" | "-" | "*"; n: number } | null;
const fastShapes = new Map<string, FastShape>();
function fastShape(expr: string): FastShape {
  let f = fastShapes.get(expr);
  if (f === undefined) {
    f = null;
    try {
      const ast = compile(expr).ast() as unknown as AstNode;
      const path = variablePathOf(ast);
      if (path) f = { path };
      else if (ast.type === "binary" && (ast.value === "+" || ast.value === "-" || ast.value === "*") && ast.rhs?.type === "number" && typeof ast.rhs.value === "number" && ast.lhs) {
        const lhs = variablePathOf(ast.lhs);
        if (lhs) f = { path: lhs, op: ast.value, n: ast.rhs.value };
      }
    } catch {
      f = null;
    }
    fastShapes.set(expr, f);
  }
  return f;
}

/**
 * Reads a plain variable path without JSONata when every value on the way is an object or a
 * scalar. Arrays (where JSONata maps and flattens) fall back to JSONata, so results agree.
 * Replays re-evaluate every `set` and `if`; this keeps them cheap.
 */
function fastPath(path: string[], bindings: Bindings): { value: unknown } | undefined {
  if (!Object.hasOwn(bindings, path[0]!)) return undefined;
  let v: unknown = bindings[path[0]!];
  for (let i = 1; i < path.length; i++) {
    if (v === null || v === undefined) return { value: null };
    if (typeof v !== "object" || Array.isArray(v)) return undefined;
    // An inherited member ("constructor") is no field of the data: absent, as JSONata has it.
    v = Object.hasOwn(v, path[i]!) ? (v as Record<string, unknown>)[path[i]!] : undefined;
  }
  if (Array.isArray(v) || typeof v === "function") return undefined;
  return { value: toPlain(v) };
}

export async function evaluate(expr: string, bindings: Bindings, input: unknown = null): Promise<unknown> {
  return evaluateNow(expr, bindings, input);
}

/** The expression's value at once when a fast shape answers, else JSONata's promise of it. */
function evaluateNow(expr: string, bindings: Bindings, input: unknown): unknown {
  const f = fastShape(expr);
  if (f) {
    const hit = fastPath(f.path, bindings);
    if (f.op === undefined) {
      if (hit) return hit.value;
    } else if (typeof hit?.value === "number" && Number.isFinite(hit.value)) {
      const x = hit.value;
      const r = f.op === "+" ? x + f.n : f.op === "-" ? x - f.n : x * f.n;
      if (Number.isFinite(r)) return r;
    }
  }
  return evaluateJsonata(expr, bindings, input);
}

async function evaluateJsonata(expr: string, bindings: Bindings, input: unknown): Promise<unknown> {
  let result: unknown;
  try {
    const limit = fuelLimitOf(bindings);
    const fuel: Fuel = { left: limit, limit };
    result = await compile(expr).evaluate(input, { ...bindings, [FUEL_BINDING]: fuel });
  } catch (err) {
    if (err instanceof OutOfFuel) {
      throw new ExpressionFailure(`ExpressionLimit: ${err.message} (limits.expressionSteps is ${err.limit}) in {% ${expr.trim()} %}. Bound the loop by data the definition controls, or raise limits.expressionSteps.`, expr, "ExpressionLimit");
    }
    const e = err as { message?: string; code?: string; position?: number };
    throw new ExpressionFailure(`${e.code ? e.code + ": " : ""}${e.message ?? String(err)} in {% ${expr.trim()} %}`, expr);
  }
  return toPlain(result);
}

/**
 * Evaluates a template value: exact `{% %}` → any JSON value, interpolation → string, recursion
 * through objects and arrays. Each template is compiled once per isolate into a renderer (keys
 * listed, strings parsed, expression shapes recognised), so a step renders it without walking
 * it again; fields are evaluated in order, and synchronously while no field needs JSONata.
 */
export async function renderTemplate(value: unknown, bindings: Bindings, input: unknown = null): Promise<unknown> {
  return renderTemplateNow(value, bindings, input);
}

/**
 * The same, but the value itself when no field needs JSONata (else a promise of it): a step
 * body that returns it at once saves the engine's callback two async hops (bench/notes.md).
 */
export function renderTemplateNow(value: unknown, bindings: Bindings, input: unknown = null): unknown {
  if (typeof value !== "string" && (!value || typeof value !== "object")) return value;
  return rendererOf(value)(bindings, input);
}

/** A compiled template: its value under some bindings, or a promise of it when JSONata runs. */
type Renderer = (bindings: Bindings, input: unknown) => unknown;

const renderers = new WeakMap<object, Renderer>();
const constant = (v: unknown): Renderer => () => v;

function rendererOf(value: unknown): Renderer {
  if (typeof value === "string") return stringRenderer(value);
  if (!value || typeof value !== "object") return constant(value);
  let r = renderers.get(value);
  if (!r) {
    if (Array.isArray(value)) {
      const items = value.map(rendererOf);
      r = (b, input) => renderList(items, b, input);
    } else {
      const keys = Object.keys(value);
      const fields = keys.map((k) => rendererOf((value as Record<string, unknown>)[k]));
      r = (b, input) => renderFields(keys, fields, b, input);
    }
    renderers.set(value, r);
  }
  return r;
}

const stringRenderers = new Map<string, Renderer>();
function stringRenderer(value: string): Renderer {
  let r = stringRenderers.get(value);
  if (!r) {
    const p = parseTemplateString(value);
    switch (p.kind) {
      case "literal":
        r = constant(value);
        break;
      case "expr": {
        const expr = p.expr;
        r = (b, input) => evaluateNow(expr, b, input);
        break;
      }
      case "interp": {
        const parts = p.parts;
        r = (b, input) => renderParts(parts, b, input);
        break;
      }
      case "error": {
        const message = p.message;
        r = () => {
          throw new ExpressionFailure(message, value);
        };
        break;
      }
    }
    stringRenderers.set(value, r);
  }
  return r;
}

/** An interpolation: synchronous until a part needs JSONata. */
function renderParts(parts: readonly TemplatePart[], b: Bindings, input: unknown): unknown {
  let out = "";
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if ("text" in part) {
      out += part.text;
      continue;
    }
    const v = evaluateNow(part.expr, b, input);
    if (v instanceof Promise) return finishParts(out, parts, i, v, b, input);
    out += stringify(v);
  }
  return out;
}

async function finishParts(out: string, parts: readonly TemplatePart[], at: number, pending: Promise<unknown>, b: Bindings, input: unknown): Promise<string> {
  out += stringify(await pending);
  for (let i = at + 1; i < parts.length; i++) {
    const part = parts[i]!;
    out += "text" in part ? part.text : stringify(await evaluateNow(part.expr, b, input));
  }
  return out;
}

/** A fresh object every time (callers may keep or extend it); async from the first field that needs JSONata. */
function renderFields(keys: string[], fields: Renderer[], b: Bindings, input: unknown): unknown {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const v = fields[i]!(b, input);
    if (v instanceof Promise) return finishFields(out, keys, fields, i, v, b, input);
    setOwn(out, keys[i]!, v);
  }
  return out;
}

async function finishFields(out: Record<string, unknown>, keys: string[], fields: Renderer[], at: number, pending: Promise<unknown>, b: Bindings, input: unknown): Promise<unknown> {
  setOwn(out, keys[at]!, await pending);
  for (let i = at + 1; i < keys.length; i++) setOwn(out, keys[i]!, await fields[i]!(b, input));
  return out;
}

function renderList(items: Renderer[], b: Bindings, input: unknown): unknown {
  const out: unknown[] = [];
  for (let i = 0; i < items.length; i++) {
    const v = items[i]!(b, input);
    if (v instanceof Promise) return finishList(out, items, i, v, b, input);
    out.push(v);
  }
  return out;
}

async function finishList(out: unknown[], items: Renderer[], at: number, pending: Promise<unknown>, b: Bindings, input: unknown): Promise<unknown> {
  out.push(await pending);
  for (let i = at + 1; i < items.length; i++) out.push(await items[i]!(b, input));
  return out;
}

/** Evaluates an expression field (a JSONata string, optionally in `{% %}`, or a boolean). */
export async function evaluateExpressionField(v: string | boolean, bindings: Bindings, input: unknown = null): Promise<unknown> {
  if (typeof v === "boolean") return v;
  return evaluate(expressionSource(v).expr, bindings, input);
}

function stringify(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

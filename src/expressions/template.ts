// JSONata templates (docs/reference.md, Expressions and templates). Parsing is pure and cached per isolate; evaluation is async.
import jsonata from "jsonata";
import type { Expression, ExprNode } from "jsonata";
import { setOwn } from "../core/own.js";

/** JSONata guardrails. Its `timeout` reads Date.now(), which does not advance during CPU
 * work in deployed Workers, so only depth and sequence length are bounded. */
export const JSONATA_MAX_STACK = 250;
export const JSONATA_MAX_SEQUENCE = 100_000;

/**
 * Expression fuel (docs/reference.md, "Hostile input"). JSONata's `timeout` reads Date.now(),
 * which a deployed Worker does not advance during CPU work, so an evaluation is bounded by the
 * work it does instead: every evaluation step (JSONata's `__evaluate_entry` hook) burns one unit.
 * The count depends only on the expression and its data, so a replay fails at the same step.
 */
export const DEFAULT_EXPRESSION_STEPS = 1_000_000;
export const MIN_EXPRESSION_STEPS = 1_000;
export const MAX_EXPRESSION_STEPS = 10_000_000;
export const isExpressionStepsInRange = (n: number): boolean => Number.isInteger(n) && n >= MIN_EXPRESSION_STEPS && n <= MAX_EXPRESSION_STEPS;
/**
 * Steps between two yields to the event loop (about a millisecond of work; bench/notes.md has
 * why 1,000 and not 5,000 or 10,000): an expression that
 * burns its fuel leaves the isolate to the API and to other instances this often.
 */
export const FUEL_SLICE_STEPS = 1_000;
/** The scope key that carries a definition's own `limits.expressionSteps`: a symbol, so never a variable and never serialized. */
export const EXPRESSION_STEPS: unique symbol = Symbol("flowdsl.expressionSteps");

/** Functions whose result differs between replays. */
export const IMPURE_FUNCTIONS = ["now", "millis", "random", "shuffle", "callbackUrl"] as const;

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

export type Bindings = Record<string, unknown>;

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

interface Fuel {
  left: number;
  readonly limit: number;
}
/** The binding that hands an evaluation its fuel: a name no JSONata variable can spell. */
const FUEL_BINDING = " fuel";
/** Where the hook keeps the fuel on JSONata's per-evaluation frame once it has looked it up. */
const FUEL_SLOT = Symbol("flowdsl.fuel");
const EVALUATE_ENTRY = Symbol.for("jsonata.__evaluate_entry");
const UNMETERED: Fuel = { left: Infinity, limit: Infinity };

class OutOfFuel extends Error {
  constructor(readonly limit: number) {
    super(`the expression took more than ${limit} evaluation steps`);
  }
}

type EvaluationFrame = { base: { [FUEL_SLOT]?: Fuel }; lookup(name: string): unknown };
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** JSONata calls this before every evaluation step; `env.base` is that evaluation's own frame. */
function burn(_node: unknown, _input: unknown, env: EvaluationFrame): Promise<void> | undefined {
  const base = env.base;
  let fuel = base[FUEL_SLOT];
  if (fuel === undefined) {
    fuel = (env.lookup(FUEL_BINDING) as Fuel | undefined) ?? UNMETERED;
    base[FUEL_SLOT] = fuel;
  }
  if (--fuel.left < 0) throw new OutOfFuel(fuel.limit);
  return fuel.left % FUEL_SLICE_STEPS === 0 ? yieldToEventLoop() : undefined;
}

/** The fuel limit a scope carries (a definition's `limits.expressionSteps`), else the default. */
function fuelLimitOf(bindings: Bindings): number {
  const own = (bindings as { [EXPRESSION_STEPS]?: unknown })[EXPRESSION_STEPS];
  return typeof own === "number" ? own : DEFAULT_EXPRESSION_STEPS;
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
    const fuel: Fuel = { left: fuelLimitOf(bindings), limit: fuelLimitOf(bindings) };
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

/** JSONata truthiness, as its boolean() function defines it. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.some(truthy);
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/**
 * Plain JSON: JSONata builds objects with a null prototype and marks arrays as sequences;
 * step results must serialize and compare as ordinary JSON. `undefined` (no match) is null.
 */
export function toPlain(v: unknown): unknown {
  if (v === undefined) return null;
  if (v === null || typeof v !== "object") {
    if (typeof v === "number" && !Number.isFinite(v)) return null;
    if (typeof v === "function") return null;
    return v;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) if (x !== undefined && typeof x !== "function") out.push(toPlain(x));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined && typeof x !== "function") setOwn(out, k, toPlain(x));
  }
  return out;
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

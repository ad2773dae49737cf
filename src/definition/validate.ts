// Schema and semantic validation of one definition (docs/reference.md, Validation). Runs in Node only (CLI and
// build): it compiles the JSON Schema with ajv, which a deployed Worker must never do.
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import schemaJson from "../../schema/workflow.schema.json" with { type: "json" };
import type { DefinitionCode, Diagnostic } from "../errors.js";
import { pointer } from "../errors.js";
import { loadDefinition } from "./load.js";
import type { Loaded, PathSegment, SourceMap } from "./load.js";
import { KINDS, kindKeys } from "../nodes/index.js";
import type { ExprField, JsonPath } from "../nodes/types.js";
import type { Kind } from "../nodes/index.js";
import { checkSyntax, expressionSource, freeVariables, IMPURE_FUNCTIONS, JSONATA_FUNCTIONS, parseTemplateString, referencedVariables, templateExpressions } from "../expressions/template.js";
import { modelOf } from "../model/model.js";
import type { DefinitionModel, ModelNode, StepTemplate } from "../model/model.js";
import { fieldScopes, PLACE_VARIABLES, settersOf } from "../model/scope.js";
import { describeRows, ENGINE_MAX_STEPS, FREE_PLAN_MAX_STEPS, isOverEngineMax, isOverFreePlan, stepBudget } from "../model/budget.js";
import { formatDuration, parseDuration, retryDelayInRange, stepTimeoutInRange } from "../interpreter/duration.js";
import { isStepNameTooLong, MAX_STEP_NAME_LENGTH } from "../interpreter/names.js";
import { ACTION_NAMES } from "../actions/index.js";
import type { FlowdslWorkflowDefinition } from "../generated/workflow.js";
import { isValidCron } from "./cron.js";
import { unsafeRegexes } from "./regex.js";

const WORKFLOW_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Nodes nested deeper than this are refused: the interpreter recurses per level. */
export const MAX_NODE_DEPTH = 24;
export const isNestedTooDeep = (depth: number): boolean => depth > MAX_NODE_DEPTH;

/** Names the DSL binds itself (docs/reference.md, Expressions and templates), which no `as` may take. */
const DSL_VARIABLES = ["input", "response", "result", "error", "attempt", "workflow", "secret", "eval", "callbackUrl", "__proto__"];
/** Those and JSONata's built-in functions (one list, src/expressions/analyze.ts), which a variable would shadow. */
export const RESERVED_VARIABLES: ReadonlySet<string> = new Set([...DSL_VARIABLES, ...JSONATA_FUNCTIONS]);

type Schema = Record<string, unknown>;
/** Keywords for editors and codegen in our schemas; ajv must know them to stay strict. */
export const EDITOR_KEYWORDS = ["tsType", "markdownDescription", "defaultSnippets", "enumDescriptions", "errorMessage", "patternErrorMessage", "doNotSuggest", "deprecationMessage"];

interface Validators {
  /** Which $def a schema object is, to tell which rule an error broke (ajv's schemaPath is relative). */
  defName: Map<unknown, string>;
  shell: ValidateFunction;
  kinds: Record<Kind, ValidateFunction>;
  schema: Schema;
}
let validators: Validators | undefined;

/** The schema with nodes opaque, so each node is validated alone against its own kind. */
function getValidators(): Validators {
  if (validators) return validators;
  // inlineRefs off: error schema paths then name the $def that failed (variable, nodeName …).
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true, inlineRefs: false });
  for (const k of EDITOR_KEYWORDS) ajv.addKeyword({ keyword: k, schemaType: ["string", "object", "array", "boolean"] });
  const schema = structuredClone(schemaJson) as unknown as Schema & { $id: string; $defs: Record<string, Schema> };
  schema.$defs.node = { type: "object", description: (schema.$defs.node as Schema).description };
  ajv.addSchema(schema);
  const get = (ref: string): ValidateFunction => {
    const v = ajv.getSchema(schema.$id + ref);
    if (!v) throw new Error(`schema has no ${ref}`);
    return v;
  };
  const kinds = Object.fromEntries(KINDS.map((k) => [k, get(`#/$defs/${k}Node`)])) as Record<Kind, ValidateFunction>;
  const defName = new Map<unknown, string>(Object.entries(schema.$defs).map(([k, d]) => [d, k]));
  validators = { defName, shell: get(""), kinds, schema };
  return validators;
}

export interface ValidateOptions {
  /** The file stem the `name` must equal; omitted when validating text without a file. */
  stem?: string;
  /** Names of the definitions beside this one, for `workflow.definition`. */
  knownDefinitions?: ReadonlySet<string>;
}

export interface Validated {
  file: string;
  definition?: FlowdslWorkflowDefinition;
  diagnostics: Diagnostic[];
}

export function validateDefinitionText(text: string, file: string, opts: ValidateOptions = {}): Validated {
  const loaded = loadDefinition(text, file);
  if (loaded.diagnostics.length > 0) return { file, diagnostics: loaded.diagnostics };
  return validateLoaded(loaded, opts);
}

export function validateLoaded(loaded: Loaded, opts: ValidateOptions = {}): Validated {
  const { file, map } = loaded;
  const value = loaded.value as Record<string, unknown>;
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const report = (code: DefinitionCode, message: string, at: readonly PathSegment[], o?: { key?: boolean; offset?: number; severity?: "warning" }): void => {
    const pos = o?.offset !== undefined ? map.positionOf(o.offset) : map.locate(at, { key: o?.key });
    const path = pointer(at);
    const id = `${code}|${path}|${pos.line}:${pos.col}|${message}`;
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ code, severity: o?.severity ?? "error", message, file, line: pos.line, col: pos.col, path });
  };

  const v = getValidators();
  if (!v.shell(value)) mapAjvErrors(v.shell.errors ?? [], [], report, v.defName);

  if (typeof value.name === "string" && WORKFLOW_NAME.test(value.name) && opts.stem !== undefined && value.name !== opts.stem) {
    report("NAME_MISMATCH", `\`name\` is "${value.name}" but the file is ${opts.stem}.yaml; they must be equal. Rename one of them.`, ["name"]);
  }
  if (typeof value.schedule === "string" && !isValidCron(value.schedule)) {
    report("INVALID_CRON", `\`schedule\` "${value.schedule}" is not a cron expression of five fields (minute hour day-of-month month day-of-week).`, ["schedule"]);
  }
  if (value.input && typeof value.input === "object") {
    const problem = checkInputSchema(value.input);
    if (problem) report("INPUT_SCHEMA_INVALID", `\`input\` is not a valid JSON Schema: ${problem}.`, ["input"]);
  }
  const defaults = value.defaults as { retries?: unknown; timeout?: unknown } | undefined;
  if (defaults && typeof defaults === "object") checkDurable(defaults, ["defaults"], report);
  if (value.output !== undefined) checkExpressionField({ at: ["output"], value: value.output, mode: "template", inStep: false }, [], map, report);

  const model = modelOf(value);
  const ctx: WalkContext = { map, report, knownDefinitions: opts.knownDefinitions, validators: v, model, duplicates: new Set() };
  if (Array.isArray(value.steps)) walkSteps(value.steps, ["steps"], ctx);
  reportCollisions(ctx);
  // Scopes only make sense once every node is well formed.
  if (!out.some((d) => d.severity === "error")) checkVariables(ctx, value.output);
  if (!out.some((d) => d.severity === "error")) checkBudget(ctx, value.input);

  out.sort((a, b) => a.line - b.line || a.col - b.col);
  const ok = !out.some((d) => d.severity === "error");
  return { file, diagnostics: out, definition: ok ? (value as unknown as FlowdslWorkflowDefinition) : undefined };
}

export type Report = (code: DefinitionCode, message: string, at: readonly PathSegment[], o?: { key?: boolean; offset?: number; severity?: "warning" }) => void;

interface WalkContext {
  map: SourceMap;
  report: Report;
  knownDefinitions?: ReadonlySet<string>;
  validators: Validators;
  model: DefinitionModel;
  /** Nodes reported as duplicate siblings (their subtrees' names collide as a matter of course). */
  duplicates: Set<string>;
}

function walkSteps(steps: unknown[], at: JsonPath, ctx: WalkContext): void {
  const siblings = new Map<string, number>();
  for (let i = 0; i < steps.length; i++) {
    const node = steps[i];
    const here = [...at, i];
    if (!node || typeof node !== "object" || Array.isArray(node)) continue; // the shell schema reported it
    const kinds = kindKeys(node);
    if (kinds.length === 0) {
      const first = Object.keys(node)[0];
      const hint = first ? closest(first, KINDS) : undefined;
      ctx.report("UNKNOWN_KIND", `This node has no kind key${first ? ` ("${first}" is not one${hint ? `; did you mean "${hint}"?` : ""})` : ""}. A node starts with one of: ${KINDS.join(", ")}.`, first ? [...here, first] : here, { key: true });
      continue;
    }
    if (kinds.length > 1) {
      ctx.report("MULTIPLE_KINDS", `This node has ${kinds.length} kind keys (${kinds.join(", ")}); a node has exactly one. Split it into one node per kind.`, [...here, kinds[1]!], { key: true });
      continue;
    }
    const kind = kinds[0]!;
    const n = node as Record<string, unknown>;
    const validate = ctx.validators.kinds[kind];
    if (!validate(n)) mapAjvErrors(validate.errors ?? [], here, ctx.report, ctx.validators.defName, kind);

    const name = n[kind];
    if (typeof name !== "string") continue;
    const prev = siblings.get(name);
    if (prev !== undefined) {
      ctx.report("DUPLICATE_NAME", `Another node in this list (item ${prev + 1}) is already named "${name}"; sibling names must differ because step names derive from them.`, [...here, kind]);
      ctx.duplicates.add(pointer(here));
    } else siblings.set(name, i);

    // The model has every node with one kind key and a string name: its identity comes from there.
    const m = ctx.model.byId.get(pointer(here));
    if (!m) continue;
    if (isNestedTooDeep(m.depth)) {
      ctx.report("NESTING_TOO_DEEP", `Nodes nest ${m.depth} levels deep here; at most ${MAX_NODE_DEPTH}. Move the inner part into a child workflow.`, [...here, kind], { key: true });
      continue;
    }
    const longest = [m.path, ...m.steps.map((x) => x.template)].map((t) => ({ t, length: longestStepName(t) })).sort((a, b) => b.length - a.length)[0]!;
    if (isStepNameTooLong(" ".repeat(longest.length))) {
      ctx.report("STEP_NAME_TOO_LONG", `The step name derived for this node ("${longest.t.text.slice(0, 40)}…", ${longest.length} characters with loop indices) exceeds ${MAX_STEP_NAME_LENGTH}. Shorten the names on this path.`, [...here, kind]);
    }

    const declared = [...(m.as !== undefined ? [{ name: m.as, at: ["as"] as JsonPath, key: false }] : []), ...m.declares];
    for (const d of declared) {
      if (RESERVED_VARIABLES.has(d.name)) ctx.report("RESERVED_VARIABLE", `"${d.name}" is reserved ($${d.name} is ${Object.hasOwn(BUILTIN_MEANING, d.name) ? BUILTIN_MEANING[d.name] : "a JSONata function"}). Choose another variable name.`, [...here, ...d.at], { key: d.key });
    }
    const fields: ExprField[] = [...(n.if !== undefined ? [{ at: ["if"], value: n.if, mode: "expression" as const, inStep: false }] : []), ...m.expressions];
    for (const f of fields) checkExpressionField(f, here, ctx.map, ctx.report);
    if (m.durable) checkDurable(n, here, ctx.report);
    m.check({
      report: (code, message, rel, o) => ctx.report(code, message, [...here, ...rel], o),
      knownDefinitions: ctx.knownDefinitions,
      knownActions: ACTION_NAMES,
    });

    for (const e of m.edges) {
      const list = valueAt(n, e.at);
      if (Array.isArray(list)) walkSteps(list, [...here, ...e.at], ctx);
    }
  }
}

/** Loop indices are counted at four digits (a foreach has at most 10,000 items). */
const INDEX_WIDTH = "[9999]".length;
function longestStepName(t: StepTemplate): number {
  return t.segments.reduce((n, seg, i) => n + (i > 0 ? 1 : 0) + seg.text.length + (seg.slot !== undefined ? INDEX_WIDTH : 0), 0);
}

function valueAt(v: unknown, path: JsonPath): unknown {
  let x = v;
  for (const seg of path) {
    if (!x || typeof x !== "object") return undefined;
    x = (x as Record<string | number, unknown>)[seg];
  }
  return x;
}

/** Two nodes never share a step name: across switch cases, say, where siblings rules do not reach. */
function reportCollisions(ctx: WalkContext): void {
  for (const c of ctx.model.collisions) {
    let dup = false;
    for (let x: ModelNode | undefined = c.second; x; x = x.parent) if (ctx.duplicates.has(x.id)) dup = true;
    for (let x: ModelNode | undefined = c.first; x; x = x.parent) if (ctx.duplicates.has(x.id)) dup = true;
    if (dup) continue; // a duplicate sibling name, reported already
    const line = ctx.map.locate([...c.first.at, c.first.kind]).line;
    ctx.report("DUPLICATE_NAME", `The node "${c.first.name}" at line ${line} already has the step name "${c.text}"; two nodes never share one (their durable results would mix). Rename one of them.`, [...c.second.at, c.second.kind]);
  }
}

/** The worst-case step count against Cloudflare's limits. */
function checkBudget(ctx: WalkContext, input: unknown): void {
  const budget = stepBudget(ctx.model.root, input);
  if (!isOverFreePlan(budget.total)) return;
  const biggest = [...budget.rows].sort((a, b) => b.total - a.total)[0];
  // Point at the loop to bound: the outermost loop of the largest contribution.
  const where = biggest?.loops[0]?.node ?? biggest?.node;
  const at = where ? [...where.at, where.kind] : ["steps"];
  const breakdown = describeRows(budget.rows, 3).join("; ");
  if (isOverEngineMax(budget.total)) {
    ctx.report("STEP_BUDGET", `In the worst case an instance runs ${budget.total} steps; Cloudflare allows at most ${ENGINE_MAX_STEPS}. Largest: ${breakdown}. Bound the loop (foreach \`max\`, \`maxItems\` in the input schema, repeat \`max\`) or move the work into a child workflow; \`flowdsl validate --budget\` shows every node.`, at, { key: true });
  } else {
    ctx.report("STEP_BUDGET_FREE_PLAN", `In the worst case an instance runs ${budget.total} steps, more than the ${FREE_PLAN_MAX_STEPS} of the Workers Free plan (fine on a paid plan). Largest: ${breakdown}. Bound the loop to stay under it.`, at, { key: true, severity: "warning" });
  }
}

/** Every `$variable` must be one that can be set where it is read. */
function checkVariables(ctx: WalkContext, output: unknown): void {
  for (const { node, field, known } of fieldScopes(ctx.model, output)) {
    const here = node ? node.at : [];
    if (node && (ctx.duplicates.has(node.id) || isNestedTooDeep(node.depth))) continue;
    for (const e of fieldExpressions(field)) {
      if (e.error || checkSyntax(e.expr)) continue;
      for (const ref of freeVariables(e.expr)) {
        const v = ref.name;
        if (known.has(v) || v === "secret" || v === "eval" || v === "callbackUrl") continue;
        if (JSONATA_FUNCTIONS.has(v) && (ref.call || !Object.hasOwn(PLACE_VARIABLES, v))) continue;
        const at = [...here, ...field.at, ...e.path];
        const offset = sourceOffset(ctx.map, at, e.offset + ref.start);
        ctx.report("UNKNOWN_VARIABLE", unknownVariableMessage(v, known, ctx), at, { offset });
      }
    }
  }
}

function unknownVariableMessage(v: string, known: ReadonlySet<string>, ctx: WalkContext): string {
  const place = PLACE_VARIABLES[v];
  if (place) return `$${v} is not defined here: it is ${place}. Store what you need with \`as\` where it exists.`;
  const hint = closest(v, [...known]);
  const setters = settersOf(ctx.model, v);
  const setter = setters[0];
  const where = setter ? ` The node "${setter.name}" (line ${ctx.map.locate([...setter.at, setter.kind]).line}) sets it, but not before this point in a scope this expression sees (a foreach body, a parallel branch and a compensation keep their variables to themselves).` : "";
  const why = setter ? "" : ` No node before it has \`as: ${v}\` or sets it.`;
  return `$${v} is not set at this point.${why}${hint ? ` Did you mean $${hint}?` : ""}${where}${!hint && !setter ? " Add `as: " + v + "` to the node whose result this is, or fix the name." : ""}`;
}

const BUILTIN_MEANING: Record<string, string> = {
  ["__proto__"]: "the prototype slot of every JavaScript object, which no variable may take",
  input: "the start params",
  response: "the HTTP response inside http.result",
  result: "a node's result inside compensate steps",
  error: "the caught error inside catch",
  attempt: "the iteration inside repeat",
  workflow: "{ id, name, hash }",
  secret: "the secret reader",
  callbackUrl: "the callback URL maker",
  eval: "forbidden",
};

function checkDurable(n: { retries?: unknown; timeout?: unknown }, here: JsonPath, report: Report): void {
  const r = n.retries as { delay?: unknown } | undefined;
  if (r && typeof r === "object" && r.delay !== undefined) {
    const ms = parseDuration(r.delay);
    if (ms !== undefined && !retryDelayInRange(ms)) report("DURATION_RANGE", `A retry delay is at most 365 days; this one is ${formatDuration(ms)}.`, [...here, "retries", "delay"]);
  }
  if (n.timeout !== undefined) {
    const ms = parseDuration(n.timeout);
    if (ms !== undefined && !stepTimeoutInRange(ms)) report("DURATION_RANGE", `A step timeout is above 0 and at most 365 days; this one is ${formatDuration(ms)}.`, [...here, "timeout"]);
  }
}

/** The JSONata expressions of a field, with their path inside it and their offset in the string. */
function fieldExpressions(f: ExprField): Array<{ path: JsonPath; expr: string; offset: number; error?: string }> {
  if (f.mode === "expression") {
    if (typeof f.value !== "string") return [];
    const src = expressionSource(f.value);
    return [{ path: [], expr: src.expr, offset: src.offset }];
  }
  return [...templateExpressions(f.value)];
}

function checkExpressionField(f: ExprField, here: JsonPath, map: SourceMap, report: Report): void {
  for (const e of fieldExpressions(f)) {
    const at = [...here, ...f.at, ...e.path];
    const offsetOf = (i: number): number | undefined => sourceOffset(map, at, e.offset + i);
    if (e.error) {
      report("TEMPLATE_SYNTAX", `${e.error}. Close the expression with %}.`, at, { offset: sourceOffset(map, at, e.offset) });
      continue;
    }
    const syntax = checkSyntax(e.expr);
    if (syntax) {
      report("EXPRESSION_SYNTAX", `JSONata ${syntax.code}: ${syntax.message}`, at, { offset: offsetOf(syntax.position) });
      continue;
    }
    const vars = referencedVariables(e.expr);
    const where = (name: string): number | undefined => {
      const i = e.expr.indexOf("$" + name);
      return i >= 0 ? offsetOf(i) : undefined;
    };
    for (const r of unsafeRegexes(e.expr)) {
      report("UNSAFE_REGEX", `The regular expression /${r.source}/ nests quantifiers (as in (a+)+), which can take exponential time on a short string. Rewrite it without a repeated group that itself repeats, e.g. /^a+$/ for /^(a+)+$/.`, at, { offset: offsetOf(r.start) });
    }
    if (vars.has("eval")) report("EVAL_FORBIDDEN", "$eval is forbidden: it evaluates text as an expression (injection). Write the expression out.", at, { offset: where("eval") });
    if (!f.inStep) {
      for (const fn of IMPURE_FUNCTIONS) {
        if (vars.has(fn)) report("IMPURE_EXPRESSION", `$${fn} gives a different value on every replay, and this field is evaluated on every replay. Compute it in a do node (value: "{% $${fn}() %}", as: ...) and use that variable here.`, at, { offset: where(fn) });
      }
      if (vars.has("secret")) report("SECRET_OUTSIDE_STEP", "$secret may only be read inside a do, http or workflow node, whose fields are evaluated inside the step. Move it there.", at, { offset: where("secret") });
    }
  }
}

/** Maps a character index of a scalar's value to its source offset (plain, quoted and block scalars). */
function sourceOffset(map: SourceMap, at: JsonPath, index: number): number | undefined {
  const s = map.scalar(at);
  if (!s) return undefined;
  const type = s.node.type;
  const value = String(s.node.value);
  if (type === "BLOCK_LITERAL" || type === "BLOCK_FOLDED") {
    const before = value.slice(0, index);
    const line = before.split("\n").length - 1;
    const col = index - (before.lastIndexOf("\n") + 1);
    const lines = s.source.split("\n");
    const content = lines.slice(1);
    const indent = Math.min(...content.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length));
    let off = s.start + (lines[0]?.length ?? 0) + 1;
    for (let i = 0; i < line && i < content.length; i++) off += content[i]!.length + 1;
    return off + (Number.isFinite(indent) ? indent : 0) + col;
  }
  const quoted = type === "QUOTE_DOUBLE" || type === "QUOTE_SINGLE" ? 1 : 0;
  const firstLine = value.indexOf("\n");
  if (firstLine >= 0 && index > firstLine) return s.start + quoted;
  return s.start + quoted + index;
}

export function mapAjvErrors(errors: ErrorObject[], base: JsonPath, report: Report, defName: Map<unknown, string>, kind?: Kind, subject = "definition"): void {
  const defOf = (e: ErrorObject): string => defName.get(e.parentSchema) ?? "";
  const anyOfAt = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath));
  const durationAt = new Set(errors.filter((e) => /uration$/.test(defOf(e))).map((e) => e.instancePath));
  const anyOfReported = new Set<string>();
  // A bad key (set.values, parallel.branches): ajv reports the pattern failure at the map's
  // path, so report it once, at the key, from the propertyNames error.
  const namesAt = new Set(errors.filter((e) => e.keyword === "propertyNames").map((e) => e.instancePath));
  for (const e of errors) {
    const rel = e.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~")).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const at = [...base, ...rel];
    const field = rel.length > 0 ? displayPath(rel) : kind ?? "definition";
    const sp = e.schemaPath;
    const isDuration = durationAt.has(e.instancePath);
    if (anyOfAt.has(e.instancePath) && e.keyword !== "anyOf") continue;
    if (e.keyword === "anyOf") {
      if (anyOfReported.has(e.instancePath)) continue;
      anyOfReported.add(e.instancePath);
    }
    switch (e.keyword) {
      case "anyOf":
        if (isDuration) report("INVALID_DURATION", `${JSON.stringify(e.data)} is not a duration. Write a number of ms, "10 seconds", "1 week", "30s", "5m", "24h" or "7d"${errors.some((x) => x.instancePath === e.instancePath && defOf(x) === "duration") ? ", or an expression {% %}" : ""}.`, at);
        else report("WRONG_TYPE", `\`${field}\` has the wrong form: ${e.message ?? ""}.`, at);
        break;
      case "required": {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        const what = kind && rel.length === 0 ? `${article(kind)} ${kind} node` : rel.length === 0 && base.length === 0 ? `A ${subject}` : `\`${field}\``;
        report("MISSING_FIELD", `${what} needs \`${missing}\`. Add it.`, at);
        break;
      }
      case "additionalProperties": {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        const known = Object.keys(((e.parentSchema as Schema | undefined)?.properties as Schema | undefined) ?? {});
        const hint = closest(extra, known);
        const owner = kind && rel.length === 0 ? `${article(kind).toLowerCase()} ${kind} node` : rel.length === 0 ? `a ${subject}` : `\`${field}\``;
        const isKind = (KINDS as readonly string[]).includes(extra);
        report("UNKNOWN_FIELD", `\`${extra}\` is not a field of ${owner}.${hint ? ` Did you mean \`${hint}\`?` : ""}${isKind ? "" : ` Known: ${known.join(", ")}.`}`, [...at, extra], { key: true });
        break;
      }
      case "type":
        report("WRONG_TYPE", `\`${field}\` must be ${(e.params as { type: string | string[] }).type.toString().replace(",", " or ")}, not ${describe(e.data)}.`, at);
        break;
      case "enum":
        report("INVALID_VALUE", `\`${field}\` is ${JSON.stringify(e.data)}; allowed: ${((e.params as { allowedValues: unknown[] }).allowedValues).join(", ")}.`, at);
        break;
      case "pattern":
      case "maxLength":
      case "minLength": {
        if (namesAt.has(e.instancePath)) break;
        const { code, rule } = patternCode(defOf(e), at, base.length === 0 && rel.length === 1 && rel[0] === "name", e.propertyName);
        if (code === "PATTERN_MISMATCH" || code === "OUT_OF_RANGE") report(e.keyword === "pattern" ? "PATTERN_MISMATCH" : "OUT_OF_RANGE", `\`${field}\` ${e.message ?? "is malformed"}.`, at);
        else report(code, `${JSON.stringify(e.propertyName ?? e.data)} is not valid: ${rule}`, e.propertyName !== undefined ? [...at, e.propertyName] : at, { key: e.propertyName !== undefined });
        break;
      }
      case "propertyNames": {
        const key = (e.params as { propertyName: string }).propertyName;
        const branches = rel[rel.length - 1] === "branches";
        report(branches ? "INVALID_NODE_NAME" : "INVALID_VARIABLE", `${JSON.stringify(key)} is not valid: ${branches ? "a branch name is 1-100 characters without /, [ or ]." : "a variable name is letters, digits and _, not starting with a digit."}`, [...at, key], { key: true });
        break;
      }
      default:
        report("OUT_OF_RANGE", `\`${field}\` ${e.message ?? "is out of range"}.`, at);
    }
  }
}

/** `cases[0].when`-style display of a JSON path relative to a node. */
function displayPath(rel: JsonPath): string {
  let out = "";
  for (const s of rel) out += typeof s === "number" ? `[${s}]` : out ? `.${s}` : s;
  return out || "value";
}

function patternCode(def: string, at: JsonPath, isWorkflowName: boolean, propertyName?: string): { code: DefinitionCode; rule: string } {
  if (isWorkflowName || at[at.length - 1] === "definition") return { code: "INVALID_NAME", rule: "a workflow name is lower-case letters, digits and -, starting with a letter, at most 63 characters." };
  if (def === "nodeName") return { code: "INVALID_NODE_NAME", rule: "a node name is 1-100 characters without /, [, ] or control characters." };
  if (def === "variable") return { code: "INVALID_VARIABLE", rule: "a variable name is letters, digits and _, not starting with a digit." };
  if (at[at.length - 1] === "event") return { code: "INVALID_EVENT_TYPE", rule: "an event type is letters, digits, _ and -, not starting with -, at most 100 characters." };
  if (propertyName !== undefined) return { code: "INVALID_VARIABLE", rule: "a name here is letters, digits and _." };
  return { code: "PATTERN_MISMATCH", rule: "" };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** The closest candidate within edit distance 2, for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

let inputAjv: Ajv2020 | undefined;
/** Compiles the `input` schema with ajv; returns what is wrong, or undefined. */
export function checkInputSchema(input: unknown): string | undefined {
  if (!inputAjv) {
    inputAjv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(inputAjv);
  }
  // The meta-schema catches misspelt types and keywords of the wrong shape, without code
  // generation; only references and patterns need a compile to prove them (ajv resolves the
  // one and builds a RegExp from the other), which costs ten times as much.
  if (!inputAjv.validateSchema(input as object)) return inputAjv.errorsText(inputAjv.errors?.slice(0, 1), { dataVar: "input" });
  if (!needsCompile(input)) return undefined;
  try {
    inputAjv.compile(input as object);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const COMPILE_ONLY_KEYWORDS = new Set(["$ref", "$dynamicRef", "$recursiveRef", "pattern", "patternProperties", "$id", "$anchor", "$dynamicAnchor"]);
function needsCompile(schema: unknown): boolean {
  const stack: unknown[] = [schema];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (COMPILE_ONLY_KEYWORDS.has(k)) return true;
        stack.push(x);
      }
    }
  }
  return false;
}

export { parseTemplateString };

function article(kind: string): string {
  return kind === "http" ? "An" : /^[aeiou]/.test(kind) ? "An" : "A";
}

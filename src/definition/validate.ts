// Schema and semantic validation of one definition (docs/reference.md, Validation). Runs in Node only (CLI and
// build): it compiles the JSON Schema with ajv, which a deployed Worker must never do.
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";
import schemaJson from "../../schema/workflow.schema.json" with { type: "json" };
import type { DefinitionCode, Diagnostic } from "../errors.js";
import { pointer } from "../errors.js";
import { loadDefinition } from "./load.js";
import type { Loaded, PathSegment, SourceMap } from "./load.js";
import { KINDS, kindKeys } from "../nodes/index.js";
import type { ExprField, JsonPath } from "../nodes/types.js";
import type { Kind } from "../nodes/index.js";
import { checkSyntax, freeVariables, JSONATA_FUNCTIONS } from "../expressions/template.js";
import { modelOf } from "../model/model.js";
import type { DefinitionModel, ModelNode, StepTemplate } from "../model/model.js";
import { fieldScopes, PLACE_VARIABLES, settersOf } from "../model/scope.js";
import { describeRows, ENGINE_MAX_STEPS, FREE_PLAN_MAX_STEPS, isOverEngineMax, isOverFreePlan, stepBudget } from "../model/budget.js";
import { formatDuration, parseDuration, retryDelayInRange, stepTimeoutInRange } from "../interpreter/duration.js";
import { isStepNameTooLong, MAX_STEP_NAME_LENGTH } from "../interpreter/names.js";
import { ACTION_NAMES } from "../actions/index.js";
import type { FlowdslWorkflowDefinition } from "../generated/workflow.js";
import { isValidCron } from "./cron.js";
import type { Report } from "./report.js";
import { checkExpressionField, fieldExpressions, sourceOffset } from "./expression-checks.js";
import { mapAjvErrors } from "./ajv-errors.js";
import { checkInputSchema } from "./input-schema.js";
import { closest } from "./suggest.js";

export type { Report } from "./report.js";
export { mapAjvErrors } from "./ajv-errors.js";
export { closest } from "./suggest.js";
export { checkInputSchema } from "./input-schema.js";

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
// One model of a definition (docs/reference.md, "Node identity"). Every node gets its identity
// here and nowhere else: its JSON pointer, its kind and name, its step-name templates, its
// step config, and typed edges to its child lists. The validator, the interpreter, the build
// and everything after them read this model; nothing else derives a step name.
//
// The model is built from the definition alone and tolerates invalid input (the validator
// builds it before it knows the definition is valid): items that are not a node with one kind
// key and a string name are left out, with their subtrees.
import type { Node } from "../generated/workflow.js";
import type { CheckContext, ChildList, EdgeKind, ExprField, ExtraStep, JsonPath, NodeOfKind, Runner } from "../nodes/types.js";
import type { Kind } from "../nodes/index.js";
import type { Frame, StepConfig } from "../interpreter/context.js";
import { kindOf, NODE_KINDS } from "../nodes/index.js";
import { pointer } from "../errors.js";
import { template } from "./steps.js";
import type { Segment, StepTemplate } from "./steps.js";
import { isDefaultStepConfig, stepConfig } from "../interpreter/config.js";

export interface ModelStep {
  role: "node" | ExtraStep["role"];
  api: "do" | "sleep" | "waitForEvent";
  template: StepTemplate;
}

export interface ModelEdge {
  edge: EdgeKind;
  /** JSON path of the list, relative to the node. */
  at: JsonPath;
  label: string | undefined;
  when: string | boolean | undefined;
  errors: string[] | undefined;
  loop: boolean;
  scope: "shared" | "isolated";
  binds: readonly string[];
  list: ModelList;
}

export interface ModelList {
  /** JSON pointer of the list itself, e.g. "/steps/2/cases/0/steps". */
  id: string;
  nodes: ModelNode[];
}

export interface ModelNode {
  /** JSON pointer from the definition's root: "/steps/2/cases/0/steps/1". */
  id: string;
  at: JsonPath;
  kind: Kind;
  name: string;
  node: Node;
  parent: ModelNode | undefined;
  /** Which edge of the parent this node hangs on (undefined at the top level). */
  parentEdge: ModelEdge | undefined;
  /** Position in its list. */
  index: number;
  /** Nesting depth, 1 at the top level. */
  depth: number;
  /** Loop indices that name this node's steps (enclosing foreach/repeat bodies). */
  slots: number;
  /** Under a `compensate:` list: nothing new is registered there. */
  inCompensation: boolean;
  /** The node's name path; the name of its own step when it has one. */
  path: StepTemplate;
  /** Every durable step the node issues itself (not its children's). */
  steps: ModelStep[];
  /** Cloudflare step config of a durable node (defaults applied). */
  config: StepConfig | undefined;
  /** True when the config equals Cloudflare's defaults, so it need not be sent. */
  configIsDefault: boolean;
  durable: boolean;
  edges: ModelEdge[];
  /** The compensation list of a durable node with `compensate:`. */
  compensation: ModelList | undefined;
  if: string | boolean | undefined;
  as: string | undefined;
  expressions: ExprField[];
  /** Its expressions call `$secret` or `$callbackUrl`, which its steps bind per step. */
  stepFunctions: boolean;
  declares: Array<{ name: string; at: JsonPath; key?: boolean; scope: "after" | "children" }>;
  /** A loop's bound on iterations (foreach, repeat), for the step budget; undefined for other kinds. */
  loopBound(input: unknown): { bound: number; why: string } | undefined;
  /** The kind's own semantic checks (validator only). */
  check(c: CheckContext): void;
  /** The kind's execution, bound to this node. */
  run(frame: Frame, runner: Runner): Promise<unknown>;
  /** How the node is drawn. */
  picture: Picture;
}

/** A drawn node's outline (src/model/graph.ts). */
export type Shape = "start" | "end" | "step" | "decision" | "loop" | "fork" | "join" | "wait" | "child" | "stop";

/**
 * How a kind is drawn, from its own description: the picture never asks for a kind by name.
 * `flow` says how the flow leaves the node: `next` (the default); `choice` (each child list a
 * way out, labelled by its condition, and "else" when there is no default); `loop` (the body,
 * entered with `label`, then back to the node); `fork` (every list, meeting at a join labelled
 * `label`); `try` (the first list, the others as dashed catch edges); `stop` (no way out).
 */
export interface Picture {
  shape?: Shape;
  flow?: "next" | "choice" | "loop" | "fork" | "try" | "stop";
  label?: string;
  /** A child workflow the node starts: drawn once per definition, with a dashed edge. */
  child?: { definition: string; wait: boolean };
}

export interface DefinitionModel {
  root: ModelList;
  /** Every node, depth first in document order. */
  nodes: ModelNode[];
  byId: ReadonlyMap<string, ModelNode>;
  /** Some node has `compensate:` steps (terminating with compensation then matters). */
  hasCompensations: boolean;
  /** Some node is a race (its waits claim their events: src/nodes/race.ts). */
  hasRaces: boolean;
  /** Step templates used by two nodes: the validator reports them. */
  collisions: Array<{ text: string; first: ModelNode; second: ModelNode }>;
}

interface DefinitionLike {
  steps?: unknown;
  defaults?: { retries?: unknown; timeout?: unknown };
}

const STEP_FUNCTIONS = /\$(secret|callbackUrl)\b/;

/** Models per definition object: a pinned definition never changes, and replays ask often. */
const models = new WeakMap<object, DefinitionModel>();

export function modelOf(definition: DefinitionLike): DefinitionModel {
  let m = models.get(definition);
  if (!m) {
    m = buildModel(definition);
    models.set(definition, m);
  }
  return m;
}

/**
 * Binds a kind's description and execution to one node, typed by its kind (no casts past
 * here). Methods rather than arrow properties: bundlers that keep names wrap each of those.
 */
function bindKind<K extends Kind>(kind: K, node: NodeOfKind[K], where: { inRace: boolean }) {
  const mod = NODE_KINDS[kind];
  return {
    durable: mod.durable,
    stepApi: mod.stepApi,
    extraSteps: mod.extraSteps?.(node, where) ?? [],
    picture: mod.picture?.(node) ?? {},
    children: mod.children(node),
    expressions: mod.expressions(node),
    declares: mod.declares?.(node) ?? [],
    configFields: mod.configFields?.(node) ?? node,
    check(c: CheckContext): void {
      mod.check?.(node, c);
    },
    loopBound(input: unknown): { bound: number; why: string } | undefined {
      return mod.loopBound?.(node, input);
    },
    run(frame: Frame, runner: Runner): Promise<unknown> {
      return mod.run(node, frame, runner);
    },
  };
}

function buildModel(def: DefinitionLike): DefinitionModel {
  const nodes: ModelNode[] = [];
  const byId = new Map<string, ModelNode>();
  const seenSteps = new Map<string, ModelNode>();
  const collisions: DefinitionModel["collisions"] = [];
  // The lists on the current path: a YAML alias can make a list contain itself.
  const open = new Set<unknown>();
  const defaults = def.defaults && typeof def.defaults === "object" ? (def.defaults as Parameters<typeof stepConfig>[1]) : undefined;

  const list = (steps: unknown, at: JsonPath, id: string, ctx: { parent?: ModelNode; edge?: ModelEdge; prefix: Segment[]; slots: number; depth: number; inCompensation: boolean }): ModelList => {
    const out: ModelList = { id, nodes: [] };
    if (!Array.isArray(steps) || open.has(steps)) return out;
    open.add(steps);
    for (let i = 0; i < steps.length; i++) {
      const raw: unknown = steps[i];
      if (!raw || typeof raw !== "object" || Array.isArray(raw) || open.has(raw)) continue;
      const kind = kindOf(raw);
      const name = kind === undefined ? undefined : (raw as Record<string, unknown>)[kind];
      if (kind === undefined || typeof name !== "string") continue;
      open.add(raw);
      const nodeAt = [...at, i];
      const bound = bindKind(kind, raw as NodeOfKind[typeof kind], { inRace: raceOf(ctx.parent) !== undefined });
      const segs = [...ctx.prefix, { text: name }];
      const path = template(segs);
      const r = raw as { if?: unknown; as?: unknown };
      const config = bound.durable ? stepConfig(bound.configFields as Parameters<typeof stepConfig>[0], defaults) : undefined;
      const m: ModelNode = {
        id: `${id}/${i}`,
        at: nodeAt,
        kind,
        name,
        node: raw as Node,
        parent: ctx.parent,
        parentEdge: ctx.edge,
        index: i,
        depth: ctx.depth,
        slots: ctx.slots,
        inCompensation: ctx.inCompensation,
        path,
        steps: [],
        configIsDefault: config === undefined || isDefaultStepConfig(config),
        durable: bound.durable,
        edges: [],
        compensation: undefined,
        if: typeof r.if === "string" || typeof r.if === "boolean" ? r.if : undefined,
        as: typeof r.as === "string" ? r.as : undefined,
        expressions: bound.expressions,
        stepFunctions: STEP_FUNCTIONS.test(JSON.stringify(bound.expressions.map((e) => e.value))),
        declares: bound.declares,
        check: bound.check,
        loopBound: bound.loopBound,
        run: bound.run,
        picture: bound.picture,
        config,
      };
      if (bound.stepApi) m.steps.push({ role: "node", api: bound.stepApi, template: path });
      for (const x of bound.extraSteps) m.steps.push({ role: x.role, api: x.api, template: template([...segs, { text: x.suffix }]) });
      for (const s of m.steps) {
        const prev = seenSteps.get(s.template.text);
        if (prev && prev !== m) collisions.push({ text: s.template.text, first: prev, second: m });
        else seenSteps.set(s.template.text, m);
      }
      nodes.push(m);
      byId.set(m.id, m);
      out.nodes.push(m);
      for (const c of bound.children) m.edges.push(edgeOf(c, m, segs, ctx, nodeAt));
      m.compensation = m.edges.find((e) => e.edge === "compensation")?.list;
      open.delete(raw);
    }
    open.delete(steps);
    return out;
  };

  const edgeOf = (c: ChildList, m: ModelNode, segs: Segment[], ctx: { prefix: Segment[]; slots: number; depth: number; inCompensation: boolean }, nodeAt: JsonPath): ModelEdge => {
    // A loop body names the node's segment with an index: `charge[{i}]/notify`.
    const base = c.loop ? [...ctx.prefix, { text: m.name, slot: ctx.slots }] : segs;
    const prefix = [...base, ...c.segments.map((text) => ({ text }))];
    const e: ModelEdge = {
      edge: c.edge,
      at: c.at,
      loop: c.loop === true,
      scope: c.scope,
      binds: c.binds ?? [],
      list: { id: "", nodes: [] },
      label: c.label,
      when: c.when,
      errors: c.errors,
    };
    e.list = list(c.steps, [...nodeAt, ...c.at], m.id + pointer(c.at), {
      parent: m,
      edge: e,
      prefix,
      slots: ctx.slots + (c.loop ? 1 : 0),
      depth: ctx.depth + 1,
      inCompensation: ctx.inCompensation || c.edge === "compensation",
    });
    return e;
  };

  const root = list(def.steps, ["steps"], "/steps", { prefix: [], slots: 0, depth: 1, inCompensation: false });
  return { root, nodes, byId, collisions, hasCompensations: nodes.some((m) => m.compensation !== undefined), hasRaces: nodes.some((m) => m.kind === "race") };
}

/** The nearest race `m` is inside of (itself included), or undefined. */
function raceOf(m: ModelNode | undefined): ModelNode | undefined {
  for (let p = m; p; p = p.parent) if (p.kind === "race") return p;
  return undefined;
}

export type { Frame, StepConfig, Segment, StepTemplate };
export { instantiate, stepOf, extraStepOf } from "./steps.js";

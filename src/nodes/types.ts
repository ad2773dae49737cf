// The contract of a node kind. Each kind file holds a pure description (checks, expressions,
// declared variables, child edges, extra step-name roles), read by the model, the validator
// and the build, beside an execution (`run`) that alone reaches effects, through the seam.
// Adding a kind: see docs/contributing.md.
import type { Node } from "../generated/workflow.js";
import type { Kind } from "./index.js";
import type { DefinitionCode } from "../errors.js";
import type { Frame } from "../interpreter/context.js";
import type { ModelList, Picture } from "../model/model.js";

/** The node type of each kind key, from the generated types: the registry is typed by it. */
export type NodeOfKind = { [K in Kind]: Extract<Node, Record<K, string>> };

export type JsonPath = (string | number)[];

/**
 * How a child list hangs off its node: `sequence` (try's own steps), `case` (a switch case,
 * with its `when`), `default`, `branch` (parallel/race, with its name), `body` (a loop),
 * `catch` (with the error names it handles), `compensation`.
 */
export type EdgeKind = "sequence" | "case" | "default" | "branch" | "body" | "catch" | "compensation";

/**
 * A list of child nodes: where it sits in the node (JSON path), how it is reached, what it adds
 * to step names, and how it sees variables. The order of a kind's `children()` is the order of
 * `ModelNode.edges`, which `run` uses to reach its lists.
 */
export interface ChildList {
  edge: EdgeKind;
  at: JsonPath;
  steps: Node[];
  /** Step-name segments between this node's name and the children's, e.g. ["catch[0]"]. */
  segments: string[];
  /** A loop body (foreach/repeat): the node's own segment gets an index, `charge[{i}]`. */
  loop?: boolean;
  /** Branch name, case number, or catch number, for pictures and messages. */
  label?: string;
  /** A case's condition. */
  when?: string | boolean;
  /** A catch handler's error names (absent: every error). */
  errors?: string[];
  /**
   * Scope: `shared` lists write into the node's scope (switch cases, try, catch, repeat);
   * `isolated` lists get a copy (foreach iterations, parallel and race branches, compensation).
   */
  scope: "shared" | "isolated";
  /** Variables bound for this list only (`item`, `index`, `attempt`, `error`, `result`). */
  binds?: string[];
}

/** How an expression-bearing field is evaluated: a template, or an expression field. */
export interface ExprField {
  at: JsonPath;
  value: unknown;
  mode: "template" | "expression";
  /** Evaluated inside a step (impure functions and $secret allowed) or on every replay. */
  inStep: boolean;
  /** Extra variables this field sees ($response, $result …). */
  sees?: string[];
  /** Sees the loop body's scope (foreach.collect: the loop variables and the body's writes). */
  seesBody?: boolean;
}

/** A durable step a node issues besides its own (`<node>/winner`, `<node>/wait`). */
export interface ExtraStep {
  role: "winner" | "wait" | "claim";
  /** Appended to the node's step name: `/winner`. */
  suffix: string;
  api: "do" | "waitForEvent";
}

export interface CheckContext {
  report(code: DefinitionCode, message: string, at: JsonPath, opts?: { key?: boolean }): void;
  knownDefinitions?: ReadonlySet<string>;
  knownActions: ReadonlySet<string>;
}

/** What a kind says about itself, from the node alone (no effects, runs in Node and workerd). */
export interface NodeDescription<N> {
  kind: Kind;
  /** Runs as its own `step.do` (do, http, workflow): takes retries, timeout, compensate. */
  durable: boolean;
  /** The engine call behind the node's own step name, if it has one. */
  stepApi?: "do" | "sleep" | "waitForEvent";
  /** `inRace`: the node is inside a race's branch (a wait there claims its event: src/nodes/race.ts). */
  extraSteps?(node: N, where: { inRace: boolean }): ExtraStep[];
  /** The fields the step config is read from (default: the node; workflow: its retries only). */
  configFields?(node: N): { retries?: unknown; timeout?: unknown };
  children(node: N): ChildList[];
  expressions(node: N): ExprField[];
  /** Variables the node declares besides `as` (set.values keys, foreach each/index). */
  declares?(node: N): Array<{ name: string; at: JsonPath; key?: boolean; scope: "after" | "children" }>;
  check?(node: N, c: CheckContext): void;
  /** A loop's bound on iterations, for the step budget (foreach, repeat). */
  loopBound?(node: N, input: unknown): { bound: number; why: string };
  /** How the node is drawn (default: a step the flow passes through). */
  picture?(node: N): Picture;
}

export interface NodeKind<N = Node> extends NodeDescription<N> {
  run(node: N, frame: Frame, run: Runner): Promise<unknown>;
}

export type KindRegistry = { [K in Kind]: NodeKind<NodeOfKind[K]> };

/** What a node's `run` may call back into: the interpreter's own walk. */
export interface Runner {
  /** Runs a child list of this node (`frame.node.edges[i]`) in `frame`'s scope or the one given. */
  steps(list: ModelList, frame: Frame, ord: number, opts?: { scope?: Frame["scope"]; index?: number }): Promise<unknown>;
}

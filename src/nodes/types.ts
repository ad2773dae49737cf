// The contract of a node kind: its checks (pure, used by the validator) and its execution
// (the only place that calls `step`) side by side, one file per kind.
import type { Node } from "../generated/workflow.js";
import type { DefinitionCode } from "../errors.js";
import type { Frame } from "../interpreter/context.js";

export const KINDS = [
  "do",
  "http",
  "sleep",
  "waitForEvent",
  "set",
  "switch",
  "foreach",
  "parallel",
  "race",
  "repeat",
  "try",
  "compensate",
  "fail",
  "workflow",
] as const;
export type Kind = (typeof KINDS)[number];

export type JsonPath = (string | number)[];

/** A list of child nodes: where it sits in the node (JSON path) and the step-name segments it adds. */
export interface ChildList {
  at: JsonPath;
  steps: Node[];
  /** Step-name segments between this node's path and the children's, e.g. ["catch[0]"]. */
  segments: string[];
  /** Is this loop body (foreach/repeat) — names get an `[i]` suffix on the node segment. */
  loop?: boolean;
  /** Compensation steps run after the node, with $result. */
  compensation?: boolean;
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
}

export interface CheckContext {
  report(code: DefinitionCode, message: string, at: JsonPath, opts?: { key?: boolean }): void;
  knownDefinitions?: ReadonlySet<string>;
  knownActions: ReadonlySet<string>;
}

export interface NodeKind<N = Node> {
  kind: Kind;
  durable: boolean;
  children(node: N): ChildList[];
  expressions(node: N): ExprField[];
  /** Variables the node declares besides `as` (set.values keys, foreach each/index). */
  declares?(node: N): Array<{ name: string; at: JsonPath; key?: boolean }>;
  check?(node: N, c: CheckContext): void;
  run(node: N, frame: Frame, run: Runner): Promise<unknown>;
}

/** What a node's `run` may call back into: the interpreter's own walk. */
export interface Runner {
  steps(steps: readonly Node[], frame: Frame): Promise<unknown>;
  /** A child frame: path extended by segments, order by `ord`, scope shared or given. */
  child(frame: Frame, segments: string[], ord: number, scope?: Frame["scope"]): Frame;
  nodePath(frame: Frame): string;
}

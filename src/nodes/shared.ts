// Pieces several node kinds share.
import type { Node } from "../generated/workflow.js";
import type { Frame } from "../interpreter/context.js";
import type { ChildList } from "./types.js";
import type { Bindings } from "../expressions/template.js";
import { FlowError } from "../interpreter/errors.js";
import { parseTemplateString } from "../expressions/template.js";
import type { Runner, ChildList as Children } from "./types.js";

/** A field that is exactly `{% expr %}` (sleep.for, waitForEvent.event …), rather than a literal. */
export const isWholeExpression = (v: unknown): v is string => typeof v === "string" && parseTemplateString(v).kind === "expr";

/** Branch lists of parallel and race: `<node>/<branch>/…` step names. */
export function branchChildren(branches: Readonly<Record<string, readonly Node[] | undefined>> | undefined): Children[] {
  return Object.entries(branches ?? {}).map(([b, steps]) => ({ at: ["branches", b], steps: [...(steps ?? [])], segments: [b] }));
}

/** Starts every branch concurrently, each in its own copy of the scope. */
export function startBranches(branches: Readonly<Record<string, readonly Node[] | undefined>>, frame: Frame, run: Runner): { names: string[]; results: Array<Promise<unknown>> } {
  const names = Object.keys(branches);
  return { names, results: names.map((b, i) => run.steps(branches[b] ?? [], run.child(frame, [b], i, { ...frame.scope }))) };
}

/** Bindings inside a step: the scope plus `$secret`, which reads a Worker secret or var. */
export function stepBindings(frame: Frame, extra?: Bindings): Bindings {
  const env = frame.state.host.env;
  const secret = (name: unknown): string => {
    const v = typeof name === "string" ? env[name] : undefined;
    if (typeof v !== "string") throw new FlowError({ name: "ExpressionError", node: frame.path.join("/"), message: `$secret("${String(name)}"): no secret or var of that name is set on the Worker. Add it with \`wrangler secret put ${String(name)}\` (or .dev.vars locally).` });
    return v;
  };
  return { ...frame.scope, ...extra, secret };
}

export function compensationChildren(n: { compensate?: Node[] }): ChildList[] {
  return n.compensate ? [{ at: ["compensate"], steps: n.compensate, segments: ["compensate"], compensation: true }] : [];
}

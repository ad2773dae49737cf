// Pieces several node kinds share.
import type { Node } from "../generated/workflow.js";
import type { Frame } from "../interpreter/context.js";
import type { ChildList } from "./types.js";
import type { Bindings } from "../expressions/template.js";
import { FlowError } from "../interpreter/errors.js";

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

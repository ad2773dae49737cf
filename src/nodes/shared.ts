// Pieces several node kinds share.
import type { Node } from "../generated/workflow.js";
import { own } from "../core/own.js";
import type { Frame } from "../interpreter/context.js";
import type { Bindings } from "../expressions/template.js";
import type { NodeRef } from "../interpreter/effects.js";
import type { ModelNode } from "../model/model.js";
import { parseTemplateString } from "../expressions/template.js";
import type { ChildList, Runner } from "./types.js";
import { callbackUrl } from "../interpreter/callbacks.js";

/** A field that is exactly `{% expr %}` (sleep.for, waitForEvent.event …), rather than a literal. */
export const isWholeExpression = (v: unknown): v is string => typeof v === "string" && parseTemplateString(v).kind === "expr";

/** Branch lists of parallel and race: `<node>/<branch>/…` step names, each branch in its own scope. */
export function branchChildren(branches: Readonly<Record<string, readonly Node[] | undefined>> | undefined): ChildList[] {
  const b = branches && typeof branches === "object" ? branches : {};
  return Object.entries(b).map(([name, steps]) => ({ edge: "branch", at: ["branches", name], steps: [...(Array.isArray(steps) ? steps : [])], segments: [name], label: name, scope: "isolated" }));
}

/** Starts every branch concurrently, each in its own copy of the scope. */
export function startBranches(frame: Frame, run: Runner): { names: string[]; results: Array<Promise<unknown>> } {
  const edges = frame.node.edges;
  return { names: edges.map((e) => e.label ?? ""), results: edges.map((e, i) => run.steps(e.list, frame, i, { scope: { ...frame.scope } })) };
}

/** `$secret` per Worker env: made once, not per step (named closures cost a call each). */
const secrets = new WeakMap<object, (name: unknown) => string>();
function secretReader(env: Record<string, unknown>): (name: unknown) => string {
  let f = secrets.get(env);
  if (!f) {
    // A plain Error: JSONata reports it as an expression failure, which the step turns into
    // an ExpressionError at the node's path.
    f = (name: unknown): string => {
      const v = typeof name === "string" ? own(env, name) : undefined;
      if (typeof v !== "string") throw new Error(`$secret("${String(name)}"): no secret or var of that name is set on the Worker. Add it with \`wrangler secret put ${String(name)}\` (or .dev.vars locally).`);
      return v;
    };
    secrets.set(env, f);
  }
  return f;
}

/** `$callbackUrl(type[, ttl])`, made once per run (it names this instance). */
const callbackMakers = new WeakMap<object, (type: unknown, ttl?: unknown) => Promise<string>>();
function callbackMaker(frame: Frame): (type: unknown, ttl?: unknown) => Promise<string> {
  let f = callbackMakers.get(frame.state);
  if (!f) {
    const { host, workflow } = frame.state;
    f = (type, ttl) => callbackUrl(host.env, workflow.id, type, ttl, Date.now());
    callbackMakers.set(frame.state, f);
  }
  return f;
}

/**
 * Bindings inside a step: the scope plus `$secret` (a Worker secret or var) and `$callbackUrl`.
 * A node that calls neither reads the scope itself: no copy per step (JSONata never writes to
 * its bindings).
 */
export function stepBindings(frame: Frame, extra?: Bindings): Bindings {
  if (!frame.node.stepFunctions) return extra ? { ...frame.scope, ...extra } : frame.scope;
  return { ...frame.scope, ...extra, secret: secretReader(frame.state.host.env), callbackUrl: callbackMaker(frame) };
}

/** A durable node's `compensate:` list, run with `$result` after a later failure. */
export function compensationChildren(n: { compensate?: Node[] }): ChildList[] {
  return Array.isArray(n.compensate) ? [{ edge: "compensation", at: ["compensate"], steps: n.compensate, segments: ["compensate"], scope: "isolated", binds: ["result"] }] : [];
}

/** The frame as the effects seam names it. */
export const refOf = (frame: Frame): NodeRef => ({ node: frame.node, indices: frame.indices });

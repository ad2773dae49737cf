// `workflow`: a child instance (docs/reference.md, Nodes). Its id derives from this instance's id and the
// node path, so a replay never creates a second child; the child reports its outcome to
// the parent as an event, which the parent waits for (no polling).
import type { WorkflowNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { durableStep } from "../interpreter/durable.js";
import { renderTemplate } from "../expressions/template.js";
import { FlowError, toFlowError } from "../interpreter/errors.js";
import { TERMINATED } from "../interpreter/terminate.js";
import { stableHash } from "../interpreter/names.js";
import { extraStepOf, stepOf } from "../model/steps.js";
import { DEFAULT_EVENT_TIMEOUT_MS, eventTimeoutInRange, formatDuration, parseDuration } from "../interpreter/duration.js";
import { compensationChildren, refOf, stepBindings } from "./shared.js";

/** Cloudflare's instance id rule: ^[a-zA-Z0-9_][a-zA-Z0-9-_]*$, at most 100 characters. */
export const MAX_INSTANCE_ID_LENGTH = 100;

export function childInstanceId(parentId: string, nodePath: string): string {
  const suffix = `-c${stableHash(parentId + "\u0000" + nodePath)}`;
  return parentId.slice(0, MAX_INSTANCE_ID_LENGTH - suffix.length) + suffix;
}
export const childEventType = (childId: string): string => `flowdsl-child-${stableHash(childId)}`;

export const workflowNode: NodeKind<WorkflowNode> = {
  kind: "workflow",
  picture: (n) => (typeof n.definition === "string" ? { child: { definition: n.definition, wait: n.wait !== false } } : {}),
  durable: true,
  stepApi: "do",
  // The start is the node's step; with `wait` (the default) the outcome arrives as an event.
  extraSteps: (n) => (n.wait === false ? [] : [{ role: "wait", suffix: "wait", api: "waitForEvent" }]),
  // `timeout` bounds the wait for the child, not the start: the start step takes retries only.
  configFields: (n) => ({ retries: n.retries, sensitive: n.sensitive }),
  children: (n) => compensationChildren(n),
  expressions: (n) => (n.params !== undefined ? [{ at: ["params"], value: n.params, mode: "template" as const, inStep: true }] : []),
  check(n, c) {
    if (c.knownDefinitions && n.definition !== undefined && !c.knownDefinitions.has(n.definition)) {
      c.report("UNKNOWN_DEFINITION", `No definition "${n.definition}" exists beside this one (definitions/${n.definition}.yaml). Fix the name or add the definition.`, ["definition"]);
    }
    if (n.timeout !== undefined) {
      const ms = parseDuration(n.timeout);
      if (ms !== undefined && !eventTimeoutInRange(ms)) c.report("DURATION_RANGE", `A child wait's timeout is between 1 second and 365 days; this one is ${formatDuration(ms)}.`, ["timeout"]);
    }
  },
  async run(n, frame) {
    const path = stepOf(frame);
    const children = frame.state.host.children;
    if (!children) throw new FlowError({ name: "ChildFailed", node: path, message: "this Worker has no workflow binding to start children with" });
    const id = childInstanceId(frame.state.workflow.id, path);
    const event = childEventType(id);
    const wait = n.wait !== false;
    // The child's start is the durable step; the wait for its outcome is separate, so the
    // node's `timeout` bounds the wait, not the start.
    const started = (await durableStep(frame, async () => {
      const found = children.lookup(n.definition);
      if (!found) throw new FlowError({ name: "ChildFailed", node: path, message: `no definition "${n.definition}" is deployed` });
      const input = n.params === undefined ? {} : await renderTemplate(n.params, stepBindings(frame));
      await children.create(id, { name: n.definition, hash: found.hash, input, parent: wait ? { ...(children.parentRef?.() ?? { id: frame.state.workflow.id }), event } : undefined }, found.definition);
      return { id };
    })) as { id: string };
    if (!wait) return started;
    const timeout = parseDuration(n.timeout) ?? DEFAULT_EVENT_TIMEOUT_MS;
    let outcome: { status?: string; output?: unknown; error?: { name?: string; message?: string } };
    try {
      const ev = await frame.state.effects.waitForEvent<typeof outcome>(refOf(frame), extraStepOf(frame, "wait"), { type: event, timeout });
      outcome = ev.payload;
    } catch (e) {
      const fe = toFlowError(e, path, "Timeout");
      if (!fe || fe.info.name === TERMINATED) throw fe ?? e;
      throw new FlowError({ name: "Timeout", node: path, message: `child ${id} did not finish within ${formatDuration(timeout)}` });
    }
    if (outcome.status !== "complete") {
      throw new FlowError({ name: "ChildFailed", node: path, message: `child ${id} (${n.definition}) failed: ${outcome.error?.name ?? "Error"}: ${outcome.error?.message ?? "unknown error"}` });
    }
    return outcome.output ?? null;
  },
};

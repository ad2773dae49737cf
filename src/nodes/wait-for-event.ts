// `waitForEvent`: step.waitForEvent; its result is the payload; a timeout raises Timeout (docs/reference.md, Nodes).
import type { WaitForEventNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { evaluateExpressionField, toPlain } from "../expressions/template.js";
import { isWholeExpression } from "./shared.js";
import { DEFAULT_EVENT_TIMEOUT_MS, eventTimeoutInRange, formatDuration, parseDuration } from "../interpreter/duration.js";
import { extraStepOf, stepOf } from "../model/steps.js";
import { hasLost, settle } from "../interpreter/races.js";

/** Claiming settles and may send one event: retried like a short API call. */
const CLAIM_CONFIG = { retries: { limit: 5, delay: 1000, backoff: "exponential" as const }, timeout: 60_000 };
import { refOf } from "./shared.js";
import { FlowError, toFlowError } from "../interpreter/errors.js";
import { TERMINATED } from "../interpreter/terminate.js";

/** Cloudflare's event type rule. */
export const EVENT_TYPE_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9_-]*$/;
export const MAX_EVENT_TYPE_LENGTH = 100;
export const isValidEventType = (t: string): boolean => t.length <= MAX_EVENT_TYPE_LENGTH && EVENT_TYPE_PATTERN.test(t);


export const waitForEventNode: NodeKind<WaitForEventNode> = {
  kind: "waitForEvent",
  picture: () => ({ shape: "wait" }),
  durable: false,
  stepApi: "waitForEvent",
  // Inside a race branch the wait claims what it received (src/interpreter/races.ts).
  extraSteps: (_n, where) => (where.inRace ? [{ role: "claim", suffix: "claim", api: "do" }] : []),
  children: () => [],
  expressions: (n) => [
    ...(isWholeExpression(n.event) ? [{ at: ["event"], value: n.event, mode: "expression" as const, inStep: false }] : []),
    ...(isWholeExpression(n.timeout) ? [{ at: ["timeout"], value: n.timeout, mode: "expression" as const, inStep: false }] : []),
  ],
  check(n, c) {
    if (n.timeout !== undefined && !isWholeExpression(n.timeout)) {
      const ms = parseDuration(n.timeout);
      if (ms !== undefined && !eventTimeoutInRange(ms)) c.report("DURATION_RANGE", `An event wait's timeout is between 1 second and 365 days; this one is ${formatDuration(ms)}.`, ["timeout"]);
    }
  },
  async run(n, frame) {
    const name = stepOf(frame);
    const type = isWholeExpression(n.event) ? await evaluateExpressionField(n.event, frame.scope) : n.event;
    if (typeof type !== "string" || !isValidEventType(type)) throw new FlowError({ name: "ExpressionError", node: name, message: `event type ${JSON.stringify(type)} is not letters, digits, _ and - (at most 100)` });
    const t = n.timeout === undefined ? DEFAULT_EVENT_TIMEOUT_MS : parseDuration(isWholeExpression(n.timeout) ? await evaluateExpressionField(n.timeout, frame.scope) : n.timeout);
    if (t === undefined || !eventTimeoutInRange(t)) throw new FlowError({ name: "ExpressionError", node: name, message: `timeout ${JSON.stringify(n.timeout)} is not a duration between 1 second and 365 days` });
    let ev: { payload: unknown };
    try {
      ev = await frame.state.effects.waitForEvent<unknown>(refOf(frame), name, { type, timeout: t });
    } catch (e) {
      const fe = toFlowError(e, name, "Timeout");
      if (!fe || fe.info.name === TERMINATED) throw fe ?? e;
      throw new FlowError({ ...fe.info, name: "Timeout", node: name, message: `no "${type}" event arrived within ${formatDuration(t)}` });
    }
    if (frame.node.steps.some((s) => s.role === "claim")) {
      const claim = (await frame.state.effects.do(refOf(frame), extraStepOf(frame, "claim"), CLAIM_CONFIG, async () => {
        await settle(frame);
        if (!hasLost(frame)) return { forwarded: false };
        // A race around this wait was won by another branch: the event belongs to a later wait.
        await frame.state.host.sendSelf?.(type, ev.payload);
        return { forwarded: true };
      })) as { forwarded: boolean };
      // The losing branch stops here, for good; the race went on without it.
      if (claim.forwarded) return new Promise<never>(() => {});
    }
    return toPlain(ev.payload);
  },
};

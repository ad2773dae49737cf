// `sleep`: step.sleep for a duration, or step.sleepUntil a timestamp (docs/reference.md, Nodes).
import type { SleepNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { evaluateExpressionField } from "../expressions/template.js";
import { isWholeExpression } from "./shared.js";
import { formatDuration, MAX_SLEEP_MS, parseDuration, sleepInRange } from "../interpreter/duration.js";
import { stepOf } from "../model/steps.js";
import { refOf } from "./shared.js";
import { FlowError } from "../interpreter/errors.js";


export const sleepNode: NodeKind<SleepNode> = {
  kind: "sleep",
  picture: () => ({ shape: "wait" }),
  durable: false,
  stepApi: "sleep",
  children: () => [],
  expressions: (n) => [
    ...(isWholeExpression(n.for) ? [{ at: ["for"], value: n.for, mode: "expression" as const, inStep: false }] : []),
    ...(isWholeExpression(n.until) ? [{ at: ["until"], value: n.until, mode: "expression" as const, inStep: false }] : []),
  ],
  check(n, c) {
    const has = ["for", "until"].filter((k) => k in n);
    if (has.length !== 1) c.report("EXCLUSIVE_FIELDS", `A sleep node takes exactly one of \`for\` or \`until\`; this one has ${has.length === 0 ? "neither" : "both"}.`, has.length === 0 ? [] : ["until"], { key: true });
    if (n.for !== undefined && !isWholeExpression(n.for)) {
      const ms = parseDuration(n.for);
      if (ms !== undefined && !sleepInRange(ms)) c.report("DURATION_RANGE", `A sleep lasts at most ${formatDuration(MAX_SLEEP_MS)}; this one is ${formatDuration(ms)}.`, ["for"]);
    }
    if (n.until !== undefined && !isWholeExpression(n.until) && Number.isNaN(new Date(n.until).getTime())) {
      c.report("PATTERN_MISMATCH", `\`until\` is an ISO-8601 timestamp ("2026-12-24T18:00:00Z") or epoch milliseconds; "${n.until}" is neither.`, ["until"]);
    }
  },
  async run(n, frame) {
    const name = stepOf(frame);
    if (n.for !== undefined) {
      const v = isWholeExpression(n.for) ? await evaluateExpressionField(n.for, frame.scope) : n.for;
      const ms = parseDuration(v);
      if (ms === undefined || !sleepInRange(ms)) throw new FlowError({ name: "ExpressionError", node: name, message: `sleep for ${JSON.stringify(v)}: not a duration between 0 and 365 days` });
      await frame.state.effects.sleep(refOf(frame), name, ms);
    } else {
      const v = isWholeExpression(n.until) ? await evaluateExpressionField(n.until, frame.scope) : n.until;
      const at = new Date(typeof v === "number" || typeof v === "string" ? v : NaN);
      if (Number.isNaN(at.getTime())) throw new FlowError({ name: "ExpressionError", node: name, message: `sleep until ${JSON.stringify(v)}: not an ISO-8601 timestamp or epoch ms` });
      await frame.state.effects.sleepUntil(refOf(frame), name, at);
    }
    return null;
  },
};

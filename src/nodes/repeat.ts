// `repeat`: run steps until `until` is truthy, at most `max` times; `$attempt` from 0.
// The body shares the node's scope: writes persist across iterations and after the loop.
import type { RepeatNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { evaluateExpressionField, truthy } from "../expressions/template.js";
import { FlowError } from "../interpreter/errors.js";
import { stepOf } from "../model/steps.js";

export const MAX_REPEAT = 1000;

export const repeatNode: NodeKind<RepeatNode> = {
  kind: "repeat",
  picture: () => ({ shape: "loop", flow: "loop", label: "round" }),
  durable: false,
  children: (n) => [{ edge: "body", at: ["steps"], steps: n.steps ?? [], segments: [], loop: true, scope: "shared", binds: ["attempt"] }],
  expressions: (n) => [{ at: ["until"], value: n.until, mode: "expression" as const, inStep: false, sees: ["attempt"], seesBody: true }],
  loopBound: (n) => {
    const max = typeof n.max === "number" ? Math.min(n.max, MAX_REPEAT) : MAX_REPEAT;
    return { bound: max, why: `repeat "${n.repeat}": max ${max}` };
  },
  async run(n, frame, run) {
    const body = frame.node.edges[0]!.list;
    let result: unknown = null;
    for (let attempt = 0; attempt < Math.min(n.max, MAX_REPEAT); attempt++) {
      frame.scope.attempt = attempt;
      result = await run.steps(body, frame, attempt, { index: attempt });
      if (truthy(await evaluateExpressionField(n.until, frame.scope))) return result;
    }
    throw new FlowError({ name: "RepeatExhausted", node: stepOf(frame), message: `\`until\` stayed false after ${n.max} iterations` });
  },
};

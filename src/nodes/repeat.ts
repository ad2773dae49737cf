// `repeat`: run steps until `until` is truthy, at most `max` times; `$attempt` from 0 (SPEC §3.9).
import type { RepeatNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { evaluateExpressionField, truthy } from "../expressions/template.js";
import { FlowError } from "../interpreter/errors.js";
import { stepName } from "../interpreter/names.js";

export const MAX_REPEAT = 1000;

export const repeatNode: NodeKind<RepeatNode> = {
  kind: "repeat",
  durable: false,
  children: (n) => [{ at: ["steps"], steps: n.steps ?? [], segments: [], loop: true }],
  expressions: (n) => [{ at: ["until"], value: n.until, mode: "expression" as const, inStep: false }],
  async run(n, frame, run) {
    const last = frame.path[frame.path.length - 1]!;
    const parentPath = frame.path.slice(0, -1);
    let result: unknown = null;
    for (let attempt = 0; attempt < Math.min(n.max, MAX_REPEAT); attempt++) {
      frame.scope.attempt = attempt;
      result = await run.steps(n.steps, { state: frame.state, path: [...parentPath, `${last}[${attempt}]`], order: [...frame.order, attempt], scope: frame.scope });
      if (truthy(await evaluateExpressionField(n.until, frame.scope))) return result;
    }
    throw new FlowError({ name: "RepeatExhausted", node: stepName(frame.path), message: `\`until\` stayed false after ${n.max} iterations` });
  },
};

// `switch`: the first case whose `when` is truthy runs; else `default` (SPEC §3.6).
// Branch nodes are named under the switch (`route/notify`), whichever case they sit in:
// only one branch runs per instance, and `when` is deterministic.
import type { SwitchNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { evaluateExpressionField, truthy } from "../expressions/template.js";

export const switchNode: NodeKind<SwitchNode> = {
  kind: "switch",
  durable: false,
  children: (n) => [
    ...(n.cases ?? []).map((c, i) => ({ at: ["cases", i, "steps"], steps: c.steps ?? [], segments: [] })),
    ...(n.default ? [{ at: ["default"], steps: n.default, segments: [] }] : []),
  ],
  expressions: (n) => (n.cases ?? []).map((c, i) => ({ at: ["cases", i, "when"], value: c.when, mode: "expression" as const, inStep: false })),
  async run(n, frame, run) {
    for (let i = 0; i < n.cases.length; i++) {
      const c = n.cases[i]!;
      if (truthy(await evaluateExpressionField(c.when, frame.scope))) return run.steps(c.steps, run.child(frame, [], i));
    }
    return n.default ? run.steps(n.default, run.child(frame, [], n.cases.length)) : null;
  },
};

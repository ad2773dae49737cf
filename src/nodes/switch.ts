// `switch`: the first case whose `when` is truthy runs; else `default` (docs/reference.md).
// Branch nodes are named under the switch (`route/notify`), whichever case they sit in, so
// names stay short and stable; the model refuses two nodes with one step name across cases.
import type { SwitchNode } from "../generated/workflow.js";
import type { ChildList, NodeKind } from "./types.js";
import { evaluateExpressionField, truthy } from "../expressions/template.js";

export const switchNode: NodeKind<SwitchNode> = {
  kind: "switch",
  picture: () => ({ shape: "decision", flow: "choice" }),
  durable: false,
  children: (n) => [
    ...(Array.isArray(n.cases) ? n.cases : []).map((c, i): ChildList => ({ edge: "case", at: ["cases", i, "steps"], steps: c?.steps ?? [], segments: [], label: `case ${i + 1}`, when: c?.when, scope: "shared" })),
    ...(n.default ? [{ edge: "default" as const, at: ["default"], steps: n.default, segments: [], label: "default", scope: "shared" as const }] : []),
  ],
  expressions: (n) => (Array.isArray(n.cases) ? n.cases : []).map((c, i) => ({ at: ["cases", i, "when"], value: c?.when, mode: "expression" as const, inStep: false })),
  async run(n, frame, run) {
    const edges = frame.node.edges;
    for (let i = 0; i < n.cases.length; i++) {
      if (truthy(await evaluateExpressionField(n.cases[i]!.when, frame.scope))) return run.steps(edges[i]!.list, frame, i);
    }
    return n.default ? run.steps(edges[n.cases.length]!.list, frame, n.cases.length) : null;
  },
};

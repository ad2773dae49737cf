// `set`: variables from templates; deterministic, evaluated on every replay (SPEC §3.5).
import type { SetNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { renderTemplate } from "../expressions/template.js";

export const setNode: NodeKind<SetNode> = {
  kind: "set",
  durable: false,
  children: () => [],
  expressions: (n) => Object.entries(n.values ?? {}).map(([k, v]) => ({ at: ["values", k], value: v, mode: "template" as const, inStep: false })),
  declares: (n) => Object.keys(n.values ?? {}).map((k) => ({ name: k, at: ["values", k], key: true })),
  async run(n, frame) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n.values)) {
      out[k] = await renderTemplate(v, frame.scope);
      frame.scope[k] = out[k];
    }
    return out;
  },
};

// `set`: variables from templates; deterministic, evaluated on every replay (docs/reference.md, Nodes).
import type { SetNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { renderTemplate } from "../expressions/template.js";
import { setOwn } from "../core/own.js";

export const setNode: NodeKind<SetNode> = {
  kind: "set",
  durable: false,
  children: () => [],
  // Values are set in order, so each sees the keys before it.
  expressions: (n) => {
    const entries = Object.entries(n.values && typeof n.values === "object" ? n.values : {});
    return entries.map(([k, v], i) => ({ at: ["values", k], value: v, mode: "template" as const, inStep: false, sees: entries.slice(0, i).map(([e]) => e) }));
  },
  declares: (n) => Object.keys(n.values && typeof n.values === "object" ? n.values : {}).map((k) => ({ name: k, at: ["values", k], key: true, scope: "after" as const })),
  async run(n, frame) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n.values)) {
      const value = await renderTemplate(v, frame.scope);
      setOwn(out, k, value);
      setOwn(frame.scope, k, value);
    }
    return out;
  },
};

// `try`: the first handler whose `errors` names the error runs with `$error` (SPEC §3.10).
import type { TryNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { toFlowError } from "../interpreter/errors.js";
import { stepName } from "../interpreter/names.js";

export const tryNode: NodeKind<TryNode> = {
  kind: "try",
  durable: false,
  children: (n) => [
    { at: ["steps"], steps: n.steps ?? [], segments: [] },
    ...(n.catch ?? []).map((h, i) => ({ at: ["catch", i, "steps"], steps: h.steps ?? [], segments: [`catch[${i}]`] })),
  ],
  expressions: () => [],
  async run(n, frame, run) {
    try {
      return await run.steps(n.steps, run.child(frame, [], 0));
    } catch (e) {
      const fe = toFlowError(e, stepName(frame.path));
      if (!fe) throw e;
      for (let i = 0; i < n.catch.length; i++) {
        const h = n.catch[i]!;
        if (h.errors && !h.errors.includes(fe.info.name)) continue;
        frame.scope.error = fe.toJSON();
        return run.steps(h.steps, run.child(frame, [`catch[${i}]`], 1 + i));
      }
      throw fe;
    }
  },
};

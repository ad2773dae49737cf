// `try`: the first handler whose `errors` names the error runs with `$error` (docs/reference.md).
import type { TryNode } from "../generated/workflow.js";
import type { ChildList, NodeKind } from "./types.js";
import { toFlowError } from "../interpreter/errors.js";
import { stepOf } from "../model/steps.js";
import { TERMINATED } from "../interpreter/terminate.js";

export const tryNode: NodeKind<TryNode> = {
  kind: "try",
  picture: () => ({ flow: "try" }),
  durable: false,
  children: (n) => [
    { edge: "sequence", at: ["steps"], steps: n.steps ?? [], segments: [], scope: "shared" },
    ...(Array.isArray(n.catch) ? n.catch : []).map((h, i): ChildList => ({ edge: "catch", at: ["catch", i, "steps"], steps: h?.steps ?? [], segments: [`catch[${i}]`], label: `catch[${i}]`, scope: "shared", binds: ["error"], ...(h?.errors ? { errors: h.errors } : {}) })),
  ],
  expressions: () => [],
  async run(n, frame, run) {
    const edges = frame.node.edges;
    try {
      return await run.steps(edges[0]!.list, frame, 0);
    } catch (e) {
      const fe = toFlowError(e, stepOf(frame));
      // A termination on request is control flow, like the engine's: never caught.
      if (!fe || fe.info.name === TERMINATED) throw fe ?? e;
      for (let i = 0; i < n.catch.length; i++) {
        const h = n.catch[i]!;
        if (h.errors && !h.errors.includes(fe.info.name)) continue;
        frame.scope.error = fe.toJSON();
        return run.steps(edges[1 + i]!.list, frame, 1 + i);
      }
      throw fe;
    }
  },
};

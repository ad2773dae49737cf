// `parallel`: branches run concurrently, each in its own scope; all settle; the first
// failure in branch order is raised (docs/reference.md).
import type { ParallelNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { isEngineAbort } from "../interpreter/errors.js";
import { branchChildren, startBranches } from "./shared.js";

export const parallelNode: NodeKind<ParallelNode> = {
  kind: "parallel",
  picture: () => ({ shape: "fork", flow: "fork", label: "all done" }),
  durable: false,
  children: (n) => branchChildren(n.branches),
  expressions: () => [],
  async run(_n, frame, run) {
    const { names, results } = startBranches(frame, run);
    const settled = await Promise.allSettled(results);
    // Engine control flow (pause, terminate, a crash) outranks any ordinary failure.
    const abort = settled.find((s) => s.status === "rejected" && isEngineAbort(s.reason));
    if (abort && abort.status === "rejected") throw abort.reason;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) {
      const s = settled[i]!;
      if (s.status === "rejected") throw s.reason;
      out[names[i]!] = s.value;
    }
    return out;
  },
};

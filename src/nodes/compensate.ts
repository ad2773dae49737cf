// `compensate` node: runs the pending compensations now, newest first (docs/reference.md, Compensation).
import type { CompensateNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { runPendingCompensations } from "../interpreter/compensation.js";

export const compensateNode: NodeKind<CompensateNode> = {
  kind: "compensate",
  durable: false,
  children: () => [],
  expressions: () => [],
  async run(_n, frame) {
    return runPendingCompensations(frame.state);
  },
};

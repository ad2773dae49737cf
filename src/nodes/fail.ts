// `fail`: raises a non-retryable error, catchable by `try` (docs/reference.md, Nodes).
import type { FailNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { renderTemplate } from "../expressions/template.js";
import { FlowError } from "../interpreter/errors.js";
import { stepOf } from "../model/steps.js";

export const failNode: NodeKind<FailNode> = {
  kind: "fail",
  durable: false,
  children: () => [],
  expressions: (n) => [{ at: ["message"], value: n.message, mode: "template" as const, inStep: false }],
  async run(n, frame) {
    const message = await renderTemplate(n.message, frame.scope);
    throw new FlowError({ name: n.error ?? "Failed", node: stepOf(frame), message: typeof message === "string" ? message : JSON.stringify(message) });
  },
};

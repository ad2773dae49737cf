// `fail`: raises a non-retryable error, catchable by `try` (docs/reference.md, Nodes). With
// `error: "{% $error %}"` (in a catch handler) it raises the caught error again as it was.
import type { FailNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { evaluateExpressionField, renderTemplate } from "../expressions/template.js";
import { FlowError } from "../interpreter/errors.js";
import type { ErrorInfo } from "../interpreter/errors.js";
import { stepOf } from "../model/steps.js";
import { isWholeExpression } from "./shared.js";

export const failNode: NodeKind<FailNode> = {
  kind: "fail",
  picture: () => ({ shape: "stop", flow: "stop" }),
  durable: false,
  children: () => [],
  expressions: (n) => [
    ...(n.message !== undefined ? [{ at: ["message"], value: n.message, mode: "template" as const, inStep: false }] : []),
    ...(isWholeExpression(n.error) ? [{ at: ["error"], value: n.error, mode: "expression" as const, inStep: false }] : []),
  ],
  check(n, c) {
    if (n.message === undefined && !isWholeExpression(n.error)) c.report("MISSING_FIELD", "A fail node needs `message` (only one that raises a caught error again, `error: \"{% $error %}\"`, may leave it out). Add it.", []);
  },
  async run(n, frame) {
    const node = stepOf(frame);
    const message = n.message === undefined ? undefined : await renderTemplate(n.message, frame.scope);
    const text = message === undefined ? undefined : typeof message === "string" ? message : JSON.stringify(message);
    if (isWholeExpression(n.error)) {
      const raised = await evaluateExpressionField(n.error, frame.scope);
      const e = raised as Partial<ErrorInfo> | null;
      if (!e || typeof e !== "object" || typeof e.name !== "string") {
        throw new FlowError({ name: "ExpressionError", node, message: `\`error\` must give an error ({ name, message }, as $error is), not ${JSON.stringify(raised)}` });
      }
      // The caught error as it was: its node, status and response kept; a message replaces its own.
      throw new FlowError({ ...(e as ErrorInfo), name: e.name, node: typeof e.node === "string" ? e.node : node, message: text ?? (typeof e.message === "string" ? e.message : "") });
    }
    throw new FlowError({ name: n.error ?? "Failed", node, message: text ?? "" });
  },
};

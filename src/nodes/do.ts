// `do`: a journaled computation (`value`) or a registered action (`action` + `with`).
import type { DoNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { durableStep } from "../interpreter/durable.js";
import { renderTemplate, renderTemplateNow } from "../expressions/template.js";
import type { Frame } from "../interpreter/context.js";
import { compensationChildren, refOf, stepBindings } from "./shared.js";
import { FlowError } from "../interpreter/errors.js";
import { UnknownAction } from "../interpreter/effects.js";
import { actionFetch } from "../interpreter/outbound.js";

export const doNode: NodeKind<DoNode> = {
  kind: "do",
  durable: true,
  stepApi: "do",
  children: (n) => compensationChildren(n),
  expressions: (n) => [
    ...(n.value !== undefined ? [{ at: ["value"], value: n.value, mode: "template" as const, inStep: true }] : []),
    ...(n.with !== undefined ? [{ at: ["with"], value: n.with, mode: "template" as const, inStep: true }] : []),
  ],
  check(n, c) {
    const has = ["value", "action"].filter((k) => k in n);
    if (has.length !== 1) c.report("EXCLUSIVE_FIELDS", `A do node takes exactly one of \`value\` or \`action\`; this one has ${has.length === 0 ? "neither" : "both"}.`, has.length === 0 ? [] : ["action"], { key: true });
    if ("with" in n && !("action" in n)) c.report("EXCLUSIVE_FIELDS", "`with` gives an action its arguments; add `action:` or remove `with`.", ["with"], { key: true });
    if (n.action !== undefined && !c.knownActions.has(n.action)) {
      c.report("UNKNOWN_ACTION", `No action "${n.action}" is registered (known: ${[...c.knownActions].join(", ")}). Fix the name or register it in src/actions/index.ts.`, ["action"]);
    }
  },
  // Not async: the step's own promise is the node's (one promise and hop less a step).
  run(n, frame) {
    // A value answers without an async hop when its template needs no JSONata.
    return durableStep(frame, ({ name, attempt }) => (n.action === undefined ? renderTemplateNow(n.value, stepBindings(frame)) : runAction(n, n.action, frame, name, attempt)));
  },
};

async function runAction(n: DoNode, action: string, frame: Frame, name: string, attempt: number): Promise<unknown> {
  const args = n.with === undefined ? null : await renderTemplate(n.with, stepBindings(frame));
  const at = refOf(frame);
  const host = frame.state.host;
  try {
    return await frame.state.effects.action(at, action, args, { env: host.env, instanceId: frame.state.workflow.id, stepName: name, attempt, fetch: actionFetch(frame.state.effects, at, frame.state.allowPrivateHosts) });
  } catch (e) {
    if (e instanceof UnknownAction) throw new FlowError({ name: "ActionError", node: name, message: e.message });
    throw e;
  }
}

// The run loop: walks a pinned definition, node by node, from the top on every replay.
// Only step results are durable; everything else here must be deterministic.
import type { Node } from "../generated/workflow.js";
import type { Frame, Host, InstanceParams, RunState, StepLike } from "./context.js";
import type { Runner } from "../nodes/types.js";
import { kindOf, NODE_KINDS } from "../nodes/index.js";
import { evaluateExpressionField, renderTemplate, truthy, ExpressionFailure } from "../expressions/template.js";
import { FlowError, toFlowError } from "./errors.js";
import { stepName } from "./names.js";
import { runPendingCompensations } from "./compensation.js";

const runner: Runner = {
  steps: runSteps,
  child(frame, segments, ord, scope) {
    return { state: frame.state, path: [...frame.path, ...segments], order: [...frame.order, ord], scope: scope ?? frame.scope };
  },
  nodePath: (frame) => stepName(frame.path),
};

/** Runs a list of nodes in order; the result is the last executed node's result. */
export async function runSteps(steps: readonly Node[], frame: Frame): Promise<unknown> {
  let last: unknown = null;
  for (let i = 0; i < steps.length; i++) {
    const node = steps[i]!;
    const kind = kindOf(node)!;
    const mod = NODE_KINDS[kind];
    const name = (node as unknown as Record<string, string>)[kind]!;
    const nodeFrame = runner.child(frame, [name], i);
    const n = node as { if?: string | boolean; as?: string; compensate?: Node[] };
    let result: unknown;
    try {
      if (n.if !== undefined && !truthy(await evaluateExpressionField(n.if, frame.scope))) continue;
      result = await mod.run(node as never, nodeFrame, runner);
    } catch (e) {
      throw atNode(e, nodeFrame);
    }
    if (n.as) frame.scope[n.as] = result;
    if (mod.durable && n.compensate && !frame.state.compensating) {
      frame.state.compensations.push({ path: nodeFrame.path, order: nodeFrame.order, steps: n.compensate, scope: { ...frame.scope, result }, done: false });
    }
    last = result;
  }
  return last;
}

/** Expression failures outside steps become ExpressionError at the node's path; anything else passes. */
function atNode(e: unknown, frame: Frame): unknown {
  return e instanceof ExpressionFailure ? new FlowError({ name: "ExpressionError", message: e.message, node: stepName(frame.path) }) : e;
}

/** Step name used by a child instance to report its outcome; a leading "/" can never come from a node path. */
export const NOTIFY_PARENT_STEP = "/notify parent";

export async function runInstance(params: InstanceParams, instanceId: string, step: StepLike, host: Host): Promise<unknown> {
  const def = params.definition;
  const workflow = { id: instanceId, name: params.name, hash: params.hash };
  const state: RunState = { step, host, params, workflow, compensations: [], compensating: false };
  const root: Frame = { state, path: [], order: [], scope: { input: params.input ?? null, workflow } };
  try {
    await runSteps(def.steps as Node[], root);
    let output: unknown = null;
    try {
      if (def.output !== undefined) output = await renderTemplate(def.output, root.scope);
    } catch (e) {
      throw atNode(e, { ...root, path: ["output"] });
    }
    await notifyParent(state, { status: "complete", output });
    return output;
  } catch (e) {
    const fe = toFlowError(e, "");
    if (!fe) throw e;
    let final = fe;
    try {
      const done = await runPendingCompensations(root, runner);
      if (done.length > 0) {
        final = new FlowError({ ...fe.info, message: `${fe.info.message} (compensated: ${done.join(", ")})` });
      }
    } catch (ce) {
      const cfe = toFlowError(ce, "");
      if (!cfe) throw ce;
      final = new FlowError({ ...cfe.info, message: `${cfe.info.message}; original error: ${fe.info.name}: ${fe.info.message}` });
    }
    await notifyParent(state, { status: "errored", error: final.info });
    throw new Error(final.message);
  }
}

async function notifyParent(state: RunState, payload: unknown): Promise<void> {
  const parent = state.params.parent;
  const children = state.host.children;
  if (!parent || !children) return;
  await state.step.do(NOTIFY_PARENT_STEP, { retries: { limit: 10, delay: 1000, backoff: "exponential" }, timeout: 60_000 }, async () => {
    await children.notify(parent.id, parent.event, payload);
    return null;
  });
}

export { NODE_KINDS };

// The run loop: walks a pinned definition's model, node by node, from the top on every replay.
// Only step results are durable; everything else here must be deterministic.
import type { Frame, Host, RunnableParams, RunState, StepLike } from "./context.js";
import { setOwn } from "../core/own.js";
import { orderKey } from "./context.js";
import type { Runner } from "../nodes/types.js";
import type { ModelList, ModelNode } from "../model/model.js";
import { modelOf } from "../model/model.js";
import { stepOf } from "../model/steps.js";
import type { Effects } from "./effects.js";
import { engineEffects } from "./effects.js";
import { evaluateExpressionField, EXPRESSION_STEPS, renderTemplate, truthy, ExpressionFailure } from "../expressions/template.js";
import { FlowError, toFlowError } from "./errors.js";
import { runPendingCompensations } from "./compensation.js";
import { parseTarget, TERMINATE_SELF_STEP, TERMINATED } from "./terminate.js";
import type { TerminateTarget } from "./terminate.js";
import { terminatedError } from "./durable.js";
import { logEnd } from "./log.js";
import { trackedEffects } from "./races.js";
import { allowsPrivateHosts } from "./outbound.js";

const runner: Runner = {
  steps(list, frame, ord, opts) {
    return runList(list, {
      state: frame.state,
      node: frame.node,
      indices: opts?.index === undefined ? frame.indices : [...frame.indices, opts.index],
      order: { up: frame.order, ord },
      scope: opts?.scope ?? frame.scope,
    });
  },
};

/**
 * Runs a list of nodes in order in `frame` (its owner node, loop indices, order and scope);
 * the result is the last executed node's result.
 */
export async function runList(list: ModelList, frame: Frame): Promise<unknown> {
  const { state, indices, scope } = frame;
  const nodes = list.nodes;
  let last: unknown = null;
  for (let i = 0; i < nodes.length; i++) {
    const m = nodes[i]!;
    const nodeFrame: Frame = { state, node: m, indices, order: { up: frame.order, ord: i }, scope };
    let result: unknown;
    try {
      if (m.if !== undefined && !truthy(await evaluateExpressionField(m.if, scope))) continue;
      if (state.onNode !== undefined) state.onNode(m);
      result = await m.run(nodeFrame, runner);
    } catch (e) {
      throw atNode(e, nodeFrame);
    }
    if (m.as !== undefined) setOwn(scope, m.as, result);
    if (m.compensation && !state.compensating) {
      state.compensations.push({ node: m, list: m.compensation, indices, order: orderKey(nodeFrame.order), scope: { ...scope, result }, done: false });
    }
    last = result;
  }
  return last;
}

/** Expression failures outside steps become ExpressionError at the node's path; anything else passes. */
function atNode(e: unknown, frame: Frame): unknown {
  return e instanceof ExpressionFailure ? new FlowError({ name: e.errorName, message: e.message, node: stepOf(frame) }) : e;
}

/** Step name used by a child instance to report its outcome; a leading "/" can never come from a node path. */
export const NOTIFY_PARENT_STEP = "/notify parent";

export interface RunOptions {
  /** Wraps the engine's effects (a test runner's mocks, a history's recorder). */
  effects?: (base: Effects) => Effects;
  /** Told of every node the run reaches (a test runner's `ran` and coverage). */
  onNode?: (node: ModelNode) => void;
}

export async function runInstance(params: RunnableParams, instanceId: string, step: StepLike, host: Host, opts: RunOptions = {}): Promise<unknown> {
  const def = params.definition;
  const model = modelOf(def);
  const workflow = { id: instanceId, name: params.name, hash: params.hash };
  const base = engineEffects(step, host);
  const state: RunState = { effects: opts.effects ? opts.effects(base) : base, host, params, workflow, compensations: [], compensating: false, allowPrivateHosts: allowsPrivateHosts(host.env), logAttempts: host.env.FLOWDSL_LOG !== "off", ...(opts.onNode ? { onNode: opts.onNode } : {}) };
  if (model.hasRaces) state.effects = trackedEffects(state.effects, state);
  // Only a definition with compensations needs to know of a terminate-with-compensation.
  const target = model.hasCompensations && host.terminateRequest ? parseTarget(await host.terminateRequest()) : undefined;
  if (target) {
    state.terminate = target;
    state.effects = stopAt(state.effects, target, state);
  }
  // The definition's own fuel limit rides on the scope (and every copy of it) under a symbol.
  const scope = { input: params.input ?? null, workflow, [EXPRESSION_STEPS]: def.limits?.expressionSteps };
  // The root list has no owner node; its frame's node is never read for names.
  const root = { state, node: undefined as never, indices: [], order: undefined, scope } satisfies Frame;
  try {
    await runList(model.root, root);
    let output: unknown = null;
    try {
      if (def.output !== undefined) output = await renderTemplate(def.output, scope);
    } catch (e) {
      throw e instanceof ExpressionFailure ? new FlowError({ name: e.errorName, message: e.message, node: "output" }) : e;
    }
    await notifyParent(state, { status: "complete", output });
    logEnd(host.env, { instanceId, workflow: params.name, outcome: "complete" });
    return output;
  } catch (e) {
    const fe = toFlowError(e, "");
    if (!fe) throw e;
    let final = fe;
    try {
      const done = await runPendingCompensations(state);
      if (done.length > 0) {
        final = new FlowError({ ...fe.info, message: `${fe.info.message} (compensated: ${done.join(", ")})` });
      }
    } catch (ce) {
      const cfe = toFlowError(ce, "");
      if (!cfe) throw ce;
      final = new FlowError({ ...cfe.info, message: `${cfe.info.message}; original error: ${fe.info.name}: ${fe.info.message}` });
    }
    await notifyParent(state, { status: "errored", error: final.info });
    logEnd(host.env, { instanceId, workflow: params.name, outcome: "errored", error: final.info });
    if (fe.info.name === TERMINATED && state.terminate && host.terminateSelf) {
      const terminateSelf = host.terminateSelf;
      await state.effects.do(null, TERMINATE_SELF_STEP, { retries: { limit: 3, delay: 1000, backoff: "exponential" }, timeout: 60_000 }, async () => {
        await terminateSelf();
        return null;
      });
    }
    throw new Error(final.message);
  }
}

/** Raises Terminated when the run reaches the sleep or wait the instance was blocked in. */
function stopAt(inner: Effects, target: TerminateTarget, state: RunState): Effects {
  if (target.api === "next") return inner;
  const seen = new Map<string, number>();
  const reached = (api: string, name: string): boolean => {
    if (state.compensating || api !== target.api || name !== target.name) return false;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === target.count;
  };
  return {
    ...inner,
    sleep: (at, name, ms) => (reached("sleep", name) ? Promise.reject(terminatedError(name)) : inner.sleep(at, name, ms)),
    sleepUntil: (at, name, until) => (reached("sleep", name) ? Promise.reject(terminatedError(name)) : inner.sleepUntil(at, name, until)),
    waitForEvent: (at, name, o) => (reached("waitForEvent", name) ? Promise.reject(terminatedError(name)) : inner.waitForEvent(at, name, o)),
  };
}

async function notifyParent(state: RunState, payload: unknown): Promise<void> {
  const parent = state.params.parent;
  const children = state.host.children;
  if (!parent || !children) return;
  await state.effects.do(null, NOTIFY_PARENT_STEP, { retries: { limit: 10, delay: 1000, backoff: "exponential" }, timeout: 60_000 }, async () => {
    await children.notify(parent, parent.event, payload);
    return null;
  });
}

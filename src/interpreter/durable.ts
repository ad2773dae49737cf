// One durable step for a do/http/workflow node: Cloudflare config from the node and the
// definition's defaults, failures classified as retryable (thrown, Cloudflare retries) or
// final (journaled as an error envelope, raised outside the step, never re-run on replay).
import type { Frame, StepConfig } from "./context.js";
import type { Retries } from "../generated/workflow.js";
import { parseDuration } from "./duration.js";
import { stepName } from "./names.js";
import { ERROR_ENVELOPE_KEY, FlowError, encodeErrorMessage, isErrorEnvelope, toFlowError } from "./errors.js";
import { ExpressionFailure } from "../expressions/template.js";
import { ActionFailure } from "../actions/types.js";

/** Cloudflare's step output limit is 1 MiB; stay under it with room for the journal's framing. */
export const MAX_STEP_RESULT_BYTES = 1024 * 1024 - 1024;
/** UTF-8 takes at most 3 bytes per UTF-16 unit, so short results skip the encoding. */
export const isResultTooLarge = (json: string): boolean => json.length * 3 > MAX_STEP_RESULT_BYTES && new TextEncoder().encode(json).byteLength > MAX_STEP_RESULT_BYTES;

/** Cloudflare's defaults for a step (documented in SPEC §3). */
export const DEFAULT_RETRIES = { limit: 5, delay: 10_000, backoff: "exponential" } as const;
export const DEFAULT_STEP_TIMEOUT_MS = 10 * 60_000;

/** Step configs per node object: replays ask for them on every node, the answer never changes. */
const configs = new WeakMap<object, StepConfig>();

export function stepConfig(
  node: { retries?: Retries; timeout?: number | string },
  defaults: { retries?: Retries; timeout?: number | string } | undefined,
): StepConfig {
  let c = configs.get(node);
  if (!c) {
    c = computeStepConfig(node, defaults);
    configs.set(node, c);
  }
  return c;
}

function computeStepConfig(
  node: { retries?: Retries; timeout?: number | string },
  defaults: { retries?: Retries; timeout?: number | string } | undefined,
): StepConfig {
  const r = { ...DEFAULT_RETRIES, ...defaults?.retries, ...node.retries };
  const delay = parseDuration(r.delay) ?? DEFAULT_RETRIES.delay;
  const timeout = parseDuration(node.timeout ?? defaults?.timeout) ?? DEFAULT_STEP_TIMEOUT_MS;
  return { retries: { limit: r.limit, delay, backoff: r.backoff }, timeout };
}

function isDefaultConfig(c: StepConfig): boolean {
  const r = c.retries;
  return c.timeout === DEFAULT_STEP_TIMEOUT_MS && r !== undefined && r.limit === DEFAULT_RETRIES.limit && r.delay === DEFAULT_RETRIES.delay && r.backoff === DEFAULT_RETRIES.backoff;
}

export class RetryableFailure extends Error {
  constructor(readonly error: FlowError) {
    super(error.message);
  }
}

export interface StepBodyContext {
  name: string;
  attempt: number;
}

export async function durableStep(
  frame: Frame,
  node: { retries?: Retries; timeout?: number | string },
  body: (c: StepBodyContext) => Promise<unknown>,
): Promise<unknown> {
  const name = stepName(frame.path);
  const nodePath = name;
  const config = stepConfig(node, frame.state.params.definition.defaults);
  let attempts = 0;
  let out: unknown;
  try {
    const body_ = async (sctx?: { attempt?: number }): Promise<unknown> => {
      attempts++;
      const attempt = sctx?.attempt ?? attempts;
      try {
        const result = await body({ name, attempt });
        const json = JSON.stringify(result ?? null);
        if (isResultTooLarge(json)) {
          return envelope(new FlowError({ name: "OutputTooLarge", node: nodePath, message: `The result of "${name}" is ${json.length} bytes; a step result must stay under 1 MiB. Map it down with \`result\` (http) or a smaller \`value\`.` }));
        }
        return JSON.parse(json) as unknown;
      } catch (e) {
        if (e instanceof RetryableFailure) throw new Error(encodeErrorMessage(e.error.info));
        if (e instanceof ExpressionFailure) return envelope(new FlowError({ name: "ExpressionError", node: nodePath, message: e.message }));
        if (e instanceof FlowError) return envelope(e);
        if (e instanceof ActionFailure && !e.retryable) return envelope(new FlowError({ name: "ActionError", node: nodePath, message: e.message }));
        // Anything else (an action's exception, a binding's hiccup) is retried, as Cloudflare would.
        const message = e instanceof Error ? e.message : String(e);
        throw new Error(encodeErrorMessage({ name: "ActionError", node: nodePath, message }));
      }
    };
    // With Cloudflare's defaults, omit the config as hand-written code does: the engine then
    // neither receives nor validates it on every step.
    out = isDefaultConfig(config) ? await frame.state.step.do(name, body_) : await frame.state.step.do(name, config, body_);
  } catch (e) {
    const fe = toFlowError(e, nodePath);
    if (!fe) throw e;
    throw fe;
  }
  if (isErrorEnvelope(out)) throw new FlowError(out[ERROR_ENVELOPE_KEY]);
  return out;
}

function envelope(e: FlowError): unknown {
  return { [ERROR_ENVELOPE_KEY]: e.info };
}

// One durable step for a do/http/workflow node: Cloudflare config from the node and the
// definition's defaults, failures classified as retryable (thrown, Cloudflare retries) or
// final (journaled as an error envelope, raised outside the step, never re-run on replay).
import type { Frame } from "./context.js";
import { stepOf } from "../model/steps.js";
import { ERROR_ENVELOPE_KEY, FlowError, encodeErrorMessage, isErrorEnvelope, toFlowError } from "./errors.js";
import { ExpressionFailure } from "../expressions/template.js";
import { ActionFailure } from "../actions/types.js";
import { TERMINATED } from "./terminate.js";
import { logAttempt, retryDelayMs } from "./log.js";

/** Cloudflare's step output limit is 1 MiB; stay under it with room for the journal's framing. */
export const MAX_STEP_RESULT_BYTES = 1024 * 1024 - 1024;
/** UTF-8 takes at most 3 bytes per UTF-16 unit, so short results skip the encoding. */
export const isResultTooLarge = (json: string): boolean => json.length * 3 > MAX_STEP_RESULT_BYTES && new TextEncoder().encode(json).byteLength > MAX_STEP_RESULT_BYTES;

export class RetryableFailure extends Error {
  constructor(readonly error: FlowError) {
    super(error.message);
  }
}

export interface StepBodyContext {
  name: string;
  attempt: number;
}

/** Runs `body` (its result, or a promise of it) as the node's own durable step, with the node's config from the model. */
export async function durableStep(frame: Frame, body: (c: StepBodyContext) => unknown): Promise<unknown> {
  const name = stepOf(frame);
  const nodePath = name;
  const m = frame.node;
  let attempts = 0;
  let out: unknown;
  try {
    // With Cloudflare's defaults the config is omitted, as hand-written code does: the engine
    // then neither receives nor validates it on every step. The body is an inline function on
    // purpose: bundlers that keep names (wrangler does) wrap every named closure in a call.
    out = await frame.state.effects.do({ node: m, indices: frame.indices }, name, m.configIsDefault ? undefined : m.config, async (sctx?: { attempt?: number }): Promise<unknown> => {
      attempts++;
      const attempt = sctx?.attempt ?? attempts;
      // Termination requested while the instance was busy: stop at the first new step.
      if (frame.state.terminate?.api === "next" && !frame.state.compensating) return envelope(terminatedError(nodePath));
      const t0 = Date.now();
      let result: unknown;
      try {
        // A body may answer at once (a template without JSONata): no await, no extra hop.
        let r = body({ name, attempt });
        if (r instanceof Promise) r = await r;
        result = plainResult(r, name);
      } catch (e) {
        try {
          result = classify(e, nodePath);
        } catch (retry) {
          logOutcome(frame, name, attempt, t0, "retry", reasonOf(retry));
          throw retry;
        }
      }
      if (isErrorEnvelope(result)) logOutcome(frame, name, attempt, t0, "failed", result[ERROR_ENVELOPE_KEY].message);
      else logOutcome(frame, name, attempt, t0, "ok");
      return result;
    });
  } catch (e) {
    const fe = toFlowError(e, nodePath);
    if (!fe) throw e;
    throw fe;
  }
  if (isErrorEnvelope(out)) throw new FlowError(out[ERROR_ENVELOPE_KEY]);
  return out;
}

/**
 * The result as the journal will hold it (plain JSON), or an envelope when it is too large.
 * Most results are plain JSON already (templates render to plain values, http bodies are
 * parsed JSON): a walk that allocates nothing proves it and bounds the size, and the result
 * goes out as it is. Anything else (an action's Date, a -0, an `undefined` field, a result
 * near the limit) takes the JSON round trip, which under the engine cost ~0.03 ms a step.
 */
function plainResult(result: unknown, name: string): unknown {
  const v = result ?? null;
  if (plainJsonBound(v, 0) <= MAX_STEP_RESULT_BYTES) return v;
  const json = JSON.stringify(v);
  if (isResultTooLarge(json)) {
    return envelope(new FlowError({ name: "OutputTooLarge", node: name, message: `The result of "${name}" is ${json.length} bytes; a step result must stay under 1 MiB. Map it down with \`result\` (http) or a smaller \`value\`.` }));
  }
  return JSON.parse(json) as unknown;
}

/** Deeper than this, the walk leaves the value to JSON (which also reports cycles). */
export const MAX_PLAIN_WALK_DEPTH = 64;
/** Bytes a value can take at most as JSON: a double's longest form, a character's longest escape. */
const MAX_NUMBER_JSON = 24;
const MAX_CHAR_JSON = 6;

/**
 * An upper bound on `v`'s JSON size in UTF-8 bytes when a JSON round trip would give back an
 * equal value, else Infinity: only null, booleans, strings, finite numbers (not -0), and plain
 * arrays (no holes, no extra properties) and objects (Object's prototype, no `undefined` or
 * function fields) of those.
 */
export function plainJsonBound(v: unknown, depth: number): number {
  switch (typeof v) {
    case "string":
      return v.length * MAX_CHAR_JSON + 2;
    case "number":
      return Number.isFinite(v) && !Object.is(v, -0) ? MAX_NUMBER_JSON : Infinity;
    case "boolean":
      return 5;
    case "object":
      break;
    default:
      return Infinity;
  }
  if (v === null) return 4;
  if (depth >= MAX_PLAIN_WALK_DEPTH) return Infinity;
  let size = 2;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype || Object.keys(v).length !== v.length) return Infinity;
    for (let i = 0; i < v.length; i++) {
      size += plainJsonBound(v[i], depth + 1) + 1;
      if (size > MAX_STEP_RESULT_BYTES) return Infinity;
    }
    return size;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return Infinity;
  for (const k in v) {
    size += k.length * MAX_CHAR_JSON + 4 + plainJsonBound((v as Record<string, unknown>)[k], depth + 1);
    if (size > MAX_STEP_RESULT_BYTES) return Infinity;
  }
  return size;
}

/** A failure inside the step: thrown to be retried, or journaled as an error envelope. */
function classify(e: unknown, nodePath: string): unknown {
  if (e instanceof RetryableFailure) throw new Error(encodeErrorMessage(e.error.info));
  if (e instanceof ExpressionFailure) return envelope(new FlowError({ name: e.errorName, node: nodePath, message: e.message }));
  if (e instanceof FlowError) return envelope(e);
  if (e instanceof ActionFailure && !e.retryable) return envelope(new FlowError({ name: "ActionError", node: nodePath, message: e.message }));
  // Anything else (an action's exception, a binding's hiccup) is retried, as Cloudflare would.
  const message = e instanceof Error ? e.message : String(e);
  throw new Error(encodeErrorMessage({ name: "ActionError", node: nodePath, message }));
}

export function terminatedError(node: string): FlowError {
  return new FlowError({ name: TERMINATED, node, message: "terminated on request" });
}

/** One log line for an attempt (a function, not a closure made per attempt on the hot path). */
function logOutcome(frame: Frame, step: string, attempt: number, t0: number, outcome: "ok" | "retry" | "failed", error?: string): void {
  if (!frame.state.logAttempts) return;
  const env = frame.state.host.env;
  const m = frame.node;
  logAttempt(env, { instanceId: frame.state.workflow.id, node: m.id, step, attempt, durationMs: Date.now() - t0, outcome, ...(error !== undefined ? { error } : {}), ...(outcome === "retry" ? { retryInMs: retryDelayMs(m.config, attempt) } : {}) });
}

/** A failure in a few words for the log: the message without flowdsl's marker. */
function reasonOf(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const at = message.indexOf(" ⟦flowdsl ");
  return (at >= 0 ? message.slice(0, at) : message).replace(/^.*? (answered \d+)$/, "$1");
}

function envelope(e: FlowError): unknown {
  return { [ERROR_ENVELOPE_KEY]: e.info };
}

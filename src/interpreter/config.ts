// A durable node's Cloudflare step config: the node's `retries`/`timeout` over the definition's
// `defaults` over Cloudflare's own defaults. Computed once per node by the model.
import type { Retries } from "../generated/workflow.js";
import type { StepConfig } from "./context.js";
import { parseDuration } from "./duration.js";

/** Cloudflare's defaults for a step (docs/reference.md, "Retries"). */
export const DEFAULT_RETRIES = { limit: 5, delay: 10_000, backoff: "exponential" } as const;
export const DEFAULT_STEP_TIMEOUT_MS = 10 * 60_000;

type Durable = { retries?: Retries; timeout?: number | string; sensitive?: boolean };

export function stepConfig(node: Durable, defaults: Omit<Durable, "sensitive"> | undefined): StepConfig {
  const r = { ...DEFAULT_RETRIES, ...defaults?.retries, ...node.retries };
  const delay = parseDuration(r.delay) ?? DEFAULT_RETRIES.delay;
  const timeout = parseDuration(node.timeout ?? defaults?.timeout) ?? DEFAULT_STEP_TIMEOUT_MS;
  const maxDelay = parseDuration(r.maxDelay);
  // The engine redacts a sensitive step's output in its API, dashboard and event history.
  const sensitive = node.sensitive === true ? { sensitive: "output" as const } : {};
  if (maxDelay === undefined) return { retries: { limit: r.limit, delay, backoff: r.backoff }, timeout, ...sensitive };
  // A cap needs the engine's delay function: it gets the attempt and answers the whole delay,
  // so the engine is told "constant" (it would apply its backoff to the answer again).
  const backoff = r.backoff ?? "exponential";
  const capped = (input: { ctx: { attempt: number } }): number => Math.min(backoffDelay(delay, backoff, input.ctx.attempt), maxDelay);
  return { retries: { limit: r.limit, delay: capped, backoff: "constant" }, timeout, ...sensitive };
}

/** The delay before the retry that follows attempt n, as the engine computes it. */
export function backoffDelay(delay: number, backoff: "constant" | "linear" | "exponential", attempt: number): number {
  return backoff === "constant" ? delay : backoff === "linear" ? delay * attempt : delay * 2 ** (attempt - 1);
}

/** With Cloudflare's defaults the config is omitted, as hand-written code does. */
export function isDefaultStepConfig(c: StepConfig): boolean {
  const r = c.retries;
  return c.sensitive === undefined && c.timeout === DEFAULT_STEP_TIMEOUT_MS && r !== undefined && r.limit === DEFAULT_RETRIES.limit && r.delay === DEFAULT_RETRIES.delay && r.backoff === DEFAULT_RETRIES.backoff;
}

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
  // The engine redacts a sensitive step's output in its API, dashboard and event history.
  return { retries: { limit: r.limit, delay, backoff: r.backoff }, timeout, ...(node.sensitive === true ? { sensitive: "output" as const } : {}) };
}

/** With Cloudflare's defaults the config is omitted, as hand-written code does. */
export function isDefaultStepConfig(c: StepConfig): boolean {
  const r = c.retries;
  return c.sensitive === undefined && c.timeout === DEFAULT_STEP_TIMEOUT_MS && r !== undefined && r.limit === DEFAULT_RETRIES.limit && r.delay === DEFAULT_RETRIES.delay && r.backoff === DEFAULT_RETRIES.backoff;
}

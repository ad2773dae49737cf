// One line per step attempt (docs/language.md, "Logs"). Deployed Workers get structured JSON
// (instanceId, node, step, attempt, durationMs, outcome), which Workers Logs can query; under
// `npm start` (the var FLOWDSL_LOG=pretty) a calm sentence instead:
// `create invoice: attempt 1 failed (answered 503), retrying in 10 s`. FLOWDSL_LOG=errors logs
// only retries, failures and ends; off is quiet. A line per step is not free: on the local
// engine, JSON lines for every attempt made case (a) of the bench 1.6× the hand-written
// workflow (BENCHMARKS.md), so a busy deployment may want `errors`.
import type { StepConfig } from "./context.js";
import { backoffDelay } from "./config.js";

export type Outcome = "ok" | "retry" | "failed";

export interface AttemptLog {
  instanceId: string;
  node: string;
  step: string;
  attempt: number;
  durationMs: number;
  outcome: Outcome;
  error?: string;
  /** Before the next attempt, when there is one. */
  retryInMs?: number;
}

/** The engine's delay before attempt n+1 (Cloudflare's backoff rules). */
export function retryDelayMs(config: StepConfig | undefined, attempt: number): number | undefined {
  const r = config?.retries ?? { limit: 5, delay: 10_000, backoff: "exponential" as const };
  if (attempt > r.limit) return undefined;
  if (typeof r.delay === "function") return r.delay({ ctx: { attempt } });
  return backoffDelay(r.delay, r.backoff ?? "exponential", attempt);
}

const seconds = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);

export function logAttempt(env: Record<string, unknown>, a: AttemptLog): void {
  if (env.FLOWDSL_LOG === "off" || (env.FLOWDSL_LOG === "errors" && a.outcome === "ok")) return;
  if (env.FLOWDSL_LOG === "pretty") {
    const what = a.outcome === "ok" ? `done in ${seconds(a.durationMs)}` : `failed (${a.error ?? "error"})`;
    const next = a.outcome === "retry" ? (a.retryInMs !== undefined ? `, retrying in ${seconds(a.retryInMs)}` : ", no attempts left") : a.outcome === "failed" ? ", not retried" : "";
    console.log(`${a.step}: attempt ${a.attempt} ${what}${next}`);
    return;
  }
  console.log(JSON.stringify({ level: a.outcome === "ok" ? "info" : "warn", message: "step attempt", ...a }));
}

/** How an instance ended, once, in the same style. */
export function logEnd(env: Record<string, unknown>, e: { instanceId: string; workflow: string; outcome: "complete" | "errored"; error?: { name: string; message: string; node: string } }): void {
  if (env.FLOWDSL_LOG === "off") return;
  if (env.FLOWDSL_LOG === "pretty") {
    console.log(e.outcome === "complete" ? `${e.workflow} ${e.instanceId}: complete` : `${e.workflow} ${e.instanceId}: errored at ${e.error?.node || "the top"}: ${e.error?.name}: ${e.error?.message}`);
    return;
  }
  console.log(JSON.stringify({ level: e.outcome === "complete" ? "info" : "error", message: "instance ended", ...e }));
}

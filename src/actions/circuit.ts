// `circuit.call` — an HTTP call through a circuit breaker whose state lives in KV, so it is
// shared by every instance (state across instances belongs in code, not in one definition).
// After `threshold` failures in a row the circuit opens for `resetAfter` seconds: calls then
// fail at once with "circuit open", sparing the struggling service; one success closes it.
import type { Action } from "./types.js";
import { ActionFailure } from "./types.js";
import { binding, object, optionalNumber, string } from "./args.js";

export const DEFAULT_THRESHOLD = 5;
export const DEFAULT_RESET_SECONDS = 60;

interface State {
  failures: number;
  openedAt: number | null;
}

export const circuitCall: Action = async (args, ctx) => {
  const a = object(args, "circuit.call");
  const kv = binding<KVNamespace>(ctx.env, a, "KV", "get", "circuit.call");
  const service = string(a, "service", "circuit.call");
  const url = string(a, "url", "circuit.call");
  const threshold = optionalNumber(a, "threshold", "circuit.call") ?? DEFAULT_THRESHOLD;
  const resetMs = (optionalNumber(a, "resetAfter", "circuit.call") ?? DEFAULT_RESET_SECONDS) * 1000;
  const key = `circuit:${service}`;
  const state = ((await kv.get(key, "json")) as State | null) ?? { failures: 0, openedAt: null };
  if (state.openedAt !== null && Date.now() - state.openedAt < resetMs) {
    throw new ActionFailure(`circuit.call: circuit open for ${service} since ${new Date(state.openedAt).toISOString()}; not calling it`);
  }
  let res: Response | undefined;
  try {
    res = await ctx.fetch(url, { method: typeof a.method === "string" ? a.method : "GET", headers: { "content-type": "application/json" }, body: a.body === undefined ? undefined : JSON.stringify(a.body) });
  } catch (e) {
    // A refused URL is the definition's mistake, not the service's: no breaker bookkeeping.
    if (e instanceof ActionFailure) throw new ActionFailure(`circuit.call: ${e.message}`);
    res = undefined;
  }
  if (res && res.ok) {
    if (state.failures > 0 || state.openedAt !== null) await kv.delete(key);
    const text = await res.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  const failures = state.failures + 1;
  await kv.put(key, JSON.stringify({ failures, openedAt: failures >= threshold ? Date.now() : null } satisfies State));
  // Retryable: Cloudflare retries the step, and the breaker decides whether the retry calls out.
  throw new Error(`circuit.call: ${service} failed (${res ? res.status : "network error"}), ${failures} in a row`);
};

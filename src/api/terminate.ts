// Terminating with compensation, the API's half (the interpreter's: src/interpreter/terminate.ts).
import type { Env } from "../env.js";
import type { TerminateTarget } from "../interpreter/terminate.js";
import type { InstanceRecord } from "./registry.js";
import { requestTermination } from "./registry.js";

/** How long the history may stay silent before it counts as read to its end. */
const HISTORY_IDLE_MS = 300;
const PAUSE_WAIT_MS = 10_000;
const BLOCKING = ["sleep_started", "sleep_completed", "wait_started", "wait_completed", "wait_timed_out"] as const;

/**
 * The sleep or event wait the instance is blocked in, from the engine's event history: the
 * last one started and not finished, with how many times that name was started. Otherwise
 * the instance is busy, and it stops at its next new step.
 */
export async function blockingPoint(handle: WorkflowInstance): Promise<TerminateTarget> {
  const open = new Map<string, { api: "sleep" | "waitForEvent"; name: string; count: number }>();
  const sub = await handle.subscribe({ filter: [...BLOCKING] });
  try {
    for (;;) {
      const next = await Promise.race([sub.next(), new Promise<"idle">((r) => setTimeout(() => r("idle"), HISTORY_IDLE_MS))]);
      if (next === "idle" || next.done) break;
      const e = next.value;
      if (!("stepName" in e)) continue;
      const api = e.type.startsWith("sleep") ? "sleep" : "waitForEvent";
      // The engine names a step's n-th call `<name>-<n>`.
      const m = /^(.*)-(\d+)$/.exec(e.stepName);
      const name = m ? m[1]! : e.stepName;
      const count = m ? Number(m[2]) : 1;
      const key = `${api}:${name}#${count}`;
      if (e.type === "sleep_started" || e.type === "wait_started") open.set(key, { api, name, count });
      else open.delete(key);
    }
  } finally {
    sub[Symbol.dispose]();
  }
  const last = [...open.values()].pop();
  return last ?? { api: "next" };
}

/**
 * Records where the instance stops and makes the engine replay it (pause, then resume); the
 * replay raises Terminated there, runs the compensations, and ends the instance.
 */
export async function terminateWithCompensation(env: Env, record: InstanceRecord, handle: WorkflowInstance, status: string): Promise<TerminateTarget> {
  const target = await blockingPoint(handle);
  await requestTermination(env.DB, record.id, JSON.stringify(target));
  if (status !== "paused" && status !== "waitingForPause") {
    await handle.pause();
    const deadline = Date.now() + PAUSE_WAIT_MS;
    while ((await handle.status()).status !== "paused" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
  await handle.resume();
  return target;
}

// Local runs survive restarts and reloads. wrangler's local Workflows engine does not resume
// an instance that was sleeping or waiting when the dev server stopped or reloaded: it stays
// "running" forever. Pausing and resuming it makes the engine replay it: overdue sleeps and
// timeouts fire, finished steps come from the journal. Cloudflare's deployed engine recovers
// instances by itself, so this runs only where FLOWDSL_LOCAL_RECOVERY is "true" (npm start).
import type { Env } from "../env.js";
import { markFinished, unfinishedInstances } from "./registry.js";

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(["complete", "errored", "terminated"]);
/** Statuses an instance can be stranded in; a user's "paused" is left alone. */
const STRANDABLE: ReadonlySet<string> = new Set(["running", "waiting"]);
/** How many unfinished instances one sweep looks at (newest first). */
export const MAX_RECOVER = 500;
const PAUSE_WAIT_MS = 10_000;
const CONCURRENCY = 8;

export const isLocalRecoveryEnabled = (env: Env): boolean => env.FLOWDSL_LOCAL_RECOVERY === "true";

export interface RecoveryReport {
  checked: number;
  woken: string[];
  finished: number;
  failed: Array<{ id: string; error: string }>;
}

export async function recoverInstances(env: Env): Promise<RecoveryReport> {
  const records = await unfinishedInstances(env.DB, MAX_RECOVER);
  const report: RecoveryReport = { checked: records.length, woken: [], finished: 0, failed: [] };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const { id } = records[next++]!;
      try {
        const handle = await env.FLOW.get(id);
        const { status } = await handle.status();
        if (TERMINAL_STATUSES.has(status)) {
          await markFinished(env.DB, id);
          report.finished++;
        } else if (STRANDABLE.has(status)) {
          await wake(handle);
          report.woken.push(id);
        }
      } catch (e) {
        report.failed.push({ id, error: e instanceof Error ? e.message : String(e) });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (report.woken.length > 0) console.log(JSON.stringify({ level: "info", message: "flowdsl woke instances after a restart", woken: report.woken }));
  return report;
}

async function wake(handle: WorkflowInstance): Promise<void> {
  await handle.pause();
  const deadline = Date.now() + PAUSE_WAIT_MS;
  for (;;) {
    const { status } = await handle.status();
    if (status === "paused") break;
    if (TERMINAL_STATUSES.has(status)) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await handle.resume();
}

// Local runs survive restarts and reloads. wrangler's local Workflows engine does not resume
// an instance that was sleeping or waiting when the dev server stopped or reloaded: it stays
// "running" forever; and one created just before a stop can stay "queued" forever. Pausing and
// resuming a stranded running instance makes the engine replay it (overdue sleeps and timeouts
// fire, finished steps come from the journal); a stranded queued one is restarted. Cloudflare's
// deployed engine recovers instances by itself, so this runs only where FLOWDSL_LOCAL_RECOVERY
// is "true" (npm start).
//
// Every row not yet seen finished is visited, page by page (newest first), however many
// finished ones sit ahead of it; rows found finished are marked so the next sweep skips them.
import type { Env } from "../env.js";
import type { Cursor, InstanceRecord } from "./registry.js";
import { deleteRecord, isStarting, markManyFinished, markStarted, unfinishedPage } from "./registry.js";
import { exists, forgetIfDead, workflowOf } from "./instances.js";

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(["complete", "errored", "terminated"]);
/** Statuses an instance can be stranded in; a user's "paused" is left alone. */
const STRANDABLE: ReadonlySet<string> = new Set(["running", "waiting"]);
/** Rows per page of a sweep. */
export const RECOVERY_PAGE = 500;
const PAUSE_WAIT_MS = 10_000;
/** A queued instance still queued after this long was stranded: the engine never started it. */
export const QUEUED_GRACE_MS = 3_000;
const CONCURRENCY = 8;

export const isLocalRecoveryEnabled = (env: Env): boolean => env.FLOWDSL_LOCAL_RECOVERY === "true";

export interface RecoveryReport {
  checked: number;
  woken: string[];
  restarted: string[];
  finished: number;
  /** Rows whose start never happened, removed. */
  removed: number;
  failed: Array<{ id: string; error: string }>;
}

export async function recoverInstances(env: Env): Promise<RecoveryReport> {
  const report: RecoveryReport = { checked: 0, woken: [], restarted: [], finished: 0, removed: 0, failed: [] };
  let cursor: Cursor;
  for (;;) {
    const page = await unfinishedPage(env.DB, RECOVERY_PAGE, cursor);
    if (page.length === 0) break;
    const last = page[page.length - 1]!;
    cursor = { created: last.created, id: last.id };
    report.checked += page.length;
    const finished: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < page.length) {
        const r = page[next++]!;
        try {
          await visit(env, r, report, finished);
        } catch (e) {
          report.failed.push({ id: r.id, error: e instanceof Error ? e.message : String(e) });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await markManyFinished(env.DB, finished);
    if (page.length < RECOVERY_PAGE) break;
  }
  if (report.woken.length + report.restarted.length > 0) console.log(JSON.stringify({ level: "info", message: "flowdsl woke instances after a restart", woken: report.woken, restarted: report.restarted }));
  return report;
}

/**
 * When this isolate began. Under npm start one process serves every request, so a row written
 * before it began belongs to a start that the restart or reload cut short: none is under way.
 */
const ISOLATE_STARTED = Date.now();

async function visit(env: Env, r: InstanceRecord, report: RecoveryReport, finished: string[]): Promise<void> {
  const w = workflowOf(env, r.binding);
  if (!(await exists(w, r.id))) {
    if (isStarting(r) && r.created < ISOLATE_STARTED) {
      await deleteRecord(env.DB, r.id);
      report.removed++;
    } else if (await forgetIfDead(env, r)) report.removed++;
    return; // else a start still under way
  }
  if (isStarting(r)) await markStarted(env.DB, [r.id]);
  const handle = await w.get(r.id);
  const { status } = await handle.status();
  if (TERMINAL_STATUSES.has(status)) {
    finished.push(r.id);
    report.finished++;
  } else if (STRANDABLE.has(status)) {
    await wake(handle);
    report.woken.push(r.id);
  } else if (status === "queued") {
    await new Promise((res) => setTimeout(res, QUEUED_GRACE_MS));
    if ((await handle.status()).status !== "queued") return;
    await handle.restart();
    report.restarted.push(r.id);
  }
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

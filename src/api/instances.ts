// Starting and finding instances, keeping the registry and the engine in step: no instance
// without a row (the row is durable before the create), a row without an instance only until
// someone looks, and an Idempotency-Key spent only by a start that happened (docs/reference.md,
// "Starts never strand an instance").
import type { Env } from "../env.js";
import type { InstanceParams } from "../interpreter/context.js";
import type { BuiltDefinition } from "../definition/built.js";
import { DEFINITIONS } from "../generated/definitions.js";
import { ApiError } from "./errors.js";
import { own } from "../core/own.js";
import type { InstanceRecord, NewRow } from "./registry.js";
import { deleteRecord, deleteRecords, getInstance, isAbandoned, isStarting, markStarted, recordMany, recordStartRow } from "./registry.js";

/** Cloudflare's limit for one createBatch. */
export const MAX_BATCH = 100;
/** Seconds a client should wait after the engine refused a create for rate. */
export const RETRY_AFTER_SECONDS = 1;

/** The workflow binding of a definition or an instance; a missing one is a deployment mistake. */
export function workflowOf(env: Env, binding: string): Workflow<InstanceParams> {
  const w = own(env as unknown as Record<string, unknown>, binding) as Workflow<InstanceParams> | undefined;
  if (!w || typeof (w as { create?: unknown }).create !== "function") {
    throw new ApiError(500, "CONFIG_STALE", `This Worker has no workflow binding ${binding}. Deploy with \`npm run deploy\` (or \`npm run build\` before wrangler), which writes one workflow per definition into wrangler.generated.jsonc.`);
  }
  return w;
}

export function definitionOr404(name: string): BuiltDefinition {
  const d = own(DEFINITIONS, name);
  if (!d) throw new ApiError(404, "WORKFLOW_NOT_FOUND", `No definition is named "${name}". See GET /workflows.`);
  return d;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
export const isAlreadyExists = (e: unknown): boolean => /already.?exists/i.test(messageOf(e));
export const isNotFound = (e: unknown): boolean => /not.?found/i.test(messageOf(e));
export const isRateLimited = (e: unknown): boolean => /rate.?limit|too many|\b429\b/i.test(messageOf(e));

/** An engine refusal as the API answers it: 429 for rate, 400 for params it cannot store. */
export function createError(e: unknown): ApiError {
  const message = messageOf(e);
  if (isRateLimited(e)) return new ApiError(429, "RATE_LIMITED", `Cloudflare refused the start for rate (${message}). Retry after ${RETRY_AFTER_SECONDS} s.`, undefined, { "retry-after": String(RETRY_AFTER_SECONDS) });
  if (/serializ|clone|too large|exceeds|payload/i.test(message)) return new ApiError(400, "INVALID_PARAMS", `The engine cannot store these params: ${message}.`);
  return new ApiError(503, "ENGINE_UNAVAILABLE", `The workflow engine did not start the instance: ${message}. Nothing was started; retry.`);
}

/** Instance id for an idempotent start: derived from the definition name and the key. */
export async function idempotentId(name: string, key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${name}\u0000${key}`));
  return `${name}-${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 32)}`;
}

/** Params pin the definition by name and hash; the registry keeps the definition (src/definition/pinned.ts). */
export function paramsOf(d: BuiltDefinition, input: unknown): InstanceParams {
  return { name: d.name, hash: d.hash, input };
}
const pinOf = (d: BuiltDefinition) => ({ name: d.name, hash: d.hash, definition: d.definition });

/** Does the engine have this instance? */
export async function exists(w: Workflow<InstanceParams>, id: string): Promise<boolean> {
  try {
    await (await w.get(id)).status();
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/**
 * A row whose instance the engine does not have: a start that died between its row and its
 * create (or an instance whose retention ended). Removed once no start can still be under way.
 */
export async function forgetIfDead(env: Env, r: InstanceRecord): Promise<boolean> {
  if (!isAbandoned(r, Date.now())) return false;
  await deleteRecord(env.DB, r.id);
  return true;
}

/** The registry row of an instance, or null. */
export async function findInstance(env: Env, id: string): Promise<InstanceRecord | null> {
  return getInstance(env.DB, id);
}

/** Work a start may leave to finish after its answer (the Worker's `ctx.waitUntil`); awaited when absent. */
export type Defer = (work: Promise<unknown>) => void;
const awaitIt = async (work: Promise<unknown>): Promise<void> => void (await work);

/** Marks rows started without failing the start: a row left "starting" is settled by its next reader. */
function markStartedLater(env: Env, ids: string[], defer: Defer | undefined): Promise<void> {
  const work = markStarted(env.DB, ids).catch((e: unknown) => console.error(JSON.stringify({ level: "warn", message: "registry rows stay starting until read", ids: ids.length, error: messageOf(e) })));
  if (!defer) return awaitIt(work);
  defer(work);
  return Promise.resolve();
}

/**
 * Starts one instance. The registry row is durable (state "starting") before the engine's
 * create is called, and marked "started" after it answers; a failed create removes the row
 * again. So a crash at any moment leaves no engine instance without a row, and at most a
 * "starting" row that its next reader settles. With a key, the id derives from it: a start
 * that happened answers `created: false`; one that died half way is completed now.
 */
export async function startInstance(env: Env, name: string, input: unknown, idempotencyKey?: string, parent: string | null = null, defer?: Defer): Promise<{ id: string; created: boolean }> {
  const d = definitionOr404(name);
  const w = workflowOf(env, d.binding);
  const id = idempotencyKey === undefined ? crypto.randomUUID() : await idempotentId(name, idempotencyKey);
  const row = { id, name, hash: d.hash, created: Date.now(), parent, binding: d.binding };
  if (idempotencyKey !== undefined) {
    const existing = await getInstance(env.DB, id);
    if (existing && (await exists(w, id))) {
      if (isStarting(existing)) await markStartedLater(env, [id], defer);
      return { id, created: false };
    }
    // No row, or a row whose create never happened: the start goes on from here.
  }
  try {
    await recordStartRow(env.DB, row, pinOf(d));
  } catch (e) {
    throw new ApiError(503, "ENGINE_UNAVAILABLE", `The instance registry (D1) did not answer: ${messageOf(e)}. Nothing was started; retry.`);
  }
  try {
    await w.create({ id, params: paramsOf(d, input) });
  } catch (e) {
    if (isAlreadyExists(e)) {
      await markStartedLater(env, [id], defer);
      return { id, created: false };
    }
    await undoRow(env, w, row);
    throw createError(e);
  }
  await markStartedLater(env, [id], defer);
  return { id, created: true };
}

/** After a failed create: remove the row, unless a concurrent start of the same id made the instance. */
async function undoRow(env: Env, w: Workflow<InstanceParams>, row: NewRow): Promise<void> {
  try {
    if (await exists(w, row.id)) return;
  } catch {
    // The engine cannot say: leave the row; a later read or recovery removes it if dead.
    return;
  }
  await deleteRecord(env.DB, row.id);
}

/**
 * A row read back, settled against the engine: a "starting" row whose instance exists is
 * completed; one whose instance does not is removed once no start can still be under way.
 */
export async function settleRow(env: Env, r: InstanceRecord, engineHasIt: boolean): Promise<void> {
  if (engineHasIt) {
    if (isStarting(r)) await markStarted(env.DB, [r.id]);
    return;
  }
  await forgetIfDead(env, r);
}

export interface BatchItem {
  input: unknown;
  key?: string;
}

/**
 * Starts up to MAX_BATCH instances with the engine's createBatch, in one registry round trip
 * before and after. Items whose key already started answer `created: false`.
 */
export async function startBatch(env: Env, name: string, items: BatchItem[], defer?: Defer): Promise<Array<{ id: string; created: boolean }>> {
  const d = definitionOr404(name);
  const w = workflowOf(env, d.binding);
  const now = Date.now();
  const ids = await Promise.all(items.map((it) => (it.key === undefined ? crypto.randomUUID() : idempotentId(name, it.key))));
  const done = new Map<string, boolean>();
  for (const [i, it] of items.entries()) if (it.key !== undefined && (await getInstance(env.DB, ids[i]!)) && (await exists(w, ids[i]!))) done.set(ids[i]!, false);
  const todo = [...new Set(ids.filter((id) => !done.has(id)))];
  const rows = todo.map((id) => ({ id, name, hash: d.hash, created: now, parent: null, binding: d.binding }));
  // The rows first, durable as "starting": the engine never holds an instance the registry lacks.
  try {
    await recordMany(env.DB, rows, pinOf(d));
  } catch (e) {
    throw new ApiError(503, "ENGINE_UNAVAILABLE", `The instance registry (D1) did not answer: ${messageOf(e)}. Nothing was started; retry.`);
  }
  const byId = new Map(ids.map((id, i) => [id, items[i]!]));
  let result: WorkflowBatchCreateResult = { created: [], errors: [] };
  try {
    if (todo.length > 0) result = await w.createBatch({ instances: todo.map((id) => ({ id, params: paramsOf(d, byId.get(id)!.input) })) });
  } catch (e) {
    for (const r of rows) await undoRow(env, w, r);
    throw createError(e);
  }
  const created = new Set(result.created.map((h) => h.id));
  const existed = new Set(result.errors.filter((e) => isAlreadyExists(e.message) && e.id !== undefined).map((e) => e.id!));
  const failed = result.errors.filter((e) => !existed.has(e.id ?? ""));
  if (failed.length > 0) {
    await deleteRecords(env.DB, rows.filter((r) => !created.has(r.id) && !existed.has(r.id)).map((r) => r.id));
    await markStartedLater(env, [...created, ...existed], defer);
    const first = failed[0]!;
    throw createError(new Error(`${first.message} (item ${first.index}, code ${first.code}); ${created.size} of ${todo.length} started`));
  }
  await markStartedLater(env, todo, defer);
  for (const id of todo) done.set(id, created.has(id));
  // An id twice in one batch (the same key twice) started once: the first item says so.
  const seen = new Set<string>();
  return ids.map((id) => {
    const first = !seen.has(id);
    seen.add(id);
    return { id, created: first && (done.get(id) ?? false) };
  });
}

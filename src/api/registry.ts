// The instance registry: which definition, hash and workflow binding each instance started
// with. Cloudflare's status() returns no params, so the API keeps this itself, in D1 (strongly
// consistent, ordered listing; on miniflare it persists under .wrangler/ beside the engine's
// state).
//
// A start writes its row durably, state "starting", before it calls the engine's create, and
// marks it "started" after; so a crash at any moment leaves no instance without a row. A
// "starting" row is settled by whoever finds it later (a read of that id, a retried start,
// local recovery): completed when the engine has the instance, removed when it does not and no
// start can still be under way.
import { LEGACY_BINDING } from "../definition/entries.js";

/** "starting" until the engine's create has answered; rows of earlier flowdsl versions say "pending" or "created". */
export type RowState = "starting" | "started" | "pending" | "created";
/** A row whose create may not have happened: the engine decides. */
export const isStarting = (r: Pick<InstanceRecord, "state">): boolean => r.state === "starting";

export interface InstanceRecord {
  id: string;
  name: string;
  hash: string;
  created: number;
  parent: string | null;
  /** The workflow binding the instance runs on (FLOW for instances from before per-definition workflows). */
  binding: string;
  state: RowState;
}

/** A row without an instance older than this belongs to a start that died: no create can still be under way. */
export const START_GRACE_MS = 60_000;
export const isAbandoned = (r: InstanceRecord, now: number): boolean => now - r.created > START_GRACE_MS;

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS flowdsl_instances (id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL, created INTEGER NOT NULL, parent TEXT, finished INTEGER NOT NULL DEFAULT 0, binding TEXT, state TEXT NOT NULL DEFAULT 'created', terminate_at TEXT)",
  "CREATE INDEX IF NOT EXISTS flowdsl_instances_by_name ON flowdsl_instances (name, created DESC)",
  "CREATE INDEX IF NOT EXISTS flowdsl_instances_unfinished ON flowdsl_instances (finished, created DESC, id)",
  // Every version of a definition an instance started with, by hash (docs/reference.md, Versions).
  "CREATE TABLE IF NOT EXISTS flowdsl_definitions (hash TEXT PRIMARY KEY, name TEXT NOT NULL, definition TEXT NOT NULL, created INTEGER NOT NULL)",
  // Callback tokens already delivered (docs/reference.md, "Callbacks"): each delivers once.
  "CREATE TABLE IF NOT EXISTS flowdsl_callbacks (token TEXT PRIMARY KEY, instance TEXT NOT NULL, expires INTEGER NOT NULL)",
];
/** Columns later flowdsl versions added; adding one fails harmlessly when it is there. */
const ADDED_COLUMNS = ["finished INTEGER NOT NULL DEFAULT 0", "binding TEXT", "state TEXT NOT NULL DEFAULT 'created'", "terminate_at TEXT"];
const ready = new WeakMap<D1Database, Promise<unknown>>();

/** Creates or upgrades the table once per isolate and database (no migration step to forget). */
function ensure(db: D1Database): Promise<unknown> {
  let p = ready.get(db);
  if (!p) {
    p = db
      .batch([db.prepare(SCHEMA[0]!)])
      .then(() => Promise.all(ADDED_COLUMNS.map((c) => db.prepare(`ALTER TABLE flowdsl_instances ADD COLUMN ${c}`).run().catch(() => undefined))))
      .then(() => db.batch(SCHEMA.slice(1).map((s) => db.prepare(s))))
      .catch((e: unknown) => {
        ready.delete(db);
        throw e;
      });
    ready.set(db, p);
  }
  return p;
}

const COLUMNS = "id, name, hash, created, parent, COALESCE(binding, ?) AS binding, state";

/** A row as a start writes it: always "starting" (see the top of this file). */
export type NewRow = Omit<InstanceRecord, "state">;

/** A definition to keep with the row: the version the instance runs, stored once per hash. */
export interface Pinned {
  name: string;
  hash: string;
  definition: unknown;
}

/** Hashes this isolate has stored already, per database: later starts send no definition. */
const storedHashes = new WeakMap<D1Database, Set<string>>();
function definitionInsert(db: D1Database, pin: Pinned | undefined, now: number): D1PreparedStatement[] {
  if (!pin || storedHashes.get(db)?.has(pin.hash)) return [];
  return [db.prepare("INSERT OR IGNORE INTO flowdsl_definitions (hash, name, definition, created) VALUES (?, ?, ?, ?)").bind(pin.hash, pin.name, JSON.stringify(pin.definition), now)];
}
function markStored(db: D1Database, pin: Pinned | undefined): void {
  if (!pin) return;
  let s = storedHashes.get(db);
  if (!s) {
    s = new Set();
    storedHashes.set(db, s);
  }
  s.add(pin.hash);
}

/** D1 binds at most 100 parameters to one statement. */
export const MAX_BOUND_PARAMETERS = 100;
const ROW_COLUMNS = ["id", "name", "hash", "created", "parent", "binding", "state"] as const;
/** Rows one INSERT carries: as many as the parameter limit allows. */
export const MAX_ROWS_PER_INSERT = Math.floor(MAX_BOUND_PARAMETERS / ROW_COLUMNS.length);
const ROW_PLACEHOLDERS = `(${ROW_COLUMNS.map(() => "?").join(", ")})`;
/** The INSERT of `n` rows, made once per count (D1 prepares by text). */
const insertTexts: string[] = [];
/**
 * A row already there is kept, but a "starting" one gets the new start's time: a retried key
 * goes on with a start that died, and no reader may take that row for abandoned meanwhile.
 */
const insertOf = (n: number): string =>
  (insertTexts[n] ??= `INSERT INTO flowdsl_instances (${ROW_COLUMNS.join(", ")}) VALUES ${Array.from({ length: n }, () => ROW_PLACEHOLDERS).join(", ")} ON CONFLICT (id) DO UPDATE SET created = excluded.created WHERE flowdsl_instances.state = 'starting'`);

/**
 * The rows as few INSERTs as the parameter limit allows: a group of starts is one statement,
 * not one each (the local D1 runs two more queries and a prepare for every statement).
 */
function rowInserts(db: D1Database, rows: Array<NewRow>): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += MAX_ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + MAX_ROWS_PER_INSERT);
    out.push(db.prepare(insertOf(chunk.length)).bind(...chunk.flatMap((r) => [r.id, r.name, r.hash, r.created, r.parent, r.binding, "starting"])));
  }
  return out;
}

/**
 * Rows, and each pinned definition this isolate has not stored yet, in one round trip: a single
 * statement runs alone, more go in one batch (one transaction).
 */
async function writeRows(db: D1Database, rows: Array<NewRow>, pins: Pinned[]): Promise<void> {
  await ensure(db);
  const unique = [...new Map(pins.map((p) => [p.hash, p])).values()];
  const created = rows[0]!.created;
  const statements = [...unique.flatMap((pin) => definitionInsert(db, pin, created)), ...rowInserts(db, rows)];
  if (statements.length === 1) await statements[0]!.run();
  else await db.batch(statements);
  for (const pin of unique) markStored(db, pin);
}

/**
 * The row of an instance being started (written at the same time as the engine's create), and
 * the definition it runs the first time this isolate sees its hash (one round trip either way).
 */
export async function recordRow(db: D1Database, r: NewRow, pin?: Pinned): Promise<void> {
  await writeRows(db, [r], pin ? [pin] : []);
}

/** How long a start waits for the write its row joined before writing the row alone (the request leading that write may have been cancelled). */
export const GROUP_WAIT_MS = 2_000;

interface Joined {
  row: NewRow;
  pin: Pinned | undefined;
  /** Set by the write the row went in with: written; "alone" (a write of several failed: try the row by itself); or the error of its own write. */
  outcome?: "written" | "alone" | { error: unknown };
  wake?: () => void;
}
interface Group {
  /** When the write under way began (0: none): past GROUP_WAIT_MS another start may lead. */
  since: number;
  queue: Joined[];
  waiting: Set<Joined>;
}
const groups = new WeakMap<D1Database, Group>();

/**
 * The row of a start made through the API, written together with the rows of the other starts
 * this isolate is making at the same moment (group commit): while one write is under way, rows
 * queue, and the first start to see it finish writes all of them in one round trip. Without
 * concurrent starts this is one INSERT, as recordRow. Each start's own request does the write
 * it leads, so no request does I/O for another; a start whose group write failed writes its row
 * alone (one bad row never fails the others), and one left waiting (its leader's request was
 * cancelled) writes alone after GROUP_WAIT_MS. A second write of a row is harmless (see insertOf).
 */
export async function recordStartRow(db: D1Database, row: NewRow, pin?: Pinned): Promise<void> {
  let g = groups.get(db);
  if (!g) {
    g = { since: 0, queue: [], waiting: new Set() };
    groups.set(db, g);
  }
  const me: Joined = { row, pin };
  g.queue.push(me);
  g.waiting.add(me);
  const deadline = Date.now() + GROUP_WAIT_MS;
  try {
    for (;;) {
      if (me.outcome === "written") return;
      if (me.outcome === "alone") return await recordRow(db, row, pin);
      if (me.outcome !== undefined) throw me.outcome.error;
      // Only a row still queued leads: one already in a write (perhaps a stalled one) waits for
      // it, up to its deadline.
      const queued = g.queue.includes(me);
      if (queued && (g.since === 0 || Date.now() - g.since > GROUP_WAIT_MS)) {
        await leadWrite(db, g);
        continue;
      }
      if (Date.now() >= deadline) {
        if (queued) g.queue = g.queue.filter((j) => j !== me);
        return await recordRow(db, row, pin);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        me.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      me.wake = undefined;
    }
  } finally {
    g.waiting.delete(me);
  }
}

/** Writes every queued row (and each new definition once) in one batch, then wakes the waiting starts. */
async function leadWrite(db: D1Database, g: Group): Promise<void> {
  const batch = g.queue;
  g.queue = [];
  const started = Date.now();
  g.since = started;
  let outcome: Joined["outcome"] = "written";
  try {
    await writeRows(db, batch.map((j) => j.row), batch.flatMap((j) => (j.pin ? [j.pin] : [])));
  } catch (error) {
    outcome = batch.length > 1 ? "alone" : { error };
  }
  for (const j of batch) j.outcome = outcome;
  // A leader that took over from a stalled one must not clear the newer write's mark.
  if (g.since === started) g.since = 0;
  for (const j of g.waiting) j.wake?.();
}

/** The engine has these instances: their rows are complete. Rows of older versions are left as they are. */
export async function markStarted(db: D1Database, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await ensure(db);
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < ids.length; i += MAX_BOUND_PARAMETERS) {
    const chunk = ids.slice(i, i + MAX_BOUND_PARAMETERS);
    statements.push(db.prepare(`UPDATE flowdsl_instances SET state = 'started' WHERE state = 'starting' AND id IN (${chunk.map(() => "?").join(", ")})`).bind(...chunk));
  }
  if (statements.length === 1) await statements[0]!.run();
  else await db.batch(statements);
}

/** Rows for many instances at once (createBatch), in one round trip. */
export async function recordMany(db: D1Database, rows: Array<NewRow>, pin?: Pinned): Promise<void> {
  if (rows.length === 0) return;
  await writeRows(db, rows, pin ? [pin] : []);
}

/** Stored versions, parsed once per isolate (a definition never changes under its hash). */
const storedDefinitions = new Map<string, unknown>();
export async function storedDefinition(db: D1Database, hash: string): Promise<unknown> {
  if (storedDefinitions.has(hash)) return storedDefinitions.get(hash);
  await ensure(db);
  const row = await db.prepare("SELECT definition FROM flowdsl_definitions WHERE hash = ?").bind(hash).first<{ definition: string }>();
  if (!row) return undefined;
  const def = JSON.parse(row.definition) as unknown;
  storedDefinitions.set(hash, def);
  return def;
}

/**
 * Marks a callback token delivered; false when it was already (a repeat delivers nothing).
 * Rows of expired tokens go in the same round trip: an expired token is refused before this.
 */
export async function consumeCallback(db: D1Database, token: string, instance: string, expiresMs: number, now: number): Promise<boolean> {
  await ensure(db);
  const [inserted] = await db.batch([
    db.prepare("INSERT OR IGNORE INTO flowdsl_callbacks (token, instance, expires) VALUES (?, ?, ?)").bind(token, instance, expiresMs),
    db.prepare("DELETE FROM flowdsl_callbacks WHERE expires < ?").bind(now),
  ]);
  return (inserted?.meta.changes ?? 0) > 0;
}

/** Undoes consumeCallback when the delivery itself failed, so the sender's retry can deliver. */
export async function releaseCallback(db: D1Database, token: string): Promise<void> {
  await ensure(db);
  await db.prepare("DELETE FROM flowdsl_callbacks WHERE token = ?").bind(token).run();
}

export async function deleteRecord(db: D1Database, id: string): Promise<void> {
  await ensure(db);
  await db.prepare("DELETE FROM flowdsl_instances WHERE id = ?").bind(id).run();
}

export async function deleteRecords(db: D1Database, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await ensure(db);
  await db.batch(ids.map((id) => db.prepare("DELETE FROM flowdsl_instances WHERE id = ?").bind(id)));
}

export async function getInstance(db: D1Database, id: string): Promise<InstanceRecord | null> {
  await ensure(db);
  return db.prepare(`SELECT ${COLUMNS} FROM flowdsl_instances WHERE id = ?`).bind(LEGACY_BINDING, id).first<InstanceRecord>();
}

export const MAX_LIST = 100;
export async function listInstances(db: D1Database, name: string, limit = MAX_LIST): Promise<InstanceRecord[]> {
  await ensure(db);
  const r = await db.prepare(`SELECT ${COLUMNS} FROM flowdsl_instances WHERE name = ? ORDER BY created DESC, id DESC LIMIT ?`).bind(LEGACY_BINDING, name, limit).all<InstanceRecord>();
  return r.results;
}

/** Where a walk over the unfinished rows stopped: the last row's (created, id). */
export type Cursor = { created: number; id: string } | undefined;

/** One page of the rows not yet seen in a terminal status, newest first, after `cursor`. */
export async function unfinishedPage(db: D1Database, limit: number, cursor: Cursor): Promise<InstanceRecord[]> {
  await ensure(db);
  const r = cursor
    ? await db.prepare(`SELECT ${COLUMNS} FROM flowdsl_instances WHERE finished = 0 AND (created < ? OR (created = ? AND id < ?)) ORDER BY created DESC, id DESC LIMIT ?`).bind(LEGACY_BINDING, cursor.created, cursor.created, cursor.id, limit).all<InstanceRecord>()
    : await db.prepare(`SELECT ${COLUMNS} FROM flowdsl_instances WHERE finished = 0 ORDER BY created DESC, id DESC LIMIT ?`).bind(LEGACY_BINDING, limit).all<InstanceRecord>();
  return r.results;
}

export async function markFinished(db: D1Database, id: string): Promise<void> {
  await ensure(db);
  await db.prepare("UPDATE flowdsl_instances SET finished = 1 WHERE id = ?").bind(id).run();
}

export async function markManyFinished(db: D1Database, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await ensure(db);
  await db.batch(ids.map((id) => db.prepare("UPDATE flowdsl_instances SET finished = 1 WHERE id = ?").bind(id)));
}

/** Where a terminate-with-compensation asked the instance to stop (src/api/terminate.ts). */
export async function requestTermination(db: D1Database, id: string, at: string): Promise<void> {
  await ensure(db);
  await db.prepare("UPDATE flowdsl_instances SET terminate_at = ? WHERE id = ?").bind(at, id).run();
}

export async function terminationRequest(db: D1Database, id: string): Promise<string | null> {
  await ensure(db);
  const r = await db.prepare("SELECT terminate_at FROM flowdsl_instances WHERE id = ?").bind(id).first<{ terminate_at: string | null }>();
  return r?.terminate_at ?? null;
}

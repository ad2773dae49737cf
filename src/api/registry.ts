// The instance registry: which definition and hash each instance started with. Cloudflare's
// status() returns no params, so the API keeps this itself, in D1 (strongly consistent,
// ordered listing; on miniflare it persists under .wrangler/ beside the engine's state).

export interface InstanceRecord {
  id: string;
  name: string;
  hash: string;
  created: number;
  parent: string | null;
}

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS flowdsl_instances (id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL, created INTEGER NOT NULL, parent TEXT, finished INTEGER NOT NULL DEFAULT 0)",
  "CREATE INDEX IF NOT EXISTS flowdsl_instances_by_name ON flowdsl_instances (name, created DESC)",
  "CREATE INDEX IF NOT EXISTS flowdsl_instances_unfinished ON flowdsl_instances (finished, created DESC)",
];
const ready = new WeakMap<D1Database, Promise<unknown>>();

/** Creates the table once per isolate and database (no migration step to forget). */
function ensure(db: D1Database): Promise<unknown> {
  let p = ready.get(db);
  if (!p) {
    // A registry made by an earlier flowdsl lacks `finished`; adding it fails harmlessly when present.
    const addFinished = db.prepare("ALTER TABLE flowdsl_instances ADD COLUMN finished INTEGER NOT NULL DEFAULT 0").run().catch(() => undefined);
    p = db.batch([db.prepare(SCHEMA[0]!)]).then(() => addFinished).then(() => db.batch(SCHEMA.slice(1).map((s) => db.prepare(s)))).catch((e: unknown) => {
      ready.delete(db);
      throw e;
    });
    ready.set(db, p);
  }
  return p;
}

export async function recordInstance(db: D1Database, r: InstanceRecord): Promise<void> {
  await ensure(db);
  await db.prepare("INSERT OR IGNORE INTO flowdsl_instances (id, name, hash, created, parent) VALUES (?, ?, ?, ?, ?)").bind(r.id, r.name, r.hash, r.created, r.parent).run();
}

export async function getInstance(db: D1Database, id: string): Promise<InstanceRecord | null> {
  await ensure(db);
  return db.prepare("SELECT id, name, hash, created, parent FROM flowdsl_instances WHERE id = ?").bind(id).first<InstanceRecord>();
}

export const MAX_LIST = 100;
export async function listInstances(db: D1Database, name: string, limit = MAX_LIST): Promise<InstanceRecord[]> {
  await ensure(db);
  const r = await db.prepare("SELECT id, name, hash, created, parent FROM flowdsl_instances WHERE name = ? ORDER BY created DESC, id DESC LIMIT ?").bind(name, limit).all<InstanceRecord>();
  return r.results;
}

/** Instances not yet seen in a terminal status, newest first. */
export async function unfinishedInstances(db: D1Database, limit: number): Promise<InstanceRecord[]> {
  await ensure(db);
  const r = await db.prepare("SELECT id, name, hash, created, parent FROM flowdsl_instances WHERE finished = 0 ORDER BY created DESC LIMIT ?").bind(limit).all<InstanceRecord>();
  return r.results;
}

export async function markFinished(db: D1Database, id: string): Promise<void> {
  await ensure(db);
  await db.prepare("UPDATE flowdsl_instances SET finished = 1 WHERE id = ?").bind(id).run();
}

// `d1.query` — one SQL statement with bound params, or a batch (default binding DB).
// Result: { rows, changes } for one statement; a list of those for `batch`.
import type { Action } from "./types.js";
import { ActionFailure } from "./types.js";
import { binding, object, string } from "./args.js";
import type { Args } from "./args.js";

function statement(db: D1Database, s: Args, where: string): D1PreparedStatement {
  const sql = string(s, "sql", where);
  const params = s.params ?? [];
  if (!Array.isArray(params)) throw new ActionFailure(`${where}: \`params\` must be a list`);
  return db.prepare(sql).bind(...params.map((p) => (p !== null && typeof p === "object" ? JSON.stringify(p) : p)));
}

const shape = (r: D1Result): { rows: unknown[]; changes: number } => ({ rows: r.results ?? [], changes: r.meta?.changes ?? 0 });

export const d1Query: Action = async (args, ctx) => {
  const a = object(args, "d1.query");
  const db = binding<D1Database>(ctx.env, a, "DB", "prepare", "d1.query");
  if (Array.isArray(a.batch)) {
    const stmts = a.batch.map((s, i) => statement(db, object(s, `d1.query batch[${i}]`), `d1.query batch[${i}]`));
    return (await db.batch(stmts)).map(shape);
  }
  return shape(await statement(db, a, "d1.query").all());
};

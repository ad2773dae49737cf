// The registry's group commit on the real local D1: concurrent starts share one write, a row D1
// refuses fails only its own start, and starts queued behind a write that never ends still get
// their rows.
import { describe, expect, it } from "vitest";
import { getInstance, GROUP_WAIT_MS, MAX_ROWS_PER_INSERT, recordMany, recordStartRow } from "../../src/api/registry.js";
import { testEnv, uniqueId } from "./helpers.js";

/** The real D1 database, counting the round trips made through it (and able to stall the next one). */
function counted(db: D1Database): { db: D1Database; trips: () => number; statements: () => number; reset: () => void; stallNext: (after?: number) => void } {
  let trips = 0;
  let statements = 0;
  let stallAt = -1;
  const trip = <T>(go: () => Promise<T>): Promise<T> => {
    trips++;
    if (trips === stallAt) return new Promise<T>(() => undefined); // a leader whose request was cancelled mid-write
    return go();
  };
  const raw = new WeakMap<object, D1PreparedStatement>();
  const wrap = (st: D1PreparedStatement): D1PreparedStatement => {
    const p = new Proxy(st, {
      get(target, key) {
        if (key === "bind") return (...args: unknown[]) => wrap(target.bind(...args));
        if (key === "run") return () => ((statements += 1), trip(() => target.run()));
        const v = Reflect.get(target, key) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    raw.set(p, st);
    return p;
  };
  const proxy = new Proxy(db, {
    get(target, key) {
      if (key === "prepare") return (sql: string) => wrap(target.prepare(sql));
      if (key === "batch") return (sts: D1PreparedStatement[]) => ((statements += sts.length), trip(() => target.batch(sts.map((s) => raw.get(s) ?? s))));
      const v = Reflect.get(target, key) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { db: proxy, trips: () => trips, statements: () => statements, reset: () => ((trips = 0), (statements = 0)), stallNext: (after = 0) => (stallAt = trips + after + 1) };
}

const rowOf = (id: string) => ({ id, name: "hello", hash: "h1", created: Date.now(), parent: null as string | null, binding: "FLOW_HELLO" });
/** A row D1 cannot take: an object where a column wants text. */
const badRow = (id: string) => ({ ...rowOf(id), parent: { not: "text" } as unknown as string });

describe("the registry's group commit", () => {
  it("writes the rows of concurrent starts in fewer round trips than starts, every row kept", async () => {
    const c = counted(testEnv.DB);
    await recordStartRow(c.db, rowOf(uniqueId("warm")));
    c.reset();
    const ids = Array.from({ length: 12 }, () => uniqueId("g"));
    await Promise.all(ids.map((id) => recordStartRow(c.db, rowOf(id))));
    for (const id of ids) expect((await getInstance(testEnv.DB, id))?.id).toBe(id);
    expect(c.trips()).toBeGreaterThanOrEqual(1);
    expect(c.trips()).toBeLessThanOrEqual(2);
  });

  it.for([1, MAX_ROWS_PER_INSERT, MAX_ROWS_PER_INSERT + 1, 100])("%i rows go in one round trip of as few INSERTs as D1's parameter limit allows, every row kept", async (n) => {
    const c = counted(testEnv.DB);
    await recordStartRow(c.db, rowOf(uniqueId("warm")));
    c.reset();
    const ids = Array.from({ length: n }, () => uniqueId("many"));
    await recordMany(c.db, ids.map(rowOf));
    expect(c.trips()).toBe(1);
    expect(c.statements()).toBe(Math.ceil(n / MAX_ROWS_PER_INSERT));
    for (const id of ids) expect((await getInstance(testEnv.DB, id))?.id).toBe(id);
  });

  it("a row D1 refuses fails its own start only; the others of its group are written", async () => {
    const c = counted(testEnv.DB);
    const good = Array.from({ length: 5 }, () => uniqueId("ok"));
    const bad = uniqueId("bad");
    const results = await Promise.allSettled([...good.map((id) => recordStartRow(c.db, rowOf(id))), recordStartRow(c.db, badRow(bad))]);
    expect(results.map((r) => r.status)).toEqual([...good.map(() => "fulfilled"), "rejected"]);
    for (const id of good) expect((await getInstance(testEnv.DB, id))?.id).toBe(id);
    expect(await getInstance(testEnv.DB, bad)).toBeNull();
  });

  it("a lone start's failed write reports D1's error", async () => {
    await expect(recordStartRow(testEnv.DB, badRow(uniqueId("lone")))).rejects.toThrow(/type/i);
  });

  it("starts queued behind a write that never ends write their rows themselves after GROUP_WAIT_MS", async () => {
    const c = counted(testEnv.DB);
    await recordStartRow(c.db, rowOf(uniqueId("warm")));
    c.stallNext();
    void recordStartRow(c.db, rowOf(uniqueId("stuck"))); // leads, and its write never returns
    const ids = [uniqueId("after"), uniqueId("after")];
    const t0 = Date.now();
    await Promise.all(ids.map((id) => recordStartRow(c.db, rowOf(id))));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(GROUP_WAIT_MS - 50);
    for (const id of ids) expect((await getInstance(testEnv.DB, id))?.id).toBe(id);
  });

  it("a start whose row went into a write that never ends writes it alone after GROUP_WAIT_MS", async () => {
    const c = counted(testEnv.DB);
    await recordStartRow(c.db, rowOf(uniqueId("warm")));
    c.stallNext(1); // the first write goes through, the one after it never returns
    const first = recordStartRow(c.db, rowOf(uniqueId("first")));
    void recordStartRow(c.db, rowOf(uniqueId("leads"))); // queued: leads the stalled write
    const member = uniqueId("member");
    const t0 = Date.now();
    await Promise.all([first, recordStartRow(c.db, rowOf(member))]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(GROUP_WAIT_MS - 50);
    expect((await getInstance(testEnv.DB, member))?.id).toBe(member);
  });
});

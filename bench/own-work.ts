// Each kind's own work in the workerd isolate for the engine cases, alone (the rows "each kind's
// own work" of `npm run bench`, without the engine pairs): quick to run after a change to the
// interpreter's hot path. `npx tsx bench/own-work.ts [blocks] [a|b|c ...]` prints, per case, the
// median per-instance time of the interpreted and hand-written kinds over alternating blocks.
import { withBenchDev } from "./engine.js";
import { benchParams } from "./definitions.js";
import { median } from "./stats.js";

const blocks = Number(process.argv[2] ?? 11);
const keys = process.argv.slice(3).length ? process.argv.slice(3) : ["a", "b", "c"];
const items = Array.from({ length: 500 }, (_, i) => i);
const base = "http://127.0.0.1:9/bench";
const CASES: Record<string, { interp: unknown; hand: unknown; perBlock: number }> = {
  a: { interp: benchParams("bench-seq", {}), hand: { count: 50 }, perBlock: 200 },
  b: { interp: benchParams("bench-foreach", { items }), hand: { items }, perBlock: 20 },
  c: { interp: benchParams("bench-http", { base }), hand: { base, count: 50 }, perBlock: 50 },
};

await withBenchDev("flowdsl-own-", async (url) => {
  for (const key of keys) {
    const c = CASES[key];
    if (!c) throw new Error(`case ${key}: one of ${Object.keys(CASES).join(", ")}`);
    const block = async (kind: "interp" | "hand"): Promise<number> => {
      const res = await fetch(`${url}/bench/own?case=${key}&kind=${kind}&n=${c.perBlock}`, { method: "POST", body: JSON.stringify(kind === "interp" ? c.interp : c.hand) });
      return ((await res.json()) as { ms: number }).ms;
    };
    await block("interp");
    await block("hand");
    const got = { interp: [] as number[], hand: [] as number[] };
    for (let r = 0; r < blocks; r++) for (const kind of r % 2 ? (["hand", "interp"] as const) : (["interp", "hand"] as const)) got[kind].push(await block(kind));
    const i = median(got.interp);
    const h = median(got.hand);
    console.log(`(${key}) interpreted ${i.toFixed(3)} ms, hand-written ${h.toFixed(3)} ms per instance: +${(i - h).toFixed(3)} ms`);
  }
});

// (5) Starts: instances started through flowdsl's API (`POST /workflows/hello`: input
// validation, registry rows before and after, the engine's create) against the definition's
// binding `create` called directly in the same Worker, both over HTTP from Node with the same
// concurrency; rounds alternate which goes first. Batch starts per second
// (`POST /workflows/hello/batch`, 100 a request, the engine's createBatch).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { medianInterval, withBenchDev } from "./engine.js";
import { median, type Row } from "./stats.js";

const root = new URL("..", import.meta.url).pathname;
const TOKEN = "bench";
const PER_ROUND = 150;
const CONCURRENCY = 20;
const BATCH_ROUNDS = 7;
/** Instances one engine takes before it runs out of file descriptors (it keeps every instance's database open), with room. */
const MAX_STARTS_PER_ENGINE = 5400;
/** Engines the start rounds are shared among, at least. */
const MIN_ENGINES = 2;
/** The pause before each timed round: past the hello instances' 2 s sleep, to their wait for an event. */
const SETTLE_MS = Number(process.env.BENCH_START_SETTLE_MS ?? 3000);

export async function benchStarts(rounds: number): Promise<Row[]> {
  // The generated config (npm run build), with the bench Worker as its main.
  const generated = parseJsonc(readFileSync(join(root, "wrangler.generated.jsonc"), "utf8")) as Record<string, unknown>;
  const config = join(root, "bench/wrangler.starts.json");
  writeFileSync(config, JSON.stringify({ ...generated, name: "flowdsl-bench-starts", main: "api-worker.ts", build: undefined, triggers: undefined }, null, 2));
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  // Two engines, one after the other: the local engine keeps every instance's database open,
  // and past some 6,000 instances a process runs out of file descriptors (creates then fail
  // with "internal error"; 20,000 here). Batches and the history on the first, the start rounds
  // (11 rounds of three paths, 150 each: 5,400 instances with the warm-up) on the second.
  const { batch, historyMs, events } = await withDev(config, async (url) => {
    const batch: number[] = [];
    for (let r = 0; r < BATCH_ROUNDS; r++) {
      const t0 = performance.now();
      const res = await fetch(`${url}/workflows/hello/batch`, { method: "POST", headers, body: JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ name: `b${i}` }))) });
      if (res.status !== 201) throw new Error(`batch: ${res.status} ${await res.text()}`);
      batch.push(100_000 / (performance.now() - t0));
    }
    // The history of a 1,000-step instance, as the server reports its own time (Server-Timing).
    const { id: longId } = (await (await fetch(`${url}/bench/long/1000`, { method: "POST" })).json()) as { id: string };
    for (let i = 0; ; i++) {
      const s = (await (await fetch(`${url}/instances/${longId}`, { headers })).json()) as { status: string };
      if (s.status === "complete") break;
      if (i > 600) throw new Error(`the 1,000-step instance is ${s.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const historyMs: number[] = [];
    let events = 0;
    for (let r = 0; r < BATCH_ROUNDS; r++) {
      const res = await fetch(`${url}/instances/${longId}/history`, { headers });
      events = ((await res.json()) as { events: unknown[] }).events.length;
      historyMs.push(Number(/dur=(\d+)/.exec(res.headers.get("server-timing") ?? "")?.[1] ?? NaN));
    }
    return { batch, historyMs, events };
  });
  // Three paths in turns (the order rotating): the API; create with an id of the caller's, as
  // the API must pass one to write its registry row together with the create (the engine then
  // checks the id is new); create without one, as hand-written code usually does.
  const paths = { api: "/workflows/hello", "direct-id": "/bench/direct-id/hello", direct: "/bench/direct/hello", grouped: "/bench/direct-grouped/hello", nodb: "/bench/api-nodb/hello" } as const;
  type PathKey = keyof typeof paths;
  // Experiments, printed only: BENCH_STARTS_GROUPED=1 adds creates grouped into createBatch,
  // BENCH_STARTS_NODB=1 the API with a D1 that answers at once.
  const keys = (Object.keys(paths) as PathKey[]).filter((k) => (k !== "grouped" || process.env.BENCH_STARTS_GROUPED) && (k !== "nodb" || process.env.BENCH_STARTS_NODB));
  const rates: Record<PathKey, number[]> = { api: [], "direct-id": [], direct: [], grouped: [], nodb: [] };
  const running: Record<PathKey, number[]> = { api: [], "direct-id": [], direct: [], grouped: [], nodb: [] };
  // The rounds are shared among engines (each one's rounds and warm-up within its instance
  // limit); each engine settles at its own speed, so more than one also covers that.
  const perEngine = Math.floor(MAX_STARTS_PER_ENGINE / (PER_ROUND * keys.length)) - 1;
  const engines = Math.max(MIN_ENGINES, Math.ceil(rounds / perEngine));
  let own: Record<string, number[]> = {};
  for (let e = 0; e < engines; e++) {
    const mine = Math.round((rounds * (e + 1)) / engines) - Math.round((rounds * e) / engines);
    own = await withDev(config, async (url) => {
      // A round: PER_ROUND starts, CONCURRENCY at a time. `answered`: starts a second as the
      // client sees them (from the first request to the last answer); `running`: as the engine
      // carries them out (to the moment the last of the round's instances had completed its
      // first step, on the engine's clock), read once the round is over.
      const startMany = async (path: string, timed: boolean): Promise<{ answered: number; running: number }> => {
        let next = 0;
        const ids: string[] = [];
        const since = Date.now();
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next < PER_ROUND) {
              const n = next++;
              const r = await fetch(url + path, { method: "POST", headers, body: JSON.stringify({ name: `n${n}` }) });
              if (r.status !== 201) throw new Error(`${path}: ${r.status} ${await r.text()}`);
              ids.push(((await r.json()) as { id: string }).id);
            }
          }),
        );
        const answered = (PER_ROUND * 1000) / (performance.now() - t0);
        if (!timed) return { answered, running: NaN };
        const res = await fetch(`${url}/bench/running/hello`, { method: "POST", body: JSON.stringify(ids) });
        if (!res.ok) throw new Error(`running: ${res.status} ${await res.text()}`);
        const { at } = (await res.json()) as { at: number };
        return { answered, running: (PER_ROUND * 1000) / (at - since) };
      };
      for (const k of keys) await startMany(paths[k], false); // warm every path
      for (let r = 0; r < mine; r++) {
        for (let j = 0; j < keys.length; j++) {
          const k = keys[(r + j) % keys.length]!;
          // The instances a round started go on working (the engine initialises them after the
          // create has answered, then they run a step and sleep 2 s): let that end before the
          // next round, so no path is timed while it carries another path's instances.
          await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
          const round = await startMany(paths[k], true);
          rates[k].push(round.answered);
          running[k].push(round.running);
        }
      }
      // Each path's own work in the isolate (bench/api-worker.ts), alternating, medians of 5, on the last engine.
      const own: Record<string, number[]> = { api: [], "api-no-registry": [], direct: [] };
      if (e < engines - 1) return own;
      for (let r = 0; r < 5; r++) {
        for (const k of r % 2 ? ["direct", "api-no-registry", "api"] : ["api", "api-no-registry", "direct"]) {
          const res = await fetch(`${url}/bench/own/${k}`);
          if (!res.ok) throw new Error(`own work of ${k}: ${res.status} ${await res.text()}`);
          own[k]!.push(((await res.json()) as { ms: number }).ms);
        }
      }
      return own;
    });
  }
  const ratioOf = (a: PathKey, b: PathKey): number[] => rates[a].map((x, i) => x / rates[b][i]!);
  if (rates.grouped.length > 0) process.stderr.write(`grouped creates vs direct create with an id: ${median(ratioOf("grouped", "direct-id")).toFixed(2)} (${medianInterval(ratioOf("grouped", "direct-id"))}); ${median(rates.grouped).toFixed(0)} vs ${median(rates["direct-id"]).toFixed(0)} starts/s\n`);
  if (rates.nodb.length > 0) process.stderr.write(`the API with an instant D1 vs direct create with an id: ${median(ratioOf("nodb", "direct-id")).toFixed(2)} (${medianInterval(ratioOf("nodb", "direct-id"))}); vs the API: ${median(ratioOf("nodb", "api")).toFixed(2)} (${medianInterval(ratioOf("nodb", "api"))}); ${median(rates.nodb).toFixed(0)} vs ${median(rates["direct-id"]).toFixed(0)} starts/s\n`);
  const runningOf = (a: PathKey, b: PathKey): number[] => running[a].map((x, i) => x / running[b][i]!);
  const ratios = ratioOf("api", "direct");
  const idCheck = ratioOf("direct-id", "direct");
  const ours = ratioOf("api", "direct-id");
  const ratio = median(ratios);
  const hist = median(historyMs);
  return [
    { group: "history", measure: `GET /instances/:id/history of a finished 1,000-step instance (${events} events), server time`, value: `${hist.toFixed(0)} ms`, target: "≤ 150 ms", ok: hist <= 150 },
    { group: "starts", measure: `starts through the API vs the binding's create in the same Worker (${PER_ROUND} a round, ${CONCURRENCY} in flight, ${rounds} rounds in turns on ${engines} engines, ${SETTLE_MS / 1000} s apart): ${median(rates.api).toFixed(0)} vs ${median(rates.direct).toFixed(0)} starts/s (95% interval of the median ratio ${medianInterval(ratios)})`, value: `ratio ${ratio.toFixed(2)}`, target: "≥ 0.9", ok: ratio >= 0.9 },
    { group: "starts", measure: `of that: the binding's create with an id of the caller's (as the API passes, so its registry row goes with the create; the engine then checks the id is new) vs without: ${median(rates["direct-id"]).toFixed(0)} vs ${median(rates.direct).toFixed(0)} starts/s (95% interval ${medianInterval(idCheck)})`, value: `ratio ${median(idCheck).toFixed(2)}`, target: "—", ok: null },
    { group: "starts", measure: `of that: the API vs the binding's create with an id of the caller's (flowdsl's own share: the request, the input schema, the registry row)`, value: `ratio ${median(ours).toFixed(2)}`, target: "—", ok: null },
    { group: "starts", measure: `the same rounds as the engine carries them out: instances running a second (from a round's first request until the last of its instances had completed its first step, on the engine's clock), the API vs the binding's create: ${median(running.api).toFixed(0)} vs ${median(running.direct).toFixed(0)} a second (95% interval of the median ratio ${medianInterval(runningOf("api", "direct"))}); of that, create with an id vs without ${median(runningOf("direct-id", "direct")).toFixed(2)}, the API vs create with an id ${median(runningOf("api", "direct-id")).toFixed(2)}`, value: `ratio ${median(runningOf("api", "direct")).toFixed(2)}`, target: "—", ok: null },
    { group: "starts", measure: `a start's own work in the Worker's isolate, the engine's create answered at once (300 starts, 20 in flight, medians of 5): the API ${median(own.api!).toFixed(2)} ms, of which the registry's D1 write ${(median(own.api!) - median(own["api-no-registry"]!)).toFixed(2)} ms (local D1 runs on this machine's CPU beside the engine), vs reading the body and calling create ${median(own.direct!).toFixed(2)} ms`, value: `+${(median(own.api!) - median(own.direct!)).toFixed(2)} ms`, target: "—", ok: null },
    { group: "starts", measure: `batch starts (POST /workflows/hello/batch, 100 a request, createBatch, ${BATCH_ROUNDS} requests)`, value: `${median(batch).toFixed(0)} starts/s`, target: "—", ok: null },
  ];
}

/** Runs `fn` against a fresh `wrangler dev` of the starts Worker (a gigabyte of engine state, on tmpfs). */
function withDev<T>(config: string, fn: (url: string) => Promise<T>): Promise<T> {
  return withBenchDev("flowdsl-starts-", (url) => fn(url), { config, args: ["--var", `API_TOKEN:${TOKEN}`], ready: { path: "/workflows", headers: { authorization: `Bearer ${TOKEN}` } } });
}

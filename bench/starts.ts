// (5) Starts: instances started through flowdsl's API (`POST /workflows/hello`: input
// validation, registry rows before and after, the engine's create) against the definition's
// binding `create` called directly in the same Worker, both over HTTP from Node with the same
// concurrency; rounds alternate which goes first. Batch starts per second
// (`POST /workflows/hello/batch`, 100 a request, the engine's createBatch).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { freePort } from "../test/dev-server.js";
import { medianInterval, stopGroup } from "./engine.js";
import { median, type Row } from "./stats.js";

const root = new URL("..", import.meta.url).pathname;
const TOKEN = "bench";
const PER_ROUND = 200;
const CONCURRENCY = 20;
const BATCH_ROUNDS = 7;

export async function benchStarts(rounds: number): Promise<Row[]> {
  // The generated config (npm run build), with the bench Worker as its main.
  const generated = parseJsonc(readFileSync(join(root, "wrangler.generated.jsonc"), "utf8")) as Record<string, unknown>;
  const config = join(root, "bench/wrangler.starts.json");
  writeFileSync(config, JSON.stringify({ ...generated, name: "flowdsl-bench-starts", main: "api-worker.ts", build: undefined, triggers: undefined }, null, 2));
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  // Two engines, one after the other: the local engine keeps every instance's database open,
  // and past some 6,000 instances a process runs out of file descriptors (creates then fail
  // with "internal error"; 20,000 here). Batches and the history on the first, the start rounds
  // (13 rounds: 5,600 instances) on the second.
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
  const { api, direct, ratios } = await withDev(config, async (url) => {
    const startMany = async (path: string): Promise<number> => {
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < PER_ROUND) {
            const n = next++;
            const r = await fetch(url + path, { method: "POST", headers, body: JSON.stringify({ name: `n${n}` }) });
            if (r.status !== 201) throw new Error(`${path}: ${r.status} ${await r.text()}`);
          }
        }),
      );
      return (PER_ROUND * 1000) / (performance.now() - t0);
    };
    await startMany("/workflows/hello"); // warm both paths
    await startMany("/bench/direct/hello");
    const api: number[] = [];
    const direct: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const pair: Record<string, number> = {};
      for (const which of r % 2 ? ["direct", "api"] : ["api", "direct"]) pair[which] = await startMany(which === "api" ? "/workflows/hello" : "/bench/direct/hello");
      api.push(pair.api!);
      direct.push(pair.direct!);
      ratios.push(pair.api! / pair.direct!);
    }
    return { api, direct, ratios };
  });
  const ratio = median(ratios);
  const hist = median(historyMs);
  return [
    { group: "history", measure: `GET /instances/:id/history of a finished 1,000-step instance (${events} events), server time`, value: `${hist.toFixed(0)} ms`, target: "≤ 150 ms", ok: hist <= 150 },
    { group: "starts", measure: `starts through the API vs the binding's create in the same Worker (${PER_ROUND} a round, ${CONCURRENCY} in flight, ${rounds} rounds, alternating): ${median(api).toFixed(0)} vs ${median(direct).toFixed(0)} starts/s (95% interval of the median ratio ${medianInterval(ratios)})`, value: `ratio ${ratio.toFixed(2)}`, target: "≥ 0.9", ok: ratio >= 0.9 },
    { group: "starts", measure: `batch starts (POST /workflows/hello/batch, 100 a request, createBatch, ${BATCH_ROUNDS} requests)`, value: `${median(batch).toFixed(0)} starts/s`, target: "—", ok: null },
  ];
}

/** Runs `fn` against a fresh `wrangler dev` of the starts Worker (state in a new folder). */
async function withDev<T>(config: string, fn: (url: string) => Promise<T>): Promise<T> {
  const port = await freePort();
  const proc = spawn(join(root, "node_modules/.bin/wrangler"), ["dev", "-c", config, "--port", String(port), "--ip", "127.0.0.1", "--persist-to", mkdtempSync(join(tmpdir(), "flowdsl-starts-")), "--var", `API_TOKEN:${TOKEN}`, "--show-interactive-dev-session=false"], { cwd: root, stdio: "ignore", detached: true });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/workflows`, { headers: { authorization: `Bearer ${TOKEN}` } })).ok) break;
      } catch {
        /* starting */
      }
      if (i > 600) throw new Error("the starts bench Worker did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
    return await fn(url);
  } finally {
    await stopGroup(proc.pid!);
  }
}

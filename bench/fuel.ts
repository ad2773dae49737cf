// Expression fuel under load (docs/reference.md, "Hostile input"): the API's answer time
// (GET /workflows) while a runaway instance burns its fuel, beside the same requests idle. A
// runaway's evaluation yields to the event loop every FUEL_SLICE_STEPS steps, so a request
// waits at most one slice; without that it waited for the whole burn.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { withBenchDev } from "./engine.js";
import type { Row } from "./stats.js";
import { FUEL_SLICE_STEPS } from "../src/expressions/template.js";

const root = new URL("..", import.meta.url).pathname;
const TOKEN = "bench";
const headers = { authorization: `Bearer ${TOKEN}` };
/** Requests per phase, one at a time, a little apart (an operator's page, not a load test). */
const REQUESTS = Number(process.env.BENCH_FUEL_REQUESTS ?? 400);
/** Idle and burning blocks, alternating. */
const BLOCKS = 4;
const GAP_MS = 5;
/** About as long as one runaway takes to burn its default fuel on this machine. */
const RUNAWAY_EVERY_MS = 800;

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** How each runaway ended, once it has. */
async function verdictOf(url: string, id: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const s = (await (await fetch(`${url}/instances/${id}`, { headers })).json()) as { status: string; error?: { name: string } | null };
    if (s.status === "errored" || s.status === "complete") return s.error?.name ?? s.status;
    await new Promise((res) => setTimeout(res, 100));
  }
  return "still running";
}

async function answerTimes(url: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await fetch(`${url}/workflows`, { headers });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`GET /workflows: ${r.status}`);
    out.push(performance.now() - t0);
    await new Promise((res) => setTimeout(res, GAP_MS));
  }
  return out;
}

export async function benchFuel(): Promise<Row[]> {
  const generated = parseJsonc(readFileSync(join(root, "wrangler.generated.jsonc"), "utf8")) as Record<string, unknown>;
  const config = join(root, "bench/wrangler.fuel.json");
  writeFileSync(config, JSON.stringify({ ...generated, name: "flowdsl-bench-fuel", main: "api-worker.ts", build: undefined, triggers: undefined }, null, 2));
  return withBenchDev("flowdsl-fuel-", async (url) => {
    await answerTimes(url, 50); // warm
    // Idle and burning blocks alternate, so drift of the machine falls on both alike.
    const idle: number[] = [];
    const busy: number[] = [];
    const ids: string[] = [];
    for (let block = 0; block < BLOCKS; block++) {
      idle.push(...(await answerTimes(url, REQUESTS / BLOCKS)));
      // A runaway started every RUNAWAY_EVERY_MS, about as long as one burns: one is always
      // burning (now and then two), and nothing polls them while requests are timed.
      let burning = true;
      const started: string[] = [];
      const keepBurning = (async () => {
        while (burning) {
          started.push(((await (await fetch(`${url}/bench/runaway`, { method: "POST" })).json()) as { id: string }).id);
          await new Promise((res) => setTimeout(res, RUNAWAY_EVERY_MS));
        }
      })();
      await new Promise((res) => setTimeout(res, 300)); // the first one under way
      busy.push(...(await answerTimes(url, REQUESTS / BLOCKS)));
      burning = false;
      await keepBurning;
      // Every runaway of the block has burned out before the next idle block.
      const verdicts = await Promise.all(started.map((id) => verdictOf(url, id)));
      const wrong = verdicts.filter((v) => v !== "ExpressionLimit");
      if (wrong.length > 0) throw new Error(`runaways ended ${wrong.join(", ")}, not ExpressionLimit`);
      ids.push(...started);
    }
    const runaways = ids.length;
    const [i50, i99, b50, b99] = [quantile(idle, 0.5), quantile(idle, 0.99), quantile(busy, 0.5), quantile(busy, 0.99)];
    const what = `GET /workflows one at a time, ${REQUESTS} idle and ${REQUESTS} in alternating blocks of ${REQUESTS / BLOCKS} while ${runaways} runaway instances burned their 1,000,000 steps, one started every ${RUNAWAY_EVERY_MS} ms (a yield every ${FUEL_SLICE_STEPS} steps)`;
    return [
      { group: "fuel", measure: `${what}: p50 ${b50.toFixed(1)} ms burning vs ${i50.toFixed(1)} ms idle`, value: `ratio ${(b50 / i50).toFixed(2)}`, target: "≤ 2", ok: b50 / i50 <= 2 },
      { group: "fuel", measure: `the same, p99: ${b99.toFixed(1)} ms burning vs ${i99.toFixed(1)} ms idle`, value: `ratio ${(b99 / i99).toFixed(2)}`, target: "≤ 2", ok: b99 / i99 <= 2 },
    ];
  }, { config, args: ["--var", `API_TOKEN:${TOKEN}`], ready: { path: "/workflows", headers } });
}

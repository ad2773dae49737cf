// (1) Engine ratio: wall time of an interpreted definition against the hand-written Workflow
// doing the same steps, on wrangler's local engine, measured from Node over HTTP.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../test/dev-server.js";
import { startMockServer } from "../test/mock-server.js";
import { benchParams } from "./definitions.js";
import { median, type Row } from "./stats.js";

const root = new URL("..", import.meta.url).pathname;

type Kind = "interp" | "hand";
type CaseKey = "0" | "a" | "b" | "c";
interface EngineCase {
  key: CaseKey;
  name: string;
  flow: string;
  interp: unknown;
  hand: { binding: string; params: unknown };
  /** Share of the pairs this case runs (the foreach case takes ten times as long as the others). */
  share: number;
}

/**
 * Engines (wrangler dev sessions) the pairs are shared among. Sessions differ by more than the
 * pairs within one (the A/A control's own medians ranged 0.94–1.06 over six), so more engines
 * with fewer pairs each tell the machine's ratio better than two with many.
 */
export const DEFAULT_ENGINE_SESSIONS = 6;

export async function benchEngine(pairs: number): Promise<Row[]> {
  const mock = await startMockServer();
  try {
    // The pairs are shared among engines: each `wrangler dev` session settles at its own speed
    // for the interpreter's step path (BENCHMARKS.md), so one session's median is not the machine's.
    const sessions = Math.max(1, Number(process.env.BENCH_ENGINE_SESSIONS ?? DEFAULT_ENGINE_SESSIONS));
    const cases = engineCases(`http://127.0.0.1:${mock.port}/bench`);
    // BENCH_ENGINE_CASES=a,c measures only those cases (while working on one).
    const only = process.env.BENCH_ENGINE_CASES?.split(",");
    const chosen = cases.filter((x) => !only || only.includes(x.key));
    const runs = new Map<CaseKey, PairRuns[]>();
    let later: Row[] = [];
    for (let s = 0; s < sessions; s++) {
      later = await withBenchDev("flowdsl-bench-", async (url, pid) => {
        for (const c of chosen) {
          const total = Math.max(5, Math.round(pairs * c.share));
          const n = Math.round((total * (s + 1)) / sessions) - Math.round((total * s) / sessions);
          runs.set(c.key, [...(runs.get(c.key) ?? []), await directPairs(url, c, n, pid)]);
        }
        return s === sessions - 1 ? takenApart(url, pid, chosen, only, runs) : [];
      });
    }
    return [...chosen.flatMap((c) => pairRows(c, pooled(runs.get(c.key)!), sessions)), ...later];
  } finally {
    await mock.close();
  }
}

function engineCases(base: string): EngineCase[] {
  const items = Array.from({ length: 500 }, (_, i) => i);
  return [
    { key: "0", name: "(0) A/A control: the hand-written (a) against itself", flow: "BOTH_SEQ", interp: { count: 50, hand: true }, hand: { binding: "BOTH_SEQ", params: { count: 50, hand: true } }, share: 1 },
    { key: "a", name: "(a) 100 sequential do/set nodes", flow: "BOTH_SEQ", interp: benchParams("bench-seq", {}), hand: { binding: "BOTH_SEQ", params: { count: 50, hand: true } }, share: 1 },
    { key: "b", name: "(b) foreach over 500 items, concurrency 10", flow: "BOTH_FOREACH", interp: benchParams("bench-foreach", { items }), hand: { binding: "BOTH_FOREACH", params: { items, hand: true } }, share: 0.4 },
    { key: "c", name: "(c) 50 http calls to a 127.0.0.1 server", flow: "BOTH_HTTP", interp: benchParams("bench-http", { base }), hand: { binding: "BOTH_HTTP", params: { base, count: 50, hand: true } }, share: 1 },
  ];
}

/** One case's pairs from every engine, as one set of figures. */
function pooled(parts: PairRuns[]): PairResult {
  const all = (pick: (p: PairRuns) => number[]): number[] => parts.flatMap(pick);
  const wall = all((p) => p.wall);
  const cpu = all((p) => p.cpu);
  return {
    interp: { ms: median(all((p) => p.times.interp)), cpu: median(all((p) => p.cpuOf.interp)) },
    hand: { ms: median(all((p) => p.times.hand)), cpu: median(all((p) => p.cpuOf.hand)) },
    wall,
    cpu,
    wallCi: clusteredMedianInterval(parts.map((p) => p.wall)),
    cpuCi: clusteredMedianInterval(parts.map((p) => p.cpu)),
    sessions: parts.map((p) => median(p.wall)),
  };
}

function pairRows(c: EngineCase, r: PairResult, sessions: number): Row[] {
  const control = c.key === "0";
  const target = control ? "≈ 1 (noise floor)" : "≤ 1.02";
  const who = control ? ["second", "first"] : ["interpreted", "hand-written"];
  const bySession = sessions > 1 ? `; each engine's own median ${r.sessions.map((x) => x.toFixed(3)).join(", ")}` : "";
  return [
    { group: "engine", measure: `${c.name}, wall time: ${who[0]} ${r.interp.ms.toFixed(0)} ms vs ${who[1]} ${r.hand.ms.toFixed(0)} ms (median of ${r.wall.length} back-to-back pairs on ${sessions} engines${bySession}; 95% interval of that median, engines and pairs resampled, ${r.wallCi}; middle half of the pairs ${quartiles(r.wall)})`, value: `ratio ${median(r.wall).toFixed(3)}`, target, ok: control ? null : median(r.wall) <= 1.02 },
    { group: "engine", measure: `${c.name}, workerd CPU time: ${who[0]} ${r.interp.cpu.toFixed(0)} ms vs ${who[1]} ${r.hand.cpu.toFixed(0)} ms (95% interval ${r.cpuCi})`, value: `ratio ${median(r.cpu).toFixed(3)}`, target, ok: control ? null : median(r.cpu) <= 1.02 },
  ];
}

/** Taken apart, on the last engine: (1) what the kinds ask of the engine and (2) their own work in the isolate, each without the engine's noise. */
async function takenApart(url: string, pid: number, chosen: EngineCase[], only: string[] | undefined, runs: Map<CaseKey, PairRuns[]>): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of chosen.filter((x) => x.key !== "0")) rows.push(await sameAsk(url, c));
  for (const c of chosen.filter((x) => x.key !== "0")) {
    const parts = runs.get(c.key)!;
    rows.push(...(await isolateRows(url, c, pid, { ms: median(parts.flatMap((p) => p.times.hand)), cpu: median(parts.flatMap((p) => p.cpuOf.hand)) })));
  }
  if (!only || only.includes("memory")) rows.push(...(await memoryRows(url, pid)));
  return rows;
}

/** One engine's pairs of a case: every instance's time and CPU, and each pair's ratios. */
interface PairRuns {
  times: Record<Kind, number[]>;
  cpuOf: Record<Kind, number[]>;
  wall: number[];
  cpu: number[];
}

interface PairResult {
  interp: { ms: number; cpu: number };
  hand: { ms: number; cpu: number };
  wall: number[];
  cpu: number[];
  wallCi: string;
  cpuCi: string;
  /** Each engine's own median wall ratio. */
  sessions: number[];
}

/** `n` back-to-back pairs (after one warm-up pair), the order alternated, as ratios interpreted / hand-written. */
async function directPairs(url: string, c: EngineCase, n: number, pgid: number): Promise<PairRuns> {
  const times: Record<Kind, number[]> = { interp: [], hand: [] };
  const cpu: Record<Kind, number[]> = { interp: [], hand: [] };
  const wallRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (let r = 0; r <= n; r++) {
    // Alternate which goes first, so drift in the engine's state favours neither; each pair
    // runs back to back, so its ratio sees the same machine load.
    const order: Kind[] = r % 2 ? ["hand", "interp"] : ["interp", "hand"];
    const pair = {} as Record<Kind, { ms: number; cpu: number }>;
    for (const kind of order) pair[kind] = kind === "interp" ? await timeInstance(url, c.flow, c.interp, pgid) : await timeInstance(url, c.hand.binding, c.hand.params, pgid);
    if (r === 0) continue; // the first pair warms the isolate
    for (const kind of order) {
      times[kind].push(pair[kind].ms);
      cpu[kind].push(pair[kind].cpu);
    }
    wallRatios.push(pair.interp.ms / pair.hand.ms);
    cpuRatios.push(pair.interp.cpu / pair.hand.cpu);
    if (process.env.BENCH_DEBUG) console.error(`(${c.key}) pair ${r}: interp ${pair.interp.ms.toFixed(0)} ms, hand ${pair.hand.ms.toFixed(0)} ms`);
  }
  return { times, cpuOf: cpu, wall: wallRatios, cpu: cpuRatios };
}

/**
 * 95% bootstrap interval of the median of `xs` (2,000 resamples, a fixed seed so a rerun on
 * the same figures prints the same): how far this run's median may be from the machine's.
 */
export function medianInterval(xs: number[]): string {
  const [lo, hi] = bootstrapInterval(xs, median);
  return `${lo.toFixed(3)}–${hi.toFixed(3)}`;
}

/**
 * 95% interval of the median of pooled groups (one group per engine), resampling the engines
 * and then the pairs within each: each `wrangler dev` session settles at its own speed, so the
 * pairs of one engine are not independent of each other, and resampling pairs alone would
 * print an interval narrower than the run-to-run spread. With one group it is medianInterval.
 */
export function clusteredMedianInterval(groups: number[][]): string {
  const [lo, hi] = bootstrapInterval(groups, (picked, rand) => median(picked.flatMap((g) => Array.from({ length: g.length }, () => g[Math.floor(rand() * g.length)]!))));
  return `${lo.toFixed(3)}–${hi.toFixed(3)}`;
}

/** 95% bootstrap interval of `stat` over resamples of `xs` (2,000, the same fixed seed). */
export function bootstrapInterval<T>(xs: T[], stat: (sample: T[], rand: () => number) => number): [number, number] {
  let seed = 0x2545f491;
  const rand = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const stats: number[] = [];
  for (let b = 0; b < 2000; b++) stats.push(stat(Array.from({ length: xs.length }, () => xs[Math.floor(rand() * xs.length)]!), rand));
  stats.sort((x, y) => x - y);
  return [stats[Math.floor(0.025 * stats.length)]!, stats[Math.floor(0.975 * stats.length)]!];
}

/**
 * What the engine is asked: one instance of each kind, their event histories compared with the
 * ids and times taken out (event types, step names, each step's config as the engine stored it,
 * every step's output, the workflow's output). Equal histories mean equal work for the engine.
 */
async function sameAsk(url: string, c: EngineCase): Promise<Row> {
  const history = async (binding: string, params: unknown): Promise<string[]> => {
    const { id } = (await (await fetch(`${url}/bench/start/${binding}`, { method: "POST", body: JSON.stringify(params) })).json()) as { id: string };
    await fetch(`${url}/bench/wait/${binding}/${id}`);
    const events = (await (await fetch(`${url}/bench/events/${binding}/${id}`)).json()) as Array<Record<string, unknown>>;
    return events.map(({ instanceId: _i, eventId: _e, timestamp: _t, params: _p, ...rest }) => JSON.stringify(rest));
  };
  const i = await history(c.flow, c.interp);
  const h = await history(c.hand.binding, c.hand.params);
  const inOrder = i.length === h.length && i.every((e, k) => e === h[k]);
  const si = [...i].sort();
  const sh = [...h].sort();
  const asSet = si.length === sh.length && si.every((e, k) => e === sh[k]);
  const differ = si.find((e, k) => e !== sh[k]) ?? sh.find((e, k) => e !== si[k]);
  const label = c.name.split(",")[0]!;
  return {
    group: "engine",
    measure: `${label}: what the engine is asked — the interpreted and hand-written instances' histories (${i.length} and ${h.length} events: types, step names, step configs, step outputs, the workflow's output; ids, times and params aside)`,
    value: inOrder ? "identical" : asSet ? "identical (concurrent steps interleave differently)" : `differ: ${differ?.slice(0, 120)}`,
    target: "identical",
    ok: asSet,
  };
}

/**
 * Each kind's own work in the workerd isolate with the engine taken away (bench/worker.ts,
 * isolateWork): blocks of instances alternating between the kinds, workerd's CPU time read
 * around each block. With the engine's part identical (sameAsk), the interpreter adds the
 * difference to every instance, measured without the engine's noise. It does not account for
 * the whole of the direct ratios (bench/notes.md): what remains lies in how the two kinds'
 * calls travel through the runtime, not in what they ask of the engine or compute themselves.
 */
async function isolateRows(url: string, c: EngineCase, pgid: number, hand: { ms: number; cpu: number } | undefined): Promise<Row[]> {
  const perBlock = c.key === "a" ? 200 : c.key === "b" ? 20 : 50;
  const block = async (kind: Kind): Promise<{ ms: number; cpu: number }> => {
    const before = workerdCpuMs(pgid);
    const { ms } = (await (await fetch(`${url}/bench/own?case=${c.key}&kind=${kind}&n=${perBlock}`, { method: "POST", body: JSON.stringify(kind === "interp" ? c.interp : c.hand.params) })).json()) as { ms: number };
    return { ms, cpu: (workerdCpuMs(pgid) - before) / perBlock };
  };
  await block("interp");
  await block("hand");
  const got: Record<Kind, { ms: number[]; cpu: number[] }> = { interp: { ms: [], cpu: [] }, hand: { ms: [], cpu: [] } };
  for (let r = 0; r < 11; r++) {
    for (const kind of (r % 2 ? ["hand", "interp"] : ["interp", "hand"]) as Kind[]) {
      const b = await block(kind);
      got[kind].ms.push(b.ms);
      got[kind].cpu.push(b.cpu);
    }
  }
  const im = median(got.interp.ms);
  const hm = median(got.hand.ms);
  const ic = median(got.interp.cpu);
  const hc = median(got.hand.cpu);
  const label = c.name.split(",")[0]!;
  const rows: Row[] = [
    { group: "engine", measure: `${label}: each kind's own work per instance in the workerd isolate, the engine replaced by a journaling step (${perBlock} instances a block, 11 blocks each, alternating): interpreted ${im.toFixed(2)} ms vs hand-written ${hm.toFixed(2)} ms on the isolate's clock; workerd CPU ${ic.toFixed(2)} vs ${hc.toFixed(2)} ms`, value: `+${(im - hm).toFixed(2)} ms`, target: "—", ok: null },
  ];
  if (hand) {
    const wall = 1 + (im - hm) / hand.ms;
    const cpu = 1 + (ic - hc) / hand.cpu;
    rows.push({ group: "engine", measure: `${label}: the interpreter's own work (interpreted − hand-written, above) added to the hand-written instance's ${hand.ms.toFixed(0)} ms on the engine: 1 + Δ / T, wall`, value: `ratio ${wall.toFixed(3)}`, target: "≤ 1.02", ok: wall <= 1.02 });
    rows.push({ group: "engine", measure: `${label}: the same for workerd CPU (Δ of the isolate's CPU against the hand-written instance's ${hand.cpu.toFixed(0)} ms)`, value: `ratio ${cpu.toFixed(3)}`, target: "≤ 1.02", ok: cpu <= 1.02 });
  }
  return rows;
}

/** The middle half of the pair ratios: how far single pairs stray. */
function quartiles(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number): string => (s[Math.min(s.length - 1, Math.floor(f * s.length))] ?? 0).toFixed(2);
  return `${q(0.25)}–${q(0.75)}`;
}

/**
 * workerd's resident memory per 1,000 finished one-step instances, interpreted and
 * hand-written (20 at a time, in turns after a warm-up): the local engine keeps every instance's state in memory, so the
 * growth is mostly the engine's; flowdsl's share is the difference.
 */
async function memoryRows(url: string, pgid: number): Promise<Row[]> {
  const N = Number(process.env.BENCH_MEMORY_INSTANCES ?? 1000);
  // Both warmed first (isolates, code, the engine's own first allocations), then in turns.
  const half = Math.max(20, Math.floor(N / 2));
  const run = async (binding: string, params: unknown, n: number): Promise<number> => {
    const before = workerdRssMb(pgid);
    for (let i = 0; i < n; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, n - i) }, async () => {
        const { id } = (await (await fetch(`${url}/bench/start/${binding}`, { method: "POST", body: JSON.stringify(params) })).json()) as { id: string };
        await fetch(`${url}/bench/wait/${binding}/${id}`);
      }));
    }
    return ((workerdRssMb(pgid) - before) / n) * 1000;
  };
  const interpParams = benchParams("bench-one", {});
  await run("FLOW_ONE", interpParams, 40);
  await run("HAND_ONE", {}, 40);
  const i1 = await run("FLOW_ONE", interpParams, half);
  const h1 = await run("HAND_ONE", {}, half);
  const h2 = await run("HAND_ONE", {}, half);
  const i2 = await run("FLOW_ONE", interpParams, half);
  const interp = (i1 + i2) / 2;
  const hand = (h1 + h2) / 2;
  return [
    {
      group: "memory",
      measure: `workerd resident memory per 1,000 finished one-step instances: interpreted ${interp.toFixed(0)} MB (blocks ${i1.toFixed(0)}, ${i2.toFixed(0)}), hand-written ${hand.toFixed(0)} MB (blocks ${h1.toFixed(0)}, ${h2.toFixed(0)}); the local engine keeps every instance in memory`,
      value: `flowdsl's share ${(interp - hand).toFixed(0)} MB`,
      target: "—",
      ok: null,
    },
  ];
}

/**
 * Runs `fn` against a fresh `wrangler dev` of the bench Worker (bench/wrangler.bench.jsonc) once
 * it answers, its state on tmpfs (`prefix` names the folder), and stops it after; `pid` is the
 * process group, for reading workerd's CPU.
 */
/** A bench Worker other than bench/wrangler.bench.jsonc's, and when it is ready to be timed. */
export interface BenchDevOptions {
  config?: string;
  /** More `wrangler dev` flags (`--var`). */
  args?: string[];
  /** A path that answers 2xx once the Worker is up (default: any answer from /bench/ready). */
  ready?: { path: string; headers?: Record<string, string> };
}

/**
 * Runs `fn` against a fresh `wrangler dev` (state in a new folder on tmpfs, removed after).
 * BENCH_DEV_LOG=file keeps wrangler's and workerd's output (with MINIFLARE_WORKERD_V8_FLAGS,
 * V8's traces).
 */
export async function withBenchDev<T>(prefix: string, fn: (url: string, pid: number) => Promise<T>, opts: BenchDevOptions = {}): Promise<T> {
  const state = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), prefix));
  const port = await freePort();
  const log = process.env.BENCH_DEV_LOG ? openSync(process.env.BENCH_DEV_LOG, "a") : "ignore";
  const proc = spawn(join(root, "node_modules/.bin/wrangler"), ["dev", "-c", opts.config ?? join(root, "bench/wrangler.bench.jsonc"), "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, ...(opts.args ?? []), "--show-interactive-dev-session=false"], { cwd: root, stdio: ["ignore", log, log], detached: true });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUp(url + (opts.ready?.path ?? "/bench/ready"), opts.ready ? { headers: opts.ready.headers ?? {} } : undefined);
    return await fn(url, proc.pid!);
  } finally {
    await stopGroup(proc.pid!);
    rmSync(state, { recursive: true, force: true }); // the engine's state, in memory on tmpfs
  }
}

/** Kills a spawned process group and waits until it is gone, so it cannot load later sections. */
export async function stopGroup(pid: number): Promise<void> {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(-pid, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 1000));
}

/** The workerd processes of a process group (the wrangler dev this bench spawned). */
function workerdPids(pgid: number): string[] {
  return readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      return stat.includes("(workerd)") && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === pgid;
    } catch {
      return false; // ended meanwhile
    }
  });
}

/** Reads a /proc figure of each workerd process, skipping any that ended meanwhile. */
function sumOver(pgid: number, read: (pid: string) => number): number {
  let total = 0;
  for (const pid of workerdPids(pgid)) {
    try {
      total += read(pid);
    } catch {
      /* the process ended meanwhile */
    }
  }
  return total;
}

/** CPU time (ms) of every workerd thread in the process group, from /proc schedstat (ns). */
function workerdCpuMs(pgid: number): number {
  return sumOver(pgid, (pid) => readdirSync(`/proc/${pid}/task`).reduce((ns, tid) => ns + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]), 0)) / 1e6;
}

/** Resident memory of every workerd process in the group, in MB. */
function workerdRssMb(pgid: number): number {
  return sumOver(pgid, (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0)) / 1024;
}

export async function waitUp(url: string, okWith?: RequestInit): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      // Without `okWith`, any answer will do; with it, a 2xx.
      const res = await fetch(url, okWith);
      if (!okWith || res.ok) return;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the bench Worker did not start");
}

/**
 * One instance's run time on the engine's own clock (its first event to its last), waited for
 * through the engine's event stream: no status polling, which re-reads every log in the
 * isolate the instance runs in and rounds the figure to the poll interval.
 */
export async function timeInstance(url: string, binding: string, params: unknown, pgid: number): Promise<{ ms: number; cpu: number }> {
  const before = workerdCpuMs(pgid);
  const { id } = (await (await fetch(`${url}/bench/start/${binding}`, { method: "POST", body: JSON.stringify(params) })).json()) as { id: string };
  const w = (await (await fetch(`${url}/bench/wait/${binding}/${id}`)).json()) as { end: string; ms: number };
  const cpu = workerdCpuMs(pgid) - before;
  if (w.end !== "workflow_completed") throw new Error(`${binding} ${id} ended ${w.end}`);
  return { ms: w.ms, cpu };
}

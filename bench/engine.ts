// (1) Engine ratio: wall time of an interpreted definition against the hand-written Workflow
// doing the same steps, on wrangler's local engine, measured from Node over HTTP.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../test/dev-server.js";
import { startMockServer } from "../test/mock-server.js";
import { benchParams } from "./definitions.js";
import { median, type Row } from "./stats.js";

const root = new URL("..", import.meta.url).pathname;

export async function benchEngine(runs: number): Promise<Row[]> {
  const mock = await startMockServer();
  const port = await freePort();
  const proc = spawn(join(root, "node_modules/.bin/wrangler"), ["dev", "-c", join(root, "bench/wrangler.bench.jsonc"), "--port", String(port), "--ip", "127.0.0.1", "--persist-to", mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "flowdsl-bench-")), "--show-interactive-dev-session=false"], {
    cwd: root,
    stdio: "ignore",
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUp(`${url}/bench/ready`);
    const base = `http://127.0.0.1:${mock.port}/bench`;
    const items = Array.from({ length: 500 }, (_, i) => i);
    const cases = [
      { name: "(0) A/A control: the hand-written (a) against itself on a second workflow", flow: "HAND_SEQ_B", interp: { count: 50 }, hand: { binding: "HAND_SEQ", params: { count: 50 } } },
      { name: "(a) 100 sequential do/set nodes", flow: "FLOW_SEQ", interp: benchParams("bench-seq", {}), hand: { binding: "HAND_SEQ", params: { count: 50 } } },
      { name: "(b) foreach over 500 items, concurrency 10", flow: "FLOW_FOREACH", interp: benchParams("bench-foreach", { items }), hand: { binding: "HAND_FOREACH", params: { items } } },
      { name: "(c) 50 http calls to a 127.0.0.1 server", flow: "FLOW_HTTP", interp: benchParams("bench-http", { base }), hand: { binding: "HAND_HTTP", params: { base, count: 50 } } },
    ];
    const rows: Row[] = [];
    const handMs: Partial<Record<"a" | "b" | "c", number>> = {};
    // BENCH_ENGINE_CASES=a,c measures only those cases (while working on one).
    const only = process.env.BENCH_ENGINE_CASES?.split(",");
    for (const c of cases.filter((x) => !only || only.some((o) => x.name.startsWith(`(${o})`)))) {
      const times: Record<"interp" | "hand", number[]> = { interp: [], hand: [] };
      const ratios: number[] = [];
      const cpuRatios: number[] = [];
      const cpu: Record<"interp" | "hand", number[]> = { interp: [], hand: [] };
      for (let r = 0; r <= runs; r++) {
        // Alternate which goes first, so drift in the engine's state favours neither; each
        // pair runs back to back, so its ratio sees the same machine load.
        const order: Array<"interp" | "hand"> = r % 2 ? ["hand", "interp"] : ["interp", "hand"];
        const pair: Record<string, number> = {};
        const pairCpu: Record<string, number> = {};
        for (const kind of order) {
          const t = kind === "interp" ? await timeInstance(url, c.flow, c.interp, proc.pid!) : await timeInstance(url, c.hand.binding, c.hand.params, proc.pid!);
          pair[kind] = t.ms;
          pairCpu[kind] = t.cpu;
        }
        if (r === 0) continue; // run 0 warms the isolate
        times.interp.push(pair.interp!);
        times.hand.push(pair.hand!);
        ratios.push(pair.interp! / pair.hand!);
        cpu.interp.push(pairCpu.interp!);
        cpu.hand.push(pairCpu.hand!);
        cpuRatios.push(pairCpu.interp! / pairCpu.hand!);
        if (process.env.BENCH_DEBUG) console.error(`${c.name.slice(0, 3)} pair ${r}: interp ${pair.interp!.toFixed(0)} ms, hand ${pair.hand!.toFixed(0)} ms`);
      }
      const i = median(times.interp);
      const h = median(times.hand);
      const key = /^\((\w)\)/.exec(c.name)?.[1];
      if (key === "a" || key === "b" || key === "c") handMs[key] = h;
      const ratio = median(ratios);
      const control = c.name.startsWith("(0)");
      const target = control ? "≈ 1 (noise floor)" : "≤ 1.02";
      rows.push({ group: "engine", measure: `${c.name}, wall time: ${control ? "second" : "interpreted"} ${i.toFixed(0)} ms vs ${control ? "first" : "hand-written"} ${h.toFixed(0)} ms (median of ${runs} back-to-back pairs; pair ratios ${quartiles(ratios)})`, value: `ratio ${ratio.toFixed(3)}`, target, ok: control ? null : ratio <= 1.02 });
      const ci = median(cpu.interp);
      const ch = median(cpu.hand);
      const cr = median(cpuRatios);
      rows.push({ group: "engine", measure: `${c.name}, workerd CPU time: ${control ? "second" : "interpreted"} ${ci.toFixed(0)} ms vs ${control ? "first" : "hand-written"} ${ch.toFixed(0)} ms`, value: `ratio ${cr.toFixed(3)}`, target, ok: control ? null : cr <= 1.02 });
    }
    // What the interpreter itself costs per instance in this isolate (no engine): the share of
    // the hand-written instance's engine time that no measurement noise can hide.
    const own = (await (await fetch(`${url}/bench/own?base=${encodeURIComponent(base)}`)).json()) as Record<"a" | "b" | "c", number>;
    for (const [k, label] of [["a", "(a) 100 sequential do/set nodes"], ["b", "(b) foreach over 500 items"], ["c", "(c) 50 http calls"]] as const) {
      const hand = handMs[k];
      rows.push({ group: "engine", measure: `${label}: the interpreter's own work per instance in the workerd isolate (journaling fake step, no engine)${hand ? `, against ${hand.toFixed(0)} ms for the hand-written instance on the engine` : ""}`, value: `${own[k].toFixed(2)} ms${hand ? ` (${((own[k] / hand) * 100).toFixed(1)} %)` : ""}`, target: hand ? "≤ 2 %" : "—", ok: hand ? own[k] / hand <= 0.02 : null });
    }
    if (!only || only.includes("memory")) rows.push(...(await memoryRows(url, proc.pid!)));
    return rows;
  } finally {
    await stopGroup(proc.pid!);
    await mock.close();
  }
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

async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error("the bench Worker did not start");
}

/**
 * One instance's run time on the engine's own clock (its first event to its last), waited for
 * through the engine's event stream: no status polling, which re-reads every log in the
 * isolate the instance runs in and rounds the figure to the poll interval.
 */
async function timeInstance(url: string, binding: string, params: unknown, pgid: number): Promise<{ ms: number; cpu: number }> {
  const before = workerdCpuMs(pgid);
  const { id } = (await (await fetch(`${url}/bench/start/${binding}`, { method: "POST", body: JSON.stringify(params) })).json()) as { id: string };
  const w = (await (await fetch(`${url}/bench/wait/${binding}/${id}`)).json()) as { end: string; ms: number };
  const cpu = workerdCpuMs(pgid) - before;
  if (w.end !== "workflow_completed") throw new Error(`${binding} ${id} ended ${w.end}`);
  return { ms: w.ms, cpu };
}

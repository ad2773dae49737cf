// CPU profile of the workerd isolate running the bench Worker (bench/worker.ts): interpreted
// and hand-written instances of one engine case, each profiled on its own through the V8
// inspector of `wrangler dev --inspector-port` (Chrome DevTools Protocol over a WebSocket).
// `npx tsx bench/profile-engine.ts [a|b|c|k] [instances]` prints the top frames by self time.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { freePort } from "../test/dev-server.js";
import { startMockServer } from "../test/mock-server.js";
import { benchParams } from "./definitions.js";
import { stopGroup } from "./engine.js";

const root = new URL("..", import.meta.url).pathname;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export class Cdp {
  private id = 0;
  private waiting = new Map<number, (v: unknown) => void>();
  private constructor(private ws: WebSocket) {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
      if (msg.id !== undefined) this.waiting.get(msg.id)?.(msg.error ? Promise.reject(new Error(JSON.stringify(msg.error))) : msg.result);
    });
  }
  static async connect(url: string): Promise<Cdp> {
    const ws = new WebSocket(url);
    // ws, not Node's WebSocket: wrangler's inspector proxy refuses the latter's handshake.
    await new Promise((resolve, reject) => {
      ws.on("open", resolve);
      ws.on("error", reject);
    });
    return new Cdp(ws);
  }
  send<T>(method: string, params: unknown = {}): Promise<T> {
    const id = ++this.id;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((resolve) => this.waiting.set(id, resolve as (v: unknown) => void));
  }
  close(): void {
    this.ws.close();
  }
}

/** Self time per frame (function @ file:line), in ms, from a V8 CPU profile. */
export function selfTimes(p: Profile): Map<string, number> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]!);
    if (!n) continue;
    const f = n.callFrame;
    const file = f.url.replace(/^.*\/(src|bench|node_modules)\//, "$1/");
    const key = `${f.functionName || "(anonymous)"} ${file ? `${file}:${f.lineNumber + 1}` : ""}`.trim();
    out.set(key, (out.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  }
  return out;
}

async function main(): Promise<void> {
  const which = process.argv[2] ?? "a";
  const count = Number(process.argv[3] ?? 20);
  const mock = await startMockServer();
  const port = await freePort();
  const inspector = await freePort();
  const proc = spawn(join(root, "node_modules/.bin/wrangler"), ["dev", "-c", join(root, "bench/wrangler.bench.jsonc"), "--port", String(port), "--inspector-port", String(inspector), "--ip", "127.0.0.1", "--persist-to", mkdtempSync(join(tmpdir(), "flowdsl-prof-")), "--show-interactive-dev-session=false"], { cwd: root, stdio: "ignore", detached: true });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        await fetch(`${url}/bench/ready`);
        break;
      } catch {
        if (i > 600) throw new Error("no bench Worker");
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const base = `http://127.0.0.1:${mock.port}/bench`;
    const items = Array.from({ length: 500 }, (_, i) => i);
    const cases: Record<string, { interp: [string, unknown]; hand: [string, unknown] }> = {
      a: { interp: ["FLOW_SEQ", benchParams("bench-seq", {})], hand: ["HAND_SEQ", { count: 50 }] },
      b: { interp: ["FLOW_FOREACH", benchParams("bench-foreach", { items })], hand: ["HAND_FOREACH", { items }] },
      k: { interp: ["FLOW_SEQC50", benchParams("bench-seqc50", {})], hand: ["HAND_SEQ", { count: 50 }] },
      c: { interp: ["FLOW_HTTP", benchParams("bench-http", { base })], hand: ["HAND_HTTP", { base, count: 50 }] },
    };
    const c = cases[which]!;
    const targets = (await (await fetch(`http://127.0.0.1:${inspector}/json`)).json()) as Array<{ title?: string; webSocketDebuggerUrl: string }>;
    const target = targets.find((t) => (t.title ?? "").includes("flowdsl-bench")) ?? targets[0]!;
    const cdp = await Cdp.connect(target.webSocketDebuggerUrl);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    const run = async (binding: string, params: unknown): Promise<void> => {
      const { id } = (await (await fetch(`${url}/bench/start/${binding}`, { method: "POST", body: JSON.stringify(params) })).json()) as { id: string };
      for (;;) {
        const s = (await (await fetch(`${url}/bench/status/${binding}/${id}`)).json()) as { status: string };
        if (s.status === "complete") return;
        if (s.status === "errored") throw new Error(`${binding} errored`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    // Warm both, then profile each alone.
    await run(...c.interp);
    await run(...c.hand);
    const report: string[] = [];
    for (const [label, [binding, params]] of [["interpreted", c.interp], ["hand-written", c.hand]] as const) {
      await cdp.send("Profiler.start");
      const t0 = performance.now();
      for (let i = 0; i < count; i++) await run(binding, params);
      const wall = performance.now() - t0;
      const { profile } = await cdp.send<{ profile: Profile }>("Profiler.stop");
      writeFileSync(join(tmpdir(), `flowdsl-${which}-${label}.cpuprofile`), JSON.stringify(profile));
      const self = selfTimes(profile);
      const total = [...self.values()].reduce((a, b) => a + b, 0);
      const idle = (self.get("(idle)") ?? 0) + (self.get("(program)") ?? 0);
      report.push(`## (${which}) ${label}: ${count} instances, ${wall.toFixed(0)} ms wall; isolate busy ${(total - idle).toFixed(0)} ms of ${total.toFixed(0)} ms sampled`);
      const top = [...self].filter(([k]) => k !== "(idle)" && k !== "(program)").sort((x, y) => y[1] - x[1]).slice(0, 25);
      for (const [k, ms] of top) report.push(`  ${ms.toFixed(1).padStart(8)} ms  ${k}`);
    }
    cdp.close();
    console.log(report.join("\n"));
  } finally {
    await stopGroup(proc.pid!);
    await mock.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

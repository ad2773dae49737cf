// Where an instance's time goes, step by step: runs arms of bench/wrangler.bench.jsonc in
// rotating rounds and writes every instance's full event history to /tmp/gaps.json, whose
// timestamps split each step into the gap before it (loop + step call) and its callback's round
// trip. The MIX arms run two kinds of step in one instance, so both see the same machine speed
// (bench/notes.md, "Step by step"). `npx tsx bench/step-gaps.ts [rounds] ARM ...`
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../test/dev-server.js";
import { stopGroup, timeInstance, waitUp } from "./engine.js";
import { benchParams } from "./definitions.js";
const root = new URL("..", import.meta.url).pathname;
const state = mkdtempSync("/dev/shm/flowdsl-gaps-");
const port = await freePort();
const proc = spawn(join(root, "node_modules/.bin/wrangler"), ["dev", "-c", join(root, "bench/wrangler.bench.jsonc"), "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, "--show-interactive-dev-session=false"], { cwd: root, stdio: "ignore", detached: true });
const url = `http://127.0.0.1:${port}`;
const all: Record<string, unknown> = { HAND_SEQ: { count: 50 }, HAND_BODY: { count: 50 }, HAND_LAYERS: { count: 50 }, HAND_AWAIT: { count: 50 }, HAND_NESTED: { count: 50 }, FLOW_SEQC50: benchParams("bench-seqc50", {}), FLOW_SEQ: benchParams("bench-seq", {}), FLOW_MIX: benchParams("bench-seqc50", {}), HAND_MIX: { count: 50 }, HAND_MIX_AWAIT: { count: 50 }, HAND_MIX_BODY: { count: 50 }, FLOW_MIX2: benchParams("bench-seqc50", {}), HAND_MIX2: { count: 50 } };
const rounds = Number(process.argv[2] ?? 30);
const names = process.argv.slice(3);
const arms = Object.fromEntries(names.map((n) => [n, all[n]]));
const out: Record<string, unknown[]> = Object.fromEntries(names.map((n) => [n, []]));
try {
  await waitUp(`${url}/bench/ready`);
  for (let r = 0; r <= rounds; r++) {
    for (let j = 0; j < names.length; j++) {
      const a = names[(r + j) % names.length]!;
      const res = await fetch(`${url}/bench/start/${a}`, { method: "POST", body: JSON.stringify(arms[a]) });
      const { id } = (await res.json()) as { id: string };
      await (await fetch(`${url}/bench/wait/${a}/${id}`)).json();
      const ev = await (await fetch(`${url}/bench/events/${a}/${id}`)).json();
      if (r > 0) out[a]!.push(ev);
    }
  }
  writeFileSync("/tmp/gaps.json", JSON.stringify(out));
} finally { await stopGroup(proc.pid!); rmSync(state, { recursive: true, force: true }); }

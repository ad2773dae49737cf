// (4) The Worker bundle (gzip) and the time to first response of a fresh `wrangler dev`,
// flowdsl against the hand-written baseline Worker.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { freePort } from "../test/dev-server.js";
import { median, type Row } from "./stats.js";
import { stopGroup } from "./engine.js";

const root = new URL("..", import.meta.url).pathname;
const wrangler = join(root, "node_modules/.bin/wrangler");

function bundleGzipKiB(config: string): number {
  const out = mkdtempSync(join(tmpdir(), "flowdsl-bundle-"));
  execFileSync(wrangler, ["deploy", "--dry-run", "--outdir", out, "-c", config], { cwd: root, stdio: "ignore" });
  const js = readdirSync(out).filter((f) => f.endsWith(".js"));
  return js.reduce((sum, f) => sum + gzipSync(readFileSync(join(out, f))).length, 0) / 1024;
}

async function firstResponseMs(config: string, path: string, headers: Record<string, string>): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawn(wrangler, ["dev", "-c", config, "--port", String(port), "--ip", "127.0.0.1", "--persist-to", mkdtempSync(join(tmpdir(), "flowdsl-ttfr-")), "--var", "API_TOKEN:bench", "--show-interactive-dev-session=false"], { cwd: root, stdio: "ignore", detached: true });
  try {
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
        if (r.status === 200) return performance.now() - t0;
      } catch {
        /* not yet */
      }
      if (performance.now() - t0 > 120_000) throw new Error(`${config}: no response`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await stopGroup(proc.pid!);
  }
}

export async function benchBundle(runs: number): Promise<Row[]> {
  execFileSync(join(root, "node_modules/.bin/tsx"), [join(root, "scripts/build.ts")], { cwd: root, stdio: "ignore" });
  const main = join(root, "wrangler.jsonc");
  const baseline = join(root, "bench/wrangler.baseline.jsonc");
  const flowKiB = bundleGzipKiB(main);
  const baseKiB = bundleGzipKiB(baseline);
  const flowT: number[] = [];
  const baseT: number[] = [];
  for (let r = 0; r < runs; r++) {
    flowT.push(await firstResponseMs(main, "/workflows", { authorization: "Bearer bench" }));
    baseT.push(await firstResponseMs(baseline, "/", {}));
  }
  const f = median(flowT);
  const b = median(baseT);
  return [
    { group: "bundle", measure: `Worker bundle, gzip (wrangler deploy --dry-run): flowdsl with ${readdirSync(join(root, "definitions")).length} definitions vs hand-written baseline ${baseKiB.toFixed(1)} KiB`, value: `${flowKiB.toFixed(1)} KiB`, target: "≤ 100 KiB", ok: flowKiB <= 100 },
    { group: "bundle", measure: `time to first response of a fresh wrangler dev: flowdsl vs hand-written baseline ${(b / 1000).toFixed(2)} s`, value: `${(f / 1000).toFixed(2)} s (ratio ${(f / b).toFixed(2)})`, target: "—", ok: null },
  ];
}

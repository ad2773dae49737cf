#!/usr/bin/env node
// Bundles the Worker as deployed (wrangler deploy --dry-run --outdir) and fails if the
// bundle could generate code at run time: workerd forbids `new Function`/`eval` in a
// deployed Worker, and vitest's workerd allows them, so a green test run proves nothing here.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const root = new URL("..", import.meta.url).pathname;
const outdir = join(root, "dist/bundle");
rmSync(outdir, { recursive: true, force: true });
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
run("npx", ["tsx", "scripts/build.ts"]);
run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir]);

const FORBIDDEN = [
  { what: "new Function(", re: /\bnew\s+Function\s*\(/ },
  { what: "eval(", re: /(?<![\w$.])eval\s*\(/ },
];
let failed = false;
let total = 0;
let gz = 0;
for (const f of readdirSync(outdir).filter((f) => f.endsWith(".js"))) {
  const text = readFileSync(join(outdir, f), "utf8");
  total += text.length;
  gz += gzipSync(text).length;
  for (const { what, re } of FORBIDDEN) {
    const m = re.exec(text);
    if (m) {
      const at = text.slice(Math.max(0, m.index - 80), m.index + 40).replace(/\s+/g, " ");
      console.error(`check:bundle: ${f} contains ${what} … ${at} …`);
      failed = true;
    }
  }
}
if (failed) process.exit(1);
console.log(`check:bundle: no code generation in the bundle (${(total / 1024).toFixed(1)} KiB, ${(gz / 1024).toFixed(1)} KiB gzip)`);

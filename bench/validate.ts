// Validation speed: 200 definitions through the real CLI (a fresh process, end to end).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, type Row } from "./stats.js";

const root = new URL("..", import.meta.url).pathname;
export const VALIDATE_COUNT = 200;

export function benchValidate(runs: number): Row[] {
  const dir = mkdtempSync(join(tmpdir(), "flowdsl-bench-validate-"));
  const template = readFileSync(join(root, "test/fixtures/valid/every-kind.yaml"), "utf8");
  for (let i = 0; i < VALIDATE_COUNT; i++) writeFileSync(join(dir, `bench-${i}.yaml`), template.replaceAll("every-kind", `bench-${i}`));
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, [join(root, "bin/flowdsl.js"), "validate", dir], { encoding: "utf8" });
    times.push(performance.now() - t0);
    if (p.status !== 0) throw new Error(`validate failed: ${p.stdout}${p.stderr}`);
  }
  const ms = median(times);
  return [{ group: "validation", measure: `flowdsl validate, ${VALIDATE_COUNT} definitions (${template.split("\n").length} lines each), end to end`, value: `${(ms / 1000).toFixed(2)} s`, target: "≤ 1.0 s", ok: ms <= 1000 }];
}

// (7) `flowdsl test`: wall time of the CLI from start to exit, start-up included, for the
// three-case checkout file (retried charge, declined + compensation, confirmation that never
// comes behind a 3-day sleep) and for every gallery test file, with and without --replay.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { median, type Row } from "./stats.js";

const root = new URL("..", import.meta.url).pathname;

function wallSeconds(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, "bin/flowdsl.js"), "test", ...args], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`flowdsl test ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

export function benchTesting(runs: number): Row[] {
  const n = Math.max(3, Math.min(runs, 5));
  const rounds = (args: string[]): number => median(Array.from({ length: n }, () => wallSeconds(args)));
  const three = rounds(["test/runner/checkout.test.yaml"]);
  const gallery = rounds([]);
  const replay = rounds(["--replay"]);
  return [
    { group: "flowdsl test", measure: "3-case file (checkout), wall incl. start-up", value: `${three.toFixed(1)} s`, target: "≤ 15 s", ok: three <= 15 },
    { group: "flowdsl test", measure: "every gallery test file (25 files, 48 cases)", value: `${gallery.toFixed(1)} s`, target: "≤ 90 s", ok: gallery <= 90 },
    { group: "flowdsl test", measure: "every gallery test file with --replay", value: `${replay.toFixed(1)} s`, target: "—", ok: null },
  ];
}

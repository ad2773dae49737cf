// `npm run bench`: every figure measured in this run on this machine, medians of RUNS runs,
// printed as one table and written to BENCHMARKS.md with the machine and the command.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import type { Row } from "./stats.js";
import { benchValidate } from "./validate.js";
import { benchEngine, DEFAULT_ENGINE_SESSIONS } from "./engine.js";
import { benchInterpreter, benchJsonata } from "./interpreter.js";
import { benchBundle } from "./bundle.js";
import { benchStarts } from "./starts.js";
import { stepRows } from "./step-gaps.js";
import { benchWeb } from "./web.js";
import { benchTesting } from "./testing.js";
import { benchFuel } from "./fuel.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const rows: Row[] = [];
// Node-only sections first: the engine and bundle sections spawn wrangler dev, whose workerd
// would otherwise still be loading the machine.
const ALL: Array<[string, () => Row[] | Promise<Row[]>]> = [
  ["interpreter", () => benchInterpreter(RUNS)],
  ["jsonata", () => benchJsonata()],
  ["validation", () => benchValidate(RUNS)],
  ["engine", () => benchEngine(Number(process.env.BENCH_ENGINE_PAIRS ?? Math.max(RUNS, 101)))], // the local engine is noisy on 2 cores: many pairs
  ["steps", () => stepRows(Number(process.env.BENCH_STEP_ROUNDS ?? 40))],
  ["web", () => benchWeb(RUNS)],
  ["testing", () => benchTesting(RUNS)],
  ["starts", () => benchStarts(Number(process.env.BENCH_START_ROUNDS ?? 16))],
  ["fuel", () => benchFuel()],
  ["bundle", () => benchBundle(RUNS)],
];
// `npm run bench -- interpreter jsonata` runs only those sections.
const only = process.argv.slice(2);
const sections = only.length > 0 ? ALL.filter(([n]) => only.includes(n)) : ALL;
for (const [name, fn] of sections) {
  process.stderr.write(`bench: ${name}…\n`);
  rows.push(...(await fn()));
}

const table = ["| group | measure | median | target | met |", "|---|---|---|---|---|", ...rows.map((r) => `| ${r.group} | ${r.measure} | ${r.value} | ${r.target} | ${r.ok === null ? "—" : r.ok ? "yes" : "**no**"} |`)].join("\n");
console.log(table);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
if (only.length === 0) writeFileSync(
  new URL("../BENCHMARKS.md", import.meta.url),
  `# Benchmarks\n\nMeasured by \`npm run bench\` (medians of ${RUNS} runs; engine: medians of ${process.env.BENCH_ENGINE_PAIRS ?? 101} back-to-back pairs on ${process.env.BENCH_ENGINE_SESSIONS ?? DEFAULT_ENGINE_SESSIONS} engines, the foreach case 40%) on ${new Date().toISOString().slice(0, 10)}.\n\nMachine: ${machine}.\n\n${table}\n\n${readFileSync(new URL("./notes.md", import.meta.url), "utf8")}`,
);

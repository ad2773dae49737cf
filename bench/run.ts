// `npm run bench`: every figure measured in this run on this machine, medians of RUNS runs,
// printed as one table and written to BENCHMARKS.md with the machine and the command.
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import type { Row } from "./stats.js";
import { benchValidate } from "./validate.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const rows: Row[] = [];
const sections: Array<[string, () => Row[] | Promise<Row[]>]> = [["validation", () => benchValidate(RUNS)]];
for (const [name, fn] of sections) {
  process.stderr.write(`bench: ${name}…\n`);
  rows.push(...(await fn()));
}

const table = ["| group | measure | median | target | met |", "|---|---|---|---|---|", ...rows.map((r) => `| ${r.group} | ${r.measure} | ${r.value} | ${r.target} | ${r.ok === null ? "—" : r.ok ? "yes" : "**no**"} |`)].join("\n");
console.log(table);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
writeFileSync(
  new URL("../BENCHMARKS.md", import.meta.url),
  `# Benchmarks\n\nMeasured by \`npm run bench\` (medians of ${RUNS} runs) on ${new Date().toISOString().slice(0, 10)}.\n\nMachine: ${machine}.\n\n${table}\n`,
);

// `flowdsl test [paths…] [--format text|json|junit|github] [--coverage] [--replay]`
// (docs/testing.md). Exit 0 when every case passes, 1 when a case fails or a test file is
// invalid, 2 on a usage error (including: no test files found).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Io } from "./io.js";
import { commandArgs, githubAnnotation, githubCommand } from "./io.js";
import { prettify, TEST_CODES } from "../errors.js";
import type { Diagnostic } from "../errors.js";
import { isTestFile, loadTestFile, namePath } from "../testing/file.js";
import type { TestSuite } from "../testing/file.js";
import { runSuites } from "../testing/runner.js";
import type { CaseReport } from "../testing/runner.js";
import { loadDefinition } from "../definition/load.js";

const FORMATS = ["text", "json", "junit", "github"] as const;
type Format = (typeof FORMATS)[number];

export interface Uncovered {
  definition: string;
  file: string;
  reached: number;
  total: number;
  nodes: Array<{ node: string; name: string; kind: string; line: number; col: number }>;
}

const TEST_USAGE = "Usage: flowdsl test [paths…] [--format text|json|junit|github] [--coverage] [--replay]";

function testArgs(args: string[], io: Io): { paths: string[]; format: Format; coverage: boolean; replay: boolean } | number {
  const parsed = commandArgs("test", args, { format: { type: "string" }, coverage: { type: "boolean" }, replay: { type: "boolean" } }, io, TEST_USAGE, FORMATS);
  if (!parsed) return 2;
  const { values, paths } = parsed;
  return { paths: paths.length > 0 ? paths : ["definitions"], format: (values.format ?? "text") as Format, coverage: values.coverage === true, replay: values.replay === true };
}

export async function testCommand(args: string[], io: Io): Promise<number> {
  const opts = testArgs(args, io);
  if (typeof opts === "number") return opts;
  const files: string[] = [];
  for (const p of opts.paths) {
    const abs = resolve(io.cwd, p);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (!st) {
      io.err(`flowdsl: no such file or folder: ${p}`);
      return 2;
    }
    if (st.isDirectory()) files.push(...readdirSync(abs).filter(isTestFile).sort().map((f) => join(abs, f)));
    else files.push(abs);
  }
  if (files.length === 0) {
    io.err(`flowdsl: no test files (*.test.yaml) in ${opts.paths.join(", ")}`);
    return 2;
  }
  const display = (f: string): string => relative(io.cwd, f) || f;
  const loaded = files.map((f) => loadTestFile(f, display(f), io.cwd));
  const diagnostics = loaded.flatMap((l) => l.diagnostics);
  const suites = loaded.flatMap((l) => (l.suite ? [l.suite] : []));

  const t0 = Date.now();
  const reports = await runSuites(suites, {
    cwd: io.cwd,
    replay: opts.replay,
    onCase: opts.format === "text" ? (r) => io.out(caseLine(r)) : undefined,
  });
  const coverage = opts.coverage ? uncovered(suites, reports) : undefined;
  const failed = reports.filter((r) => !r.passed).length;
  const invalid = diagnostics.some((d) => d.severity === "error");
  const summary = { files: files.length, cases: reports.length, passed: reports.length - failed, failed, invalidFiles: loaded.filter((l) => !l.suite).length, durationMs: Date.now() - t0 };

  if (opts.format === "json") io.out(JSON.stringify({ summary, diagnostics, cases: reports.map(({ ran: _ran, ...r }) => r), ...(coverage ? { coverage } : {}) }, null, 2));
  else if (opts.format === "junit") io.out(junit(reports, diagnostics));
  else if (opts.format === "github") {
    for (const d of diagnostics) io.out(githubAnnotation(d));
    for (const r of reports) for (const f of r.failures) io.out(githubCommand("error", { file: r.file, line: r.line, col: 1 }, f.code, `${r.name}: ${f.code} ${f.message}`));
    if (coverage) for (const c of coverage) for (const n of c.nodes) io.out(githubCommand("notice", { file: c.file, line: n.line, col: n.col }, "not covered", `no case reaches ${n.name} (${n.kind})`));
    io.out(summaryLine(summary));
  } else {
    for (const d of diagnostics) io.err(prettify(d));
    if (coverage) for (const line of coverageText(coverage)) io.out(line);
    io.out(summaryLine(summary));
  }
  return failed > 0 || invalid ? 1 : 0;
}

function caseLine(r: CaseReport): string {
  const head = `${r.passed ? "✓" : "✗"} ${r.file} › ${r.name} (${r.durationMs} ms${r.replayed !== undefined ? `, replayed after ${r.replayed} crash${r.replayed === 1 ? "" : "es"}` : ""})`;
  return [head, ...r.failures.map((f) => `    ${f.code} ${f.message}`)].join("\n");
}

function summaryLine(s: { files: number; cases: number; passed: number; failed: number; invalidFiles: number; durationMs: number }): string {
  return `${s.passed} passed, ${s.failed} failed${s.invalidFiles ? `, ${s.invalidFiles} invalid file${s.invalidFiles > 1 ? "s" : ""}` : ""} (${s.cases} case${s.cases === 1 ? "" : "s"} in ${s.files} file${s.files === 1 ? "" : "s"}, ${(s.durationMs / 1000).toFixed(1)} s)`;
}

/** Nodes of each tested definition that no case reached, with their position in the definition. */
export function uncovered(suites: TestSuite[], reports: CaseReport[]): Uncovered[] {
  const byDefinition = new Map<string, { suite: TestSuite; ran: Set<string> }>();
  for (const s of suites) if (!byDefinition.has(s.definitionFile)) byDefinition.set(s.definitionFile, { suite: s, ran: new Set() });
  for (const r of reports) {
    const s = suites.find((x) => x.file === r.file);
    if (s) for (const id of r.ran) byDefinition.get(s.definitionFile)!.ran.add(id);
  }
  return [...byDefinition.values()].map(({ suite, ran }) => {
    const map = loadDefinition(readFileSync(suite.definitionFile, "utf8"), suite.definitionFile).map;
    const missing = suite.model.nodes.filter((n) => !ran.has(n.id));
    return {
      definition: suite.name,
      file: relative(process.cwd(), suite.definitionFile) || suite.definitionFile,
      reached: suite.model.nodes.length - missing.length,
      total: suite.model.nodes.length,
      nodes: missing.map((n) => ({ node: n.id, name: namePath(n), kind: n.kind, ...map.locate(n.at) })),
    };
  });
}

function coverageText(c: Uncovered[]): string[] {
  return c.flatMap((d) => [
    `coverage ${d.definition}: ${d.reached}/${d.total} nodes reached${d.nodes.length ? "; not reached:" : ""}`,
    ...d.nodes.map((n) => `    ${d.file}:${n.line}:${n.col} ${n.name} (${n.kind})`),
  ]);
}

const xml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function junit(reports: CaseReport[], diagnostics: Diagnostic[]): string {
  const byFile = new Map<string, CaseReport[]>();
  for (const r of reports) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  const invalid = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) if (d.severity === "error") invalid.set(d.file, [...(invalid.get(d.file) ?? []), d]);
  const suites = [
    ...[...byFile].map(([file, rs]) => {
      const failures = rs.filter((r) => !r.passed).length;
      const time = rs.reduce((t, r) => t + r.durationMs, 0) / 1000;
      const cases = rs.map((r) => {
        const body = r.failures.map((f) => `<failure type="${xml(f.code)}" message="${xml(f.message)}">${xml(`${f.code}: ${TEST_CODES[f.code]}`)}</failure>`).join("");
        return `    <testcase classname="${xml(r.definition)}" name="${xml(r.name)}" file="${xml(r.file)}" line="${r.line}" time="${(r.durationMs / 1000).toFixed(3)}">${body}</testcase>`;
      });
      return `  <testsuite name="${xml(file)}" tests="${rs.length}" failures="${failures}" errors="0" time="${time.toFixed(3)}">\n${cases.join("\n")}\n  </testsuite>`;
    }),
    ...[...invalid].map(([file, ds]) => `  <testsuite name="${xml(file)}" tests="1" failures="0" errors="1">\n    <testcase classname="flowdsl" name="test file is valid" file="${xml(file)}"><error type="${xml(ds[0]!.code)}" message="${xml(ds.map(prettify).join("\n"))}"/></testcase>\n  </testsuite>`),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join("\n")}\n</testsuites>`;
}

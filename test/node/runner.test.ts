// `flowdsl test`, run as a user runs it (the CLI as a subprocess, the local engine through
// wrangler's test harness): passing and failing cases, their codes, invalid test files with
// positions, exit codes, formats, coverage, test time and --replay.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_CODES, DEFINITION_CODES } from "../../src/errors.js";
import { replayCase } from "../../src/testing/runner.js";

const root = new URL("../..", import.meta.url).pathname;
const bin = join(root, "bin/flowdsl.js");

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, "test", ...args], { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

interface JsonReport {
  summary: { cases: number; passed: number; failed: number; invalidFiles: number };
  diagnostics: Array<{ code: string; file: string; line: number; col: number; message: string }>;
  cases: Array<{ file: string; name: string; passed: boolean; status: string; failures: Array<{ code: string; message: string }>; replayed?: number }>;
  coverage?: Array<{ definition: string; reached: number; total: number; nodes: Array<{ name: string; kind: string; line: number; col: number }> }>;
}

const json = (stdout: string): JsonReport => JSON.parse(stdout) as JsonReport;
const byName = (r: JsonReport, name: string) => {
  const c = r.cases.find((x) => x.name === name);
  if (!c) throw new Error(`no case "${name}" in ${r.cases.map((x) => x.name).join(", ")}`);
  return c;
};

describe("flowdsl test", () => {
  it("runs a retried charge, a declined one that compensates and a confirmation that never comes, and passes", async () => {
    const r = await run(["test/runner/checkout.test.yaml", "--format", "json", "--coverage"]);
    expect(r.code, r.stderr).toBe(0);
    const report = json(r.stdout);
    expect(report.summary).toMatchObject({ cases: 3, passed: 3, failed: 0 });
    expect(report.cases.map((c) => c.status).sort()).toEqual(["complete", "errored", "errored"]);
    expect(report.coverage?.[0]).toMatchObject({ definition: "checkout", reached: 6, total: 6, nodes: [] });
  });

  it("fails cases with the code of each unmet expectation, and exits 1", async () => {
    const r = await run(["test/runner/checkout.fails.test.yaml", "test/runner/escalation.test.yaml", "--format", "json", "--coverage"]);
    expect(r.code).toBe(1);
    const report = json(r.stdout);
    expect(report.summary).toMatchObject({ cases: 5, passed: 2, failed: 3 });
    const wrong = byName(report, "expects the wrong output and calls");
    expect(wrong.failures.map((f) => f.code)).toEqual(["EXPECT_OUTPUT", "EXPECT_CALLS"]);
    expect(wrong.failures[0]!.message).toContain(".charge");
    expect(wrong.failures[1]!.message).toMatch(/expected 1 call, got 2/);
    const unmocked = byName(report, "forgets to mock the charge");
    expect(unmocked.failures.map((f) => f.code)).toEqual(["UNMOCKED_CALL"]);
    expect(unmocked.failures[0]!.message).toMatch(/^charge: POST https:\/\/payments\.example\.com\/charges/);
    expect(byName(report, "expects completion of a declined order").failures.map((f) => f.code)).toEqual(["EXPECT_STATUS"]);
    // Test time: the event that arrives at once wins the race against a one-day sleep; one
    // that arrives after two days loses to it.
    expect(byName(report, "an answer at once beats the reminder a day later").passed).toBe(true);
    expect(byName(report, "an answer after two days comes after the reminder").passed).toBe(true);
    const checkout = report.coverage?.find((c) => c.definition === "checkout");
    expect(checkout?.nodes).toEqual([{ node: "/steps/1/compensate/0", name: "charge/compensate/refund", kind: "http", line: 31, col: 9 }]);
    for (const c of report.cases) for (const f of c.failures) expect(Object.keys(TEST_CODES)).toContain(f.code);
  });

  it.for([
    { file: "unknown-node.bad.test.yaml", code: "TEST_UNKNOWN_NODE", line: 8, col: 7, hint: 'Did you mean "charge"?' },
    { file: "unknown-node.bad.test.yaml", code: "TEST_MOCK_KIND", line: 9, col: 7, hint: "sleep node" },
    { file: "unknown-node.bad.test.yaml", code: "TEST_UNKNOWN_EVENT", line: 11, col: 18, hint: 'Did you mean "confirm"?' },
    { file: "unknown-node.bad.test.yaml", code: "TEST_UNKNOWN_NODE", line: 14, col: 13, hint: 'Did you mean "refund"?' },
    { file: "schema.bad.test.yaml", code: "WRONG_TYPE", line: 7, col: 25, hint: "integer" },
    { file: "schema.bad.test.yaml", code: "UNKNOWN_FIELD", line: 7, col: 32, hint: "Did you mean `body`?" },
    { file: "schema.bad.test.yaml", code: "INVALID_VALUE", line: 9, col: 15, hint: "complete, errored" },
    { file: "nowhere.bad.test.yaml", code: "TEST_UNKNOWN_DEFINITION", line: 1, col: 13, hint: "no-such-definition" },
  ])("reports $code at $file:$line:$col", async ({ file, code, line, col, hint }) => {
    const r = await run([`test/runner/${file}`, "--format", "json"]);
    expect(r.code).toBe(1);
    const report = json(r.stdout);
    expect(report.summary).toMatchObject({ cases: 0, invalidFiles: 1 });
    const d = report.diagnostics.find((x) => x.code === code && x.line === line);
    expect(d, JSON.stringify(report.diagnostics)).toBeDefined();
    expect(d).toMatchObject({ file: `test/runner/${file}`, col });
    expect(d!.message).toContain(hint);
    expect(Object.keys(DEFINITION_CODES)).toContain(code);
  });

  it.for([
    { args: ["--format", "xml"], why: "--format takes" },
    { args: ["--frobnicate"], why: "unknown option" },
    { args: ["no/such/folder"], why: "no such file or folder" },
    { args: [mkdtempSync(join(tmpdir(), "flowdsl-empty-"))], why: "no test files" },
  ])("exits 2 on a usage error ($why)", async ({ args, why }) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(why);
  });

  it("writes JUnit XML with one failure element per unmet expectation", async () => {
    const r = await run(["test/runner/checkout.fails.test.yaml", "--format", "junit"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites>/);
    expect(r.stdout).toContain('<testsuite name="test/runner/checkout.fails.test.yaml" tests="3" failures="3"');
    expect(r.stdout.match(/<failure type="/g)?.length).toBe(4);
    expect(r.stdout).toContain('<failure type="UNMOCKED_CALL"');
  });

  it("--replay crashes each case after every step and gets the same outcome, no finished step run twice", async () => {
    const r = await run(["test/runner/checkout.test.yaml", "test/runner/escalation.test.yaml", "test/runner/rounds.test.yaml", "--replay", "--format", "json"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = json(r.stdout);
    // hold stock, charge, cooling off, confirmation: a crash after each of the first three.
    expect(byName(report, "the charge is retried, then confirmed").replayed).toBe(3);
    expect(report.cases.every((c) => c.passed && (c.replayed ?? 0) >= 1)).toBe(true);
    // Two rounds of a race: round 1's losing wait hands round 2's event back (its claim).
    expect(byName(report, "approved in the first round, rejected in the second").passed).toBe(true);
  });

  it("passes every gallery definition's test file, with GitHub annotations for nothing", async () => {
    const r = await run(["--format", "github"]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(/^::error/m);
    expect(r.stdout.trim().split("\n").pop()).toMatch(/^(\d+) passed, 0 failed \(\1 cases in 25 files/);
  });
});

describe("--replay's verdicts", () => {
  const steps = [
    { name: "a", count: 1, type: "do" as const },
    { name: "b", count: 1, type: "do" as const },
    { name: "c", count: 1, type: "do" as const },
  ];
  const trace = (bodyRuns: Record<string, number>) => ({ ran: [], calls: {}, unmocked: [], steps, bodyRuns, waits: {}, runs: 1, answers: [] });
  const plan = { mocks: {}, events: [] };
  const aCase = { name: "x", line: 1, input: {}, plan, timeoutMs: 1000, expect: { status: "complete" as const, output: { value: { value: 1 } }, calls: [], ran: [], notRan: [] } };
  const first = { status: "complete" as const, output: { value: 1 }, trace: trace({ "a#1": 1, "b#1": 1, "c#1": 1 }) };

  it("restarts after each step but the last, keeping the steps before", async () => {
    const asked: Array<{ from: string; kept: string[] }> = [];
    const r = await replayCase(async (from, _events, kept) => {
      asked.push({ from: from.name, kept });
      return { status: "complete", output: { value: 1 }, trace: trace({ [`${from.name}#1`]: 1 }) };
    }, aCase, first);
    expect(r).toEqual({ failures: [], replayed: 2 });
    expect(asked).toEqual([{ from: "b", kept: ["a#1"] }, { from: "c", kept: ["a#1", "b#1"] }]);
  });

  it("REPLAY_RERAN_STEP when a kept step runs its body again", async () => {
    const r = await replayCase(async (from) => ({ status: "complete", output: { value: 1 }, trace: trace({ "a#1": 1, [`${from.name}#1`]: 1 }) }), aCase, first);
    expect(r.failures.map((f) => f.code)).toEqual(["REPLAY_RERAN_STEP"]);
    expect(r.failures[0]!.message).toContain('after a crash after step "a"');
  });

  it("REPLAY_DIVERGED when the case's expectations fail after a crash", async () => {
    const r = await replayCase(async (from) => ({ status: "complete", output: { value: from.name === "c" ? 2 : 1 }, trace: trace({}) }), aCase, first);
    expect(r.failures.map((f) => f.code)).toEqual(["REPLAY_DIVERGED"]);
    expect(r.replayed).toBe(2);
    expect(r.failures[0]!.message).toMatch(/after a crash after step "b": EXPECT_OUTPUT/);
  });
});

// Conformance cases as data files, each with exactly one expected outcome on its first line:
// `# expect: CODE line:col` (one diagnostic), `# expect: valid`, or `# expect: budget N`
// (valid, and the worst-case step count is N). Invalid fixtures name one error; scope and
// budget fixtures pair valid and invalid cases of one rule.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateFiles } from "../../src/cli/main.js";
import { isTestFile } from "../../src/testing/file.js";
import { DEFINITION_CODES } from "../../src/errors.js";

const root = new URL("../..", import.meta.url).pathname;
const yamlIn = (dir: string): string[] => readdirSync(join(root, dir)).filter((f) => /\.ya?ml$/.test(f) && !isTestFile(f)).sort().map((f) => join(dir, f));

type Expectation = { file: string } & ({ kind: "diagnostic"; code: string; line: number; col: number } | { kind: "valid" } | { kind: "budget"; steps: number });

function expectationOf(file: string): Expectation {
  const first = readFileSync(join(root, file), "utf8").split("\n")[0] ?? "";
  const d = /^# expect: ([A-Z_]+) (\d+):(\d+)$/.exec(first);
  if (d) return { file, kind: "diagnostic", code: d[1]!, line: Number(d[2]), col: Number(d[3]) };
  if (/^# expect: valid$/.test(first)) return { file, kind: "valid" };
  const b = /^# expect: budget (\d+)$/.exec(first);
  if (b) return { file, kind: "budget", steps: Number(b[1]) };
  throw new Error(`${file}: first line must be "# expect: CODE line:col", "# expect: valid" or "# expect: budget N"`);
}

const WARNINGS = new Set(["STEP_BUDGET_FREE_PLAN"]);

function check(e: Expectation): void {
  const [r] = validateFiles([join(root, e.file)], undefined, { budget: true });
  if (e.kind === "diagnostic") {
    expect(e.code in DEFINITION_CODES).toBe(true);
    expect(r!.diagnostics.map((d) => ({ code: d.code, line: d.line, col: d.col }))).toEqual([{ code: e.code, line: e.line, col: e.col }]);
    expect(r!.valid).toBe(WARNINGS.has(e.code));
    expect(r!.diagnostics[0]!.message.length).toBeGreaterThan(20);
  } else {
    expect(r!.diagnostics).toEqual([]);
    expect(r!.valid).toBe(true);
    if (e.kind === "budget") expect(r!.budget?.total).toBe(e.steps);
  }
}

const invalid = yamlIn("test/fixtures/invalid").map(expectationOf);
describe("invalid definitions", () => {
  it("has at least 40 cases, each naming one error", () => {
    expect(invalid.length).toBeGreaterThanOrEqual(40);
    expect(invalid.every((e) => e.kind === "diagnostic")).toBe(true);
  });
  it.for(invalid)("$file", (e) => check(e));
});

const scope = yamlIn("test/fixtures/scope").map(expectationOf);
describe("variable scopes", () => {
  it("has at least 20 cases, valid and invalid", () => {
    expect(scope.length).toBeGreaterThanOrEqual(20);
    expect(scope.filter((e) => e.kind === "valid").length).toBeGreaterThanOrEqual(10);
    expect(scope.filter((e) => e.kind === "diagnostic" && e.code === "UNKNOWN_VARIABLE").length).toBeGreaterThanOrEqual(10);
  });
  it.for(scope)("$file", (e) => check(e));
});

const budget = yamlIn("test/fixtures/budget").map(expectationOf);
describe("step budget", () => {
  it.for(budget)("$file", (e) => check(e));
});

const valid = [...yamlIn("definitions"), ...yamlIn("test/fixtures/valid"), ...yamlIn("test/definitions")];
describe("valid definitions", () => {
  it.for(valid)("%s is valid", (file) => {
    const [r] = validateFiles([join(root, file)]);
    expect(r!.diagnostics).toEqual([]);
    expect(r!.valid).toBe(true);
  });
});

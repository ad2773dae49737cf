// The CLI as a user runs it: a real subprocess, its exit codes and its three formats.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;
const bin = join(root, "bin/flowdsl.js");
const dir = mkdtempSync(join(tmpdir(), "flowdsl-cli-"));
const good = join(dir, "good");
const bad = join(dir, "bad");

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  mkdirSync(good);
  mkdirSync(bad);
  writeFileSync(join(good, "alpha.yaml"), "name: alpha\nsteps:\n  - do: one\n    value: 1\n  - workflow: child\n    definition: beta\n");
  writeFileSync(join(good, "beta.yml"), "name: beta\nsteps:\n  - sleep: nap\n    for: 5m\n");
  writeFileSync(join(bad, "gamma.yaml"), "name: gamma\nsteps:\n  - htp: call\n    url: https://example.com\n  - sleep: nap\n    for: forever\n");
});

describe("flowdsl validate", () => {
  it("exits 0 on valid definitions (a folder, .yaml and .yml)", () => {
    const r = run(["validate", good]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("2 definitions valid");
  });

  it("exits 1 and prints file:line:col error CODE message", () => {
    const r = run(["validate", "bad/gamma.yaml"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines.map((l) => l.split(" ").slice(0, 3).join(" "))).toEqual(["bad/gamma.yaml:3:5 error UNKNOWN_KIND", "bad/gamma.yaml:6:10 error INVALID_DURATION"]);
  });

  it("json format lists files and diagnostics", () => {
    const r = run(["validate", good, bad, "--format", "json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { valid: boolean; files: Array<{ file: string; valid: boolean; diagnostics: Array<{ code: string; line: number; col: number; path: string }> }> };
    expect(out.valid).toBe(false);
    expect(out.files.map((f) => [f.file, f.valid])).toEqual([["good/alpha.yaml", true], ["good/beta.yml", true], ["bad/gamma.yaml", false]]);
    expect(out.files[2]!.diagnostics.map((d) => [d.code, d.line, d.col, d.path])).toEqual([
      ["UNKNOWN_KIND", 3, 5, "/steps/0/htp"],
      ["INVALID_DURATION", 6, 10, "/steps/1/for"],
    ]);
  });

  it("github format prints workflow-command annotations", () => {
    const r = run(["validate", "--format=github", bad]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^::error file=bad\/gamma\.yaml,line=3,col=5,title=UNKNOWN_KIND::UNKNOWN_KIND /);
    expect(lines[1]).toMatch(/^::error file=bad\/gamma\.yaml,line=6,col=10,title=INVALID_DURATION::/);
  });

  it("checks workflow.definition against the folder", () => {
    writeFileSync(join(dir, "lonely.yaml"), "name: lonely\nsteps:\n  - workflow: child\n    definition: beta\n");
    const r = run(["validate", "lonely.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("lonely.yaml:4:17 error UNKNOWN_DEFINITION");
  });

  it.for([
    { args: ["validate", "--format", "xml"], why: "an unknown format" },
    { args: ["validate", "--frobnicate"], why: "an unknown option" },
    { args: ["validate", "no/such/place"], why: "a missing path" },
    { args: ["compile"], why: "an unknown command" },
    { args: [], why: "no command" },
  ])("exits 2 on $why", ({ args }) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/flowdsl|Usage/);
    expect(r.stdout).toBe("");
  });

  it("--budget prints the worst-case steps node by node, largest first", () => {
    writeFileSync(join(dir, "loops.yaml"), "name: loops\ninput: { type: object, properties: { xs: { type: array, maxItems: 7 } } }\nsteps:\n  - do: first\n    value: 1\n  - foreach: xs\n    in: $input.xs\n    steps:\n      - http: call\n        url: https://api.example.com/x\n");
    const r = run(["validate", "loops.yaml", "--budget"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^loops\.yaml: at most 9 steps per instance \(within every plan's limit/);
    expect(lines.slice(1).map((l) => l.trim().split(/\s{2,}/).slice(0, 2))).toEqual([["xs[{i}]/call", "7"], ["first", "1"], ["(reporting to a parent, when run as a child)", "1"]]);
    const json = JSON.parse(run(["validate", "loops.yaml", "--budget", "--format", "json"]).stdout) as { files: Array<{ budget: { total: number; rows: Array<{ node: string; total: number; loops: Array<{ bound: number }> }> } }> };
    expect(json.files[0]!.budget.total).toBe(9);
    expect(json.files[0]!.budget.rows[0]).toMatchObject({ node: "/steps/1/steps/0", total: 7, loops: [{ bound: 7 }] });
  });

  it("a budget over Cloudflare's maximum is an error; over the Free plan a warning that still exits 0", () => {
    const body = (n: number): string => Array.from({ length: n }, (_, i) => `      - do: s${i}\n        value: ${i}\n`).join("");
    writeFileSync(join(dir, "huge.yaml"), `name: huge\nsteps:\n  - do: list\n    value: [1]\n    as: xs\n  - foreach: all\n    in: $xs\n    steps:\n${body(3)}`);
    writeFileSync(join(dir, "big.yaml"), `name: big\nsteps:\n  - do: list\n    value: [1]\n    as: xs\n  - foreach: all\n    in: $xs\n    max: 500\n    steps:\n${body(3)}`);
    const huge = run(["validate", "huge.yaml", "--format", "github"]);
    expect(huge.code).toBe(1);
    expect(huge.stdout).toMatch(/^::error file=huge\.yaml,line=6,col=5,title=STEP_BUDGET::STEP_BUDGET In the worst case an instance runs 30002 steps/);
    const big = run(["validate", "big.yaml", "--format", "github"]);
    expect(big.code).toBe(0);
    expect(big.stdout).toMatch(/^::warning file=big\.yaml,line=6,col=5,title=STEP_BUDGET_FREE_PLAN::/);
  });

  it("graph prints a definition's picture: Mermaid by default, SVG and DOT on request; an invalid file exits 1", () => {
    const mermaid = run(["graph", "good/alpha.yaml"]);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout).toMatch(/^flowchart TD\n/);
    expect(mermaid.stdout).toContain('"do: one"');
    expect(mermaid.stdout).toContain('"workflow beta"');
    const svg = run(["graph", "good/alpha.yaml", "--format", "svg"]);
    expect(svg.code).toBe(0);
    expect(svg.stdout).toMatch(/^<svg [^>]*>/);
    expect(svg.stdout).toContain('data-node="/steps/0"');
    expect(run(["graph", "good/alpha.yaml", "--format=dot"]).stdout).toMatch(/^digraph "alpha" \{/);
    const bad = run(["graph", "bad/gamma.yaml"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("bad/gamma.yaml:3:5 error UNKNOWN_KIND");
    expect(run(["graph", "good/alpha.yaml", "--format", "png"]).code).toBe(2);
    expect(run(["graph"]).code).toBe(2);
  });

  it("npm run validate checks the shipped definitions", () => {
    const out = execFileSync("npm", ["run", "--silent", "validate"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(out).toBe("");
  });
});

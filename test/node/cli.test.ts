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

  it("npm run validate checks the shipped definitions", () => {
    const out = execFileSync("npm", ["run", "--silent", "validate"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(out).toBe("");
  });
});

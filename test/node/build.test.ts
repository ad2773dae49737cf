// The build step: definitions → a validated module; an invalid definition fails the build.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;
const build = (args: string[]) => spawnSync(join(root, "node_modules/.bin/tsx"), [join(root, "scripts/build.ts"), ...args], { encoding: "utf8" });

describe("build", () => {
  it("fails on an invalid definition, names it with its position, and writes nothing", () => {
    const out = mkdtempSync(join(tmpdir(), "flowdsl-build-"));
    const r = build(["--definitions", join(root, "test/fixtures/invalid"), "--out", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/http-missing-url\.yaml:4:5 error MISSING_FIELD/);
    expect(existsSync(join(out, "definitions.ts"))).toBe(false);
  });

  it("writes the definitions with their hashes and standalone input validators", () => {
    const defs = mkdtempSync(join(tmpdir(), "flowdsl-defs-"));
    const out = join(defs, "out");
    mkdirSync(out);
    writeFileSync(join(defs, "one.yaml"), "name: one\ninput: { type: object, required: [x] }\nsteps:\n  - do: a\n    value: 1\n");
    const r = build(["--definitions", defs, "--out", out]);
    expect(r.status).toBe(0);
    const module = readFileSync(join(out, "definitions.ts"), "utf8");
    expect(module).toMatch(/"hash": "[0-9a-f]{16}"/);
    const validators = readFileSync(join(out, "input-validators.ts"), "utf8");
    expect(validators).toContain("export const v0");
    expect(validators).not.toMatch(/require\(|new Function/);
  });
});

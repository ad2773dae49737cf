// Conformance cases as data files: each invalid fixture names exactly one expected
// diagnostic (code and position) on its first line; each valid definition has none.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateFiles } from "../../src/cli/main.js";

const root = new URL("../..", import.meta.url).pathname;
const yamlIn = (dir: string): string[] => readdirSync(join(root, dir)).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));

const invalid = yamlIn("test/fixtures/invalid").map((file) => {
  const m = /^# expect: ([A-Z_]+) (\d+):(\d+)$/m.exec(readFileSync(join(root, file), "utf8").split("\n")[0] ?? "");
  if (!m) throw new Error(`${file}: first line must be "# expect: CODE line:col"`);
  return { file, code: m[1]!, line: Number(m[2]), col: Number(m[3]) };
});

describe("invalid definitions", () => {
  it("has at least 40 cases", () => {
    expect(invalid.length).toBeGreaterThanOrEqual(40);
  });
  it.for(invalid)("$file → $code at $line:$col", ({ file, code, line, col }) => {
    const [r] = validateFiles([join(root, file)]);
    expect(r!.valid).toBe(false);
    expect(r!.diagnostics.map((d) => ({ code: d.code, line: d.line, col: d.col }))).toEqual([{ code, line, col }]);
    expect(r!.diagnostics[0]!.message.length).toBeGreaterThan(20);
  });
});

const valid = [...yamlIn("definitions"), ...yamlIn("test/fixtures/valid"), ...yamlIn("test/definitions")];
describe("valid definitions", () => {
  it.for(valid)("%s is valid", (file) => {
    const [r] = validateFiles([join(root, file)]);
    expect(r!.diagnostics).toEqual([]);
    expect(r!.valid).toBe(true);
  });
});

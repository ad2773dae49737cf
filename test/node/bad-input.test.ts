// Hostile or broken files: each gets one clear diagnostic with a position, never an exception.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateFiles } from "../../src/cli/main.js";
import { MAX_YAML_DEPTH } from "../../src/definition/load.js";

const dir = mkdtempSync(join(tmpdir(), "flowdsl-bad-"));
function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const aliasBomb = ["name: bomb", 'a: &a ["x","x","x","x","x","x","x","x","x"]']
  .concat(["b", "c", "d", "e", "f", "g", "h", "i"].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdefghi"[i]}`).join(",")}]`))
  .concat(["steps: *i"])
  .join("\n");
const deep = "name: deep\nsteps:\n" + Array.from({ length: 200 }, (_, i) => "  ".repeat(i + 1) + "- steps:").join("\n") + "\n";
const big = "name: big\nsteps:\n" + "  - do: x\n    value: " + "y".repeat(5 * 1024 * 1024) + "\n";
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe]);
const latin1 = new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xe9, 0xe8, 0x0a]);

const cases: Array<{ what: string; name: string; content: string | Uint8Array; code: string; line: number; col: number }> = [
  { what: "an empty file", name: "empty.yaml", content: "", code: "FILE_EMPTY", line: 1, col: 1 },
  { what: "only comments", name: "comments.yaml", content: "# nothing\n# here\n", code: "FILE_EMPTY", line: 1, col: 1 },
  { what: "a file that is not YAML", name: "html.yaml", content: "<html>\n  <body>: {oops\n</html>\n", code: "YAML_SYNTAX", line: 1, col: 1 },
  { what: "a YAML list at the top", name: "list.yaml", content: "- name: list\n- steps: []\n", code: "NOT_A_MAPPING", line: 1, col: 1 },
  { what: "an alias bomb", name: "bomb.yaml", content: aliasBomb, code: "YAML_ALIAS_LIMIT", line: 3, col: 8 },
  { what: "a 5 MB file", name: "big.yaml", content: big, code: "FILE_TOO_LARGE", line: 1, col: 1 },
  { what: "a binary file", name: "image.yaml", content: png, code: "FILE_NOT_TEXT", line: 1, col: 1 },
  { what: "a file that is not UTF-8", name: "latin1.yaml", content: latin1, code: "FILE_NOT_TEXT", line: 1, col: 1 },
  // Each "- steps:" line opens two YAML levels (a list and a map): the first collection past
  // MAX_YAML_DEPTH is the list on line MAX_YAML_DEPTH / 2 + 2.
  { what: "a definition nested 200 levels deep", name: "deep.yaml", content: deep, code: "YAML_TOO_DEEP", line: MAX_YAML_DEPTH / 2 + 2, col: MAX_YAML_DEPTH + 3 },
];

describe("bad input", () => {
  it.for(cases)("$what → $code at $line:$col", ({ name, content, code, line, col }) => {
    const [r] = validateFiles([file(name, content)]);
    expect(r!.valid).toBe(false);
    expect(r!.diagnostics.map((d) => ({ code: d.code, line: d.line, col: d.col }))).toEqual([{ code, line, col }]);
  });

  it("a missing file is reported, not thrown", () => {
    const [r] = validateFiles([join(dir, "nope.yaml")]);
    expect(r!.diagnostics.map((d) => d.code)).toEqual(["FILE_UNREADABLE"]);
  });
});

// `flowdsl validate [paths…] [--format text|json|github]` (SPEC §6).
// Exit codes: 0 valid, 1 invalid, 2 usage error.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve, relative } from "node:path";
import { prettify } from "../errors.js";
import type { Diagnostic } from "../errors.js";
import { decodeDefinition } from "../definition/load.js";
import { validateDefinitionText } from "../definition/validate.js";

export const EXIT_VALID = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;
const FORMATS = ["text", "json", "github"] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `Usage: flowdsl validate [paths…] [--format text|json|github]

Validates workflow definitions (files, or folders of *.yaml/*.yml; default: definitions/).
Exit code 0 when all are valid, 1 when any is invalid, 2 on a usage error.`;

export interface Io {
  out(s: string): void;
  err(s: string): void;
  cwd: string;
}

const defaultIo: Io = { out: (s) => process.stdout.write(s + "\n"), err: (s) => process.stderr.write(s + "\n"), cwd: process.cwd() };

export const isDefinitionFile = (f: string): boolean => [".yaml", ".yml"].includes(extname(f));
const stemOf = (f: string): string => basename(f, extname(f));

export interface FileResult {
  file: string;
  valid: boolean;
  diagnostics: Diagnostic[];
}

/** Validates files; `workflow.definition` is checked against the definitions in each file's folder. */
export function validateFiles(files: string[], display: (f: string) => string = (f) => f): FileResult[] {
  const siblings = new Map<string, Set<string>>();
  const known = (dir: string): Set<string> => {
    let s = siblings.get(dir);
    if (!s) {
      s = new Set(safeReaddir(dir).filter(isDefinitionFile).map(stemOf));
      siblings.set(dir, s);
    }
    return s;
  };
  return files.map((f) => {
    const file = display(f);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(f);
    } catch (e) {
      return { file, valid: false, diagnostics: [{ code: "FILE_UNREADABLE", severity: "error", message: `Cannot read the file: ${(e as Error).message}.`, file, line: 1, col: 1, path: "" }] };
    }
    const decoded = decodeDefinition(bytes, file);
    if (decoded.text === undefined) return { file, valid: false, diagnostics: decoded.diagnostics };
    const r = validateDefinitionText(decoded.text, file, { stem: stemOf(f), knownDefinitions: known(dirname(f)) });
    return { file, valid: r.definition !== undefined, diagnostics: r.diagnostics };
  });
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export function main(argv: string[], io: Io = defaultIo): number {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    io.out(USAGE);
    return EXIT_VALID;
  }
  if (command !== "validate") {
    io.err(command === undefined ? USAGE : `flowdsl: unknown command "${command}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  let format: Format = "text";
  const paths: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--format" || a.startsWith("--format=")) {
      const v = a.includes("=") ? a.slice("--format=".length) : rest[++i];
      if (!FORMATS.includes(v as Format)) {
        io.err(`flowdsl: --format takes text, json or github, not "${v ?? ""}"`);
        return EXIT_USAGE;
      }
      format = v as Format;
    } else if (a === "--help" || a === "-h") {
      io.out(USAGE);
      return EXIT_VALID;
    } else if (a.startsWith("-")) {
      io.err(`flowdsl: unknown option "${a}"\n\n${USAGE}`);
      return EXIT_USAGE;
    } else paths.push(a);
  }
  if (paths.length === 0) paths.push("definitions");
  const files: string[] = [];
  for (const p of paths) {
    const abs = resolve(io.cwd, p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      io.err(`flowdsl: no such file or folder: ${p}`);
      return EXIT_USAGE;
    }
    if (st.isDirectory()) files.push(...safeReaddir(abs).filter(isDefinitionFile).map((f) => join(abs, f)));
    else files.push(abs);
  }
  const results = validateFiles(files, (f) => relative(io.cwd, f) || f);
  const valid = results.every((r) => r.valid);
  if (format === "json") {
    io.out(JSON.stringify({ valid, files: results }, null, 2));
  } else if (format === "github") {
    for (const r of results) for (const d of r.diagnostics) io.out(githubAnnotation(d));
  } else {
    for (const r of results) for (const d of r.diagnostics) io.out(prettify(d));
    const bad = results.filter((r) => !r.valid).length;
    io.err(valid ? `${results.length} definition${results.length === 1 ? "" : "s"} valid` : `${bad} of ${results.length} definition${results.length === 1 ? "" : "s"} invalid`);
  }
  return valid ? EXIT_VALID : EXIT_INVALID;
}

/** GitHub Actions workflow command: ::error file=…,line=…,col=…,title=CODE::message */
export function githubAnnotation(d: Diagnostic): string {
  const prop = (s: string): string => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/:/g, "%3A").replace(/,/g, "%2C");
  const data = (s: string): string => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  return `::${d.severity} file=${prop(d.file)},line=${d.line},col=${d.col},title=${prop(d.code)}::${data(`${d.code} ${d.message}`)}`;
}

// `flowdsl validate [paths…] [--format text|json|github]` (docs/reference.md, Validation).
// Exit codes: 0 valid, 1 invalid, 2 usage error.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join, resolve, relative } from "node:path";
import { prettify } from "../errors.js";
import type { Diagnostic } from "../errors.js";
import { decodeDefinition } from "../definition/load.js";
import { validateDefinitionText } from "../definition/validate.js";
import { modelOf } from "../model/model.js";
import { graphOf, toDot, toMermaid } from "../model/graph.js";
import { toSvg } from "./graph-svg.js";
import { generateTypes } from "./types.js";
import { isTestFile } from "../testing/file.js";
import { testCommand } from "./test.js";
import { commandArgs, defaultIo, EXIT_INVALID, EXIT_USAGE, EXIT_VALID, githubAnnotation } from "./io.js";
import type { Io } from "./io.js";

export type { Io } from "./io.js";
export { EXIT_INVALID, EXIT_USAGE, EXIT_VALID, githubAnnotation } from "./io.js";
import { DEFAULT_MAX_STEPS, ENGINE_MAX_STEPS, FREE_PLAN_MAX_STEPS, stepBudget } from "../model/budget.js";

const FORMATS = ["text", "json", "github"] as const;
type Format = (typeof FORMATS)[number];

const USAGE = `Usage: flowdsl validate [paths…] [--format text|json|github] [--budget]
       flowdsl graph <file> [--format mermaid|svg|dot]
       flowdsl types [paths…] [--out FILE]
       flowdsl test [paths…] [--format text|json|junit|github] [--coverage] [--replay]

validate: checks workflow definitions (files, or folders of *.yaml/*.yml; default:
definitions/). --budget also prints each valid definition's worst-case step count, node by node.
graph: prints the picture of one definition (default Mermaid, which renders on GitHub).
types: TypeScript types of every definition's input and a typed API client (stdout, or --out).
test: runs the cases of *.test.yaml files (default: definitions/) on the local engine, with
their mocks; --coverage lists nodes no case reached; --replay also crashes each case after
every step and checks that it ends the same.
Exit code 0 on success, 1 when a definition is invalid or a test fails, 2 on a usage error.`;


/** A definition file: *.yaml or *.yml, but not a test file (*.test.yaml). */
export const isDefinitionFile = (f: string): boolean => [".yaml", ".yml"].includes(extname(f)) && !isTestFile(f);
const stemOf = (f: string): string => basename(f, extname(f));

export interface FileResult {
  file: string;
  valid: boolean;
  diagnostics: Diagnostic[];
  /** The step budget of a valid definition (with --budget). */
  budget?: BudgetReport;
}

export interface BudgetReport {
  total: number;
  limits: { freePlan: number; default: number; maximum: number };
  rows: Array<{ node: string; kind: string; step: string; steps: number; loops: Array<{ node: string; bound: number; why: string }>; total: number }>;
}

/** Validates files; `workflow.definition` is checked against the definitions in each file's folder. */
export function validateFiles(files: string[], display: (f: string) => string = (f) => f, opts: { budget?: boolean } = {}): FileResult[] {
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
    const budget = opts.budget && r.definition ? budgetReport(r.definition) : undefined;
    return { file, valid: r.definition !== undefined, diagnostics: r.diagnostics, ...(budget ? { budget } : {}) };
  });
}

function budgetReport(def: { steps: unknown; input?: unknown }): BudgetReport {
  const b = stepBudget(modelOf(def).root, def.input);
  return {
    total: b.total,
    limits: { freePlan: FREE_PLAN_MAX_STEPS, default: DEFAULT_MAX_STEPS, maximum: ENGINE_MAX_STEPS },
    rows: [
      ...[...b.rows].sort((x, y) => y.total - x.total).map((r) => ({ node: r.node.id, kind: r.node.kind, step: r.node.path.text, steps: r.steps, loops: r.loops.map((l) => ({ node: l.node.id, bound: l.bound, why: l.why })), total: r.total })),
      { node: "", kind: "instance", step: "(reporting to a parent, when run as a child)", steps: b.notifyParent, loops: [], total: b.notifyParent },
    ],
  };
}

function budgetText(file: string, b: BudgetReport): string[] {
  const verdict = b.total > b.limits.maximum ? "over Cloudflare's maximum" : b.total > b.limits.default ? "over the default: the workflow gets limits.steps" : b.total > b.limits.freePlan ? "over the Free plan's limit" : "within every plan's limit";
  const width = Math.min(60, Math.max(...b.rows.map((r) => r.step.length)));
  return [
    `${file}: at most ${b.total} steps per instance (${verdict}; Free plan ${b.limits.freePlan}, default ${b.limits.default}, maximum ${b.limits.maximum})`,
    ...b.rows.map((r) => `  ${r.step.padEnd(width)}  ${String(r.total).padStart(6)}${r.loops.length ? `  = ${r.steps} × ${r.loops.map((l) => `${l.bound} (${l.why})`).join(" × ")}` : ""}`),
  ];
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export function main(argv: string[], io: Io = defaultIo): number | Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    io.out(USAGE);
    return EXIT_VALID;
  }
  if (command === "graph") return graphCommand(rest, io);
  if (command === "types") return typesCommand(rest, io);
  if (command === "test") return testCommand(rest, io);
  if (command !== "validate") {
    io.err(command === undefined ? USAGE : `flowdsl: unknown command "${command}"\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const parsed = commandArgs("validate", rest, { format: { type: "string" }, budget: { type: "boolean" } }, io, USAGE, FORMATS);
  if (!parsed) return EXIT_USAGE;
  if (parsed.values.help) {
    io.out(USAGE);
    return EXIT_VALID;
  }
  const format = (parsed.values.format ?? "text") as Format;
  const budget = parsed.values.budget === true;
  const paths = parsed.paths;
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
  const results = validateFiles(files, (f) => relative(io.cwd, f) || f, { budget });
  const valid = results.every((r) => r.valid);
  if (format === "json") {
    io.out(JSON.stringify({ valid, files: results }, null, 2));
  } else if (format === "github") {
    for (const r of results) for (const d of r.diagnostics) io.out(githubAnnotation(d));
  } else {
    for (const r of results) for (const d of r.diagnostics) io.out(prettify(d));
    for (const r of results) if (r.budget) for (const line of budgetText(r.file, r.budget)) io.out(line);
    const bad = results.filter((r) => !r.valid).length;
    io.err(valid ? `${results.length} definition${results.length === 1 ? "" : "s"} valid` : `${bad} of ${results.length} definition${results.length === 1 ? "" : "s"} invalid`);
  }
  return valid ? EXIT_VALID : EXIT_INVALID;
}

const GRAPH_FORMATS = ["mermaid", "svg", "dot"] as const;
type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** `flowdsl graph <file> [--format mermaid|svg|dot]`: the picture of one valid definition. */
function graphCommand(args: string[], io: Io): number {
  const parsed = commandArgs("graph", args, { format: { type: "string" } }, io, USAGE, GRAPH_FORMATS);
  if (!parsed) return EXIT_USAGE;
  const format = (parsed.values.format ?? "mermaid") as GraphFormat;
  const paths = parsed.paths;
  if (paths.length !== 1) {
    io.err(`flowdsl: graph takes one definition file\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  const abs = resolve(io.cwd, paths[0]!);
  if (!statSync(abs, { throwIfNoEntry: false })?.isFile()) {
    io.err(`flowdsl: no such file: ${paths[0]}`);
    return EXIT_USAGE;
  }
  const [r] = validateFiles([abs], (f) => relative(io.cwd, f) || f);
  if (!r!.valid) {
    for (const d of r!.diagnostics) io.err(prettify(d));
    return EXIT_INVALID;
  }
  io.out(renderGraph(readFileSync(abs, "utf8"), abs, format).trimEnd());
  return EXIT_VALID;
}

/** `flowdsl types [paths…] [--out FILE]`. */
async function typesCommand(args: string[], io: Io): Promise<number> {
  const parsed = commandArgs("types", args, { out: { type: "string" } }, io, USAGE);
  if (!parsed) return EXIT_USAGE;
  const out = parsed.values.out;
  const paths = parsed.paths;
  if (out === "") {
    io.err("flowdsl: --out takes a file name");
    return EXIT_USAGE;
  }
  const files: string[] = [];
  for (const p of paths.length > 0 ? paths : ["definitions"]) {
    const abs = resolve(io.cwd, p);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (!st) {
      io.err(`flowdsl: no such file or folder: ${p}`);
      return EXIT_USAGE;
    }
    if (st.isDirectory()) files.push(...safeReaddir(abs).filter(isDefinitionFile).map((f) => join(abs, f)));
    else files.push(abs);
  }
  const results = validateFiles(files, (f) => relative(io.cwd, f) || f);
  if (!results.every((r) => r.valid)) {
    for (const r of results) for (const d of r.diagnostics) io.err(prettify(d));
    return EXIT_INVALID;
  }
  const defs = files.map((f) => validateDefinitionText(readFileSync(f, "utf8"), f).definition!).map((d) => ({ name: d.name, input: d.input }));
  const text = await generateTypes(defs);
  if (out) writeFileSync(resolve(io.cwd, out), text);
  else io.out(text.trimEnd());
  return EXIT_VALID;
}

/** The picture of a definition's text in one format (the gallery script uses it too). */
export function renderGraph(text: string, file: string, format: GraphFormat): string {
  const def = validateDefinitionText(text, file).definition!;
  const g = graphOf(modelOf(def));
  return format === "mermaid" ? toMermaid(g) : format === "dot" ? toDot(g, def.name) : toSvg(g);
}



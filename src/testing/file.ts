// Test files (`definitions/<name>.test.yaml`, schema/test.schema.json): loaded with positions
// like definitions, checked against the schema and against the definition's model, and
// resolved into plans (mocks by node id) the test Worker runs. docs/testing.md.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { Diagnostic, DefinitionCode } from "../errors.js";
import { pointer } from "../errors.js";
import type { PathSegment } from "../definition/load.js";
import { decodeDefinition, loadDefinition } from "../definition/load.js";
import { closest, EDITOR_KEYWORDS, mapAjvErrors, validateDefinitionText } from "../definition/validate.js";
import type { Report } from "../definition/validate.js";
import { definitionHash } from "../definition/hash.js";
import type { FlowdslWorkflowDefinition } from "../generated/workflow.js";
import type { Case } from "../generated/test.js";
import { modelOf } from "../model/model.js";
import type { DefinitionModel, ModelNode } from "../model/model.js";
import { parseDuration } from "../interpreter/duration.js";
import type { Answer, TestPlan } from "./effects.js";
import testSchemaJson from "../../schema/test.schema.json" with { type: "json" };

/** A test file is `<anything>.test.yaml` (or .yml); it is never a definition. */
export const isTestFile = (f: string): boolean => /\.test\.ya?ml$/.test(f);
export const DEFAULT_CASE_TIMEOUT_MS = 30_000;

export interface NodeRefInFile {
  /** As written in the test file. */
  key: string;
  node: ModelNode;
}

export interface ResolvedCase {
  name: string;
  line: number;
  input: unknown;
  plan: TestPlan;
  timeoutMs: number;
  expect: {
    status: "complete" | "errored";
    output?: { value: unknown };
    error?: { name: string; message?: string; node?: string };
    calls: Array<NodeRefInFile & { count: number }>;
    ran: NodeRefInFile[];
    notRan: NodeRefInFile[];
  };
}

export interface TestSuite {
  file: string;
  definitionFile: string;
  name: string;
  hash: string;
  definition: FlowdslWorkflowDefinition;
  model: DefinitionModel;
  cases: ResolvedCase[];
}

export interface LoadedTests {
  file: string;
  diagnostics: Diagnostic[];
  suite?: TestSuite;
}

let schemaCheck: { validate: ValidateFunction; defName: Map<unknown, string> } | undefined;
function testSchema(): { validate: ValidateFunction; defName: Map<unknown, string> } {
  if (!schemaCheck) {
    // strictTypes off: an answer's fields apply to the object form of a mock that may be a list.
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true, verbose: true, inlineRefs: false });
    for (const k of EDITOR_KEYWORDS) ajv.addKeyword({ keyword: k, schemaType: ["string", "object", "array", "boolean"] });
    const schema = structuredClone(testSchemaJson) as { $defs: Record<string, unknown> };
    schemaCheck = { validate: ajv.compile(schema), defName: new Map(Object.entries(schema.$defs).map(([k, d]) => [d, k])) };
  }
  return schemaCheck;
}

let inputAjv: Ajv2020 | undefined;

/** Where the definition of a test file lives: beside it, else in definitions/ under `cwd`. */
export function definitionFileFor(testFile: string, name: string, cwd: string): string | undefined {
  const candidates = [join(dirname(testFile), `${name}.yaml`), join(dirname(testFile), `${name}.yml`), join(cwd, "definitions", `${name}.yaml`), join(cwd, "definitions", `${name}.yml`)];
  return candidates.find((f) => existsSync(f));
}

/** Names a node by its name (when unique), its name path (a/b) or its step template (a[{i}]/b). */
export function nodeIndex(model: DefinitionModel): (key: string) => { node: ModelNode } | { code: "TEST_UNKNOWN_NODE" | "TEST_AMBIGUOUS_NODE"; message: string } {
  const byName = new Map<string, ModelNode[]>();
  const byPath = new Map<string, ModelNode>();
  for (const n of model.nodes) {
    byName.set(n.name, [...(byName.get(n.name) ?? []), n]);
    byPath.set(namePath(n), n);
    byPath.set(n.path.text, n);
  }
  return (key) => {
    const path = byPath.get(key);
    if (path) return { node: path };
    const named = byName.get(key) ?? [];
    if (named.length === 1) return { node: named[0]! };
    if (named.length > 1) return { code: "TEST_AMBIGUOUS_NODE", message: `${named.length} nodes are named "${key}": ${named.map(namePath).map((p) => `"${p}"`).join(", ")}. Use the name path of the one you mean.` };
    const hint = closest(key, [...byName.keys(), ...[...byPath.keys()].filter((p) => p.includes("/"))]);
    return { code: "TEST_UNKNOWN_NODE", message: `No node of the definition is named "${key}".${hint ? ` Did you mean "${hint}"?` : ""}` };
  };
}

export const namePath = (n: ModelNode): string => n.path.segments.map((s) => s.text).join("/");

/** The fields an answer may have for a node of each kind; undefined: not mockable. */
function answerFields(n: ModelNode): { fields: readonly string[]; what: string } | undefined {
  if (n.kind === "http") return { fields: ["status", "headers", "body", "error"], what: "an http node" };
  if (n.kind === "workflow") return { fields: ["output", "error"], what: "a workflow node" };
  if (n.kind === "do" && "action" in n.node && n.node.action !== undefined) return { fields: ["result", "error"], what: "a do node with an action" };
  return undefined;
}

export function loadTestFile(path: string, display: string, cwd: string): LoadedTests {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return { file: display, diagnostics: [{ code: "FILE_UNREADABLE", severity: "error", message: `Cannot read the file: ${(e as Error).message}.`, file: display, line: 1, col: 1, path: "" }] };
  }
  const decoded = decodeDefinition(bytes, display);
  if (decoded.text === undefined) return { file: display, diagnostics: decoded.diagnostics };
  const loaded = loadDefinition(decoded.text, display);
  if (loaded.diagnostics.length > 0) return { file: display, diagnostics: loaded.diagnostics };
  const { map } = loaded;
  const out: Diagnostic[] = [];
  const report: Report = (code, message, at, o) => {
    const pos = map.locate(at, { key: o?.key });
    out.push({ code, severity: o?.severity ?? "error", message, file: display, line: pos.line, col: pos.col, path: pointer(at) });
  };
  const done = (suite?: TestSuite): LoadedTests => {
    out.sort((a, b) => a.line - b.line || a.col - b.col);
    return { file: display, diagnostics: out, ...(suite && !out.some((d) => d.severity === "error") ? { suite } : {}) };
  };

  const s = testSchema();
  if (!s.validate(loaded.value)) {
    mapAjvErrors(s.validate.errors ?? [], [], report, s.defName, undefined, "test file");
    return done();
  }
  const value = loaded.value as { definition: string; cases: Case[] };

  const defFile = definitionFileFor(path, value.definition, cwd);
  if (!defFile) {
    report("TEST_UNKNOWN_DEFINITION", `No definition "${value.definition}" is beside this file or in definitions/ (looked for ${value.definition}.yaml). Fix the name or add the definition.`, ["definition"]);
    return done();
  }
  const defText = readFileSync(defFile, "utf8");
  const validated = validateDefinitionText(defText, defFile, { stem: basename(defFile).replace(/\.ya?ml$/, "") });
  if (!validated.definition) {
    const first = validated.diagnostics.find((d) => d.severity === "error");
    report("TEST_DEFINITION_INVALID", `The definition ${value.definition} is invalid${first ? ` (${first.file}:${first.line}:${first.col} ${first.code} ${first.message})` : ""}. Fix it first.`, ["definition"]);
    return done();
  }
  const definition = validated.definition;
  const model = modelOf(definition);
  const resolve = nodeIndex(model);
  const lookup = (key: string, at: PathSegment[]): ModelNode | undefined => {
    const r = resolve(key);
    if ("node" in r) return r.node;
    report(r.code, r.message, at, { key: true });
    return undefined;
  };
  const validateInput = inputValidator(definition.input);
  const waitedTypes = eventTypes(model);

  const seen = new Map<string, number>();
  const cases: ResolvedCase[] = value.cases.map((c, i) => {
    const at: PathSegment[] = ["cases", i];
    const prev = seen.get(c.name);
    if (prev !== undefined) report("TEST_DUPLICATE_CASE", `Case ${prev + 1} is already named "${c.name}". Case names must differ.`, [...at, "name"]);
    else seen.set(c.name, i);

    const input = structuredClone(c.input ?? {});
    if (validateInput && !validateInput(input)) {
      const e = validateInput.errors?.[0];
      report("TEST_INPUT_INVALID", `The input does not satisfy the definition's input schema: ${e ? `${e.instancePath || "(input)"} ${e.message ?? ""}` : "invalid"}.`, [...at, ...(c.input === undefined ? [] : ["input"]), ...(e ? e.instancePath.split("/").slice(1) : [])]);
    }

    const mocks: Record<string, Answer[]> = {};
    for (const [key, mock] of Object.entries(c.mocks ?? {})) {
      const node = lookup(key, [...at, "mocks", key]);
      if (!node) continue;
      const fits = answerFields(node);
      if (!fits) {
        report("TEST_MOCK_KIND", `"${key}" is ${node.kind === "do" ? "a do node with `value`" : `a ${node.kind} node`}: it reaches nothing outside the workflow, so it takes no mock.${node.kind === "do" ? " Give the case an input that makes the value you need." : ""}`, [...at, "mocks", key], { key: true });
        continue;
      }
      const answers = (Array.isArray(mock) ? mock : [mock]) as Answer[];
      answers.forEach((a, j) => {
        for (const f of Object.keys(a)) {
          if (!fits.fields.includes(f)) {
            report("TEST_MOCK_KIND", `\`${f}\` does not answer ${fits.what} ("${key}"); it takes ${fits.fields.join(", ")}.`, [...at, "mocks", key, ...(Array.isArray(mock) ? [j] : []), f], { key: true });
          }
        }
      });
      mocks[node.id] = answers;
    }

    const events = (c.events ?? []).map((e, j) => {
      if (waitedTypes && !waitedTypes.has(e.event)) {
        const hint = closest(e.event, [...waitedTypes]);
        report("TEST_UNKNOWN_EVENT", `No node waits for a "${e.event}" event${hint ? `. Did you mean "${hint}"?` : waitedTypes.size > 0 ? ` (waited for: ${[...waitedTypes].join(", ")}).` : "."}`, [...at, "events", j, "event"]);
      }
      return { type: e.event, payload: e.payload ?? null, afterMs: e.after === undefined ? 0 : (parseDuration(e.after) ?? 0) };
    });

    const ex = c.expect;
    if (ex.status === "complete" && ex.error) report("TEST_EXPECT_CONFLICT", "`error` is expected, but `status` is complete. Remove one of them.", [...at, "expect", "error"], { key: true });
    if (ex.status === "errored" && "output" in ex) report("TEST_EXPECT_CONFLICT", "An errored instance has no output; remove `output` or expect status complete.", [...at, "expect", "output"], { key: true });
    const refs = (list: string[] | undefined, field: string): NodeRefInFile[] =>
      (list ?? []).flatMap((key, j) => {
        const node = lookup(key, [...at, "expect", field, j]);
        return node ? [{ key, node }] : [];
      });
    const calls = Object.entries(ex.calls ?? {}).flatMap(([key, count]) => {
      const node = lookup(key, [...at, "expect", "calls", key]);
      return node && count !== undefined ? [{ key, node, count }] : [];
    });
    const pos = map.locate(at);
    return {
      name: c.name,
      line: pos.line,
      input,
      plan: { mocks, events },
      timeoutMs: c.timeout === undefined ? DEFAULT_CASE_TIMEOUT_MS : (parseDuration(c.timeout) ?? DEFAULT_CASE_TIMEOUT_MS),
      expect: {
        status: ex.status,
        ...("output" in ex ? { output: { value: ex.output } } : {}),
        ...(ex.error ? { error: ex.error } : {}),
        calls,
        ran: refs(ex.ran, "ran"),
        notRan: refs(ex.notRan, "notRan"),
      },
    };
  });
  return done({ file: display, definitionFile: defFile, name: definition.name, hash: definitionHash(definition), definition, model, cases });
}

/** The input schema with its defaults applied, as the API does; undefined without a schema. */
function inputValidator(schema: unknown): ValidateFunction | undefined {
  if (!schema || typeof schema !== "object") return undefined;
  if (!inputAjv) {
    inputAjv = new Ajv2020({ strict: false, allErrors: false, useDefaults: true });
    addFormats(inputAjv);
  }
  return inputAjv.compile(schema as object);
}

/** Event types waited for, when every wait names a literal type (else undefined: cannot tell). */
function eventTypes(model: DefinitionModel): Set<string> | undefined {
  const types = new Set<string>();
  for (const n of model.nodes) {
    if (n.kind !== "waitForEvent") continue;
    const e = (n.node as { event?: unknown }).event;
    if (typeof e !== "string" || e.includes("{%")) return undefined;
    types.add(e);
  }
  return types;
}

export type { DefinitionCode };

// Build step: definitions/*.yaml → src/generated/definitions.ts (validated, normalized, hashed)
// and src/generated/input-validators.js (ajv standalone code for each `input` schema), so the
// Worker neither parses YAML nor compiles a schema at request time. Fails on any invalid file.
import { readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import addFormats from "ajv-formats";
import { _ } from "ajv/dist/compile/codegen/index.js";
import { validateFiles, isDefinitionFile } from "../src/cli/main.js";
import { prettify } from "../src/errors.js";
import { validateDefinitionText } from "../src/definition/validate.js";
import { definitionHash } from "../src/definition/hash.js";
import { modelOf } from "../src/model/model.js";
import { stepBudget } from "../src/model/budget.js";
import { readFileSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
// `--with-tests` also builds test/definitions in, for the workerd test suite (children are
// looked up among the built definitions). `npm start` and `npm run deploy` build without.
// `--definitions DIR` and `--out DIR` exist for tests of the build itself.
const arg = (flag: string): string | undefined => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const dirs = [arg("--definitions") ?? join(root, "definitions"), ...(process.argv.includes("--with-tests") ? [join(root, "test/definitions")] : [])];
const outDir = arg("--out") ?? join(root, "src/generated");
/** How generated files import from src/: relative in src/generated, absolute elsewhere. */
const srcRef = (p: string): string => (outDir === join(root, "src/generated") ? `../${p}` : join(root, "src", p));
const files = dirs.flatMap((dir) => readdirSync(dir).filter(isDefinitionFile).sort().map((f) => join(dir, f)));

const results = validateFiles(files, (f) => f.replace(root, ""));
const invalid = results.filter((r) => !r.valid);
for (const r of results) for (const d of r.diagnostics) console.error(prettify(d));
if (invalid.length > 0) {
  console.error(`build: ${invalid.length} invalid definition(s); nothing was written.`);
  process.exit(1);
}

// Every `schedule` must be a cron trigger of the Worker, or Cloudflare never calls it.
const crons = cronTriggers(join(root, "wrangler.jsonc"));
const unscheduled: string[] = [];
for (const f of files) {
  const text = readFileSync(f, "utf8");
  const def = validateDefinitionText(text, f).definition!;
  if (def.schedule && !crons.includes(def.schedule.trim().split(/\s+/).join(" "))) {
    const line = text.split("\n").findIndex((l) => /^schedule:/.test(l)) + 1;
    unscheduled.push(prettify({ code: "SCHEDULE_NOT_TRIGGERED", severity: "error", file: f.replace(root, ""), line, col: 11, path: "/schedule", message: `"${def.schedule}" is not in wrangler.jsonc's triggers.crons (${crons.join(", ") || "none"}). Add it there.` }));
  }
}
if (unscheduled.length > 0) {
  for (const u of unscheduled) console.error(u);
  console.error("build: a schedule has no cron trigger; nothing was written.");
  process.exit(1);
}

function cronTriggers(path: string): string[] {
  // JSONC: drop comments outside strings, then parse.
  const text = readFileSync(path, "utf8").replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_m, str: string | undefined) => str ?? "");
  const config = JSON.parse(text) as { triggers?: { crons?: string[] } };
  return (config.triggers?.crons ?? []).map((c) => c.trim().split(/\s+/).join(" "));
}

interface Built { name: string; description: string; hash: string; definition: unknown; input: unknown; schedule?: string; steps: number }
const built: Built[] = [];
for (const f of files) {
  const def = validateDefinitionText(readFileSync(f, "utf8"), f).definition!;
  const steps = stepBudget(modelOf(def).root, def.input).total;
  built.push({ name: def.name, description: def.description ?? "", hash: definitionHash(def), definition: def, input: def.input ?? null, ...(def.schedule ? { schedule: def.schedule } : {}), steps });
}

/** ajv's standalone output calls require() even with esm: true; point those at our ESM runtime. */
const RUNTIME: Record<string, string> = {
  'require("ajv/dist/runtime/ucs2length").default': "__rt.ucs2length",
  'require("ajv/dist/runtime/equal").default': "__rt.equal",
  'require("ajv-formats/dist/formats").fullFormats': "__rt.fullFormats",
};
// One standalone validator per definition with an input schema, exported by index.
const ajv = new Ajv2020({ code: { source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` }, allErrors: true, strict: false });
addFormats(ajv);
const refs: Record<string, string> = {};
built.forEach((b, i) => {
  if (b.input && typeof b.input === "object") {
    const id = `flowdsl:input:${b.name}`;
    ajv.addSchema({ ...(b.input as object), $id: id });
    refs[`v${i}`] = id;
  }
});
const validatorsJs = Object.keys(refs).length > 0 ? esmOnly(standaloneCode(ajv, refs)) : "export {};\n";
const names = Object.fromEntries(built.map((b, i) => [b.name, refs[`v${i}`] ? `v${i}` : null]));

mkdirSync(outDir, { recursive: true });
const banner = "/* generated — do not edit. Built from definitions/ by scripts/build.ts (npm run build). */\n";
writeFileSync(join(outDir, "input-validators.ts"), banner + "// @ts-nocheck\n" + validatorsJs);
writeFileSync(
  join(outDir, "definitions.ts"),
  banner +
    `import type { BuiltDefinition, InputValidator } from "${srcRef("definition/built.js")}";\n` +
    `// @ts-ignore generated JavaScript without types\n` +
    `import * as validators from "./input-validators.js";\n\n` +
    `export const DEFINITIONS: Readonly<Record<string, BuiltDefinition>> = ${JSON.stringify(Object.fromEntries(built.map((b) => [b.name, b])), null, 1)};\n\n` +
    `const byName: Record<string, string | null> = ${JSON.stringify(names)};\n` +
    `export const INPUT_VALIDATORS: Readonly<Record<string, InputValidator | undefined>> = Object.fromEntries(\n` +
    `  Object.entries(byName).map(([n, v]) => [n, v ? (validators as Record<string, InputValidator>)[v] : undefined]),\n);\n`,
);
console.log(`build: ${built.length} definition(s) → src/generated/definitions.ts`);

function esmOnly(code: string): string {
  let body = code.replace(/^"use strict";/, "");
  for (const [from, to] of Object.entries(RUNTIME)) body = body.split(from).join(to);
  const left = /require\("[^"]+"\)[.\w]*/.exec(body);
  if (left) {
    console.error(`build: an input schema needs ${left[0]}, which the Worker's validator runtime (src/api/ajv-runtime.ts) does not provide.`);
    process.exit(1);
  }
  return `import * as __rt from "${srcRef("api/ajv-runtime.js")}";\n${body}`;
}

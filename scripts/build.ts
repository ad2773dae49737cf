// Build step: definitions/*.yaml → src/generated/definitions.ts (validated, normalized, hashed)
// and src/generated/input-validators.js (ajv standalone code for each `input` schema), so the
// Worker neither parses YAML nor compiles a schema at request time. Fails on any invalid file.
import { readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { createHash } from "node:crypto";
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
import { dirname, relative } from "node:path";
import { parse as parseJsonc, printParseErrorCode } from "jsonc-parser";
import type { ParseError } from "jsonc-parser";
import { entryOf } from "../src/definition/entries.js";
import { build as esbuildBuild } from "esbuild";
import { inlineScript, pageCsp, pageHtml, STYLE } from "../src/web/page.js";
import type { WorkflowEntry } from "../src/definition/entries.js";
import { DEPLOY_REDIRECT, GENERATED_CONFIG, USER_CONFIG, inputsHash, inputsLine } from "./generated-config.js";

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

const userConfig = readUserConfig();
const workerName = typeof userConfig.name === "string" ? userConfig.name : "flowdsl";

interface Built { name: string; description: string; hash: string; definition: unknown; input: unknown; schedules?: string[]; steps: number; workflow: string; binding: string; source: string }
const built: Built[] = [];
const entries: WorkflowEntry[] = [];
for (const f of files) {
  const source = readFileSync(f, "utf8");
  const def = validateDefinitionText(source, f).definition!;
  const steps = stepBudget(modelOf(def).root, def.input).total;
  const entry = entryOf(workerName, { name: def.name, steps, ...(def.concurrency !== undefined ? { concurrency: def.concurrency } : {}), ...(def.retention ? { retention: def.retention } : {}) });
  entries.push(entry);
  const schedules = def.schedule === undefined ? [] : (Array.isArray(def.schedule) ? def.schedule : [def.schedule]).map(normalizeCron);
  built.push({ name: def.name, description: def.description ?? "", hash: definitionHash(def), definition: def, input: def.input ?? null, ...(schedules.length > 0 ? { schedules } : {}), steps, workflow: entry.name, binding: entry.binding, source });
}
const generatedConfig = renderConfig(userConfig, entries, built.flatMap((b) => b.schedules ?? []));

/** ajv's standalone output calls require() even with esm: true; point those at our ESM runtime. */
const RUNTIME: Record<string, string> = {
  'require("ajv/dist/runtime/ucs2length").default': "__rt.ucs2length",
  'require("ajv/dist/runtime/equal").default': "__rt.equal",
  'require("ajv-formats/dist/formats").fullFormats': "__rt.fullFormats",
};
// One standalone validator per definition with an input schema, exported by index.
// useDefaults: the input schema's `default`s are written into the params before the start.
const ajv = new Ajv2020({ code: { source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` }, allErrors: true, strict: false, useDefaults: true });
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
if (!arg("--out")) {
  // The generated wrangler config, and wrangler's redirect to it (only for the real build:
  // `--out` builds are the build's own tests).
  writeFileSync(join(root, GENERATED_CONFIG), generatedConfig);
  mkdirSync(join(root, dirname(DEPLOY_REDIRECT)), { recursive: true });
  writeFileSync(join(root, DEPLOY_REDIRECT), JSON.stringify({ configPath: `../../${GENERATED_CONFIG}` }) + "\n");
} else writeFileSync(join(outDir, GENERATED_CONFIG), generatedConfig);
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
// The web page: the browser app bundled (with its layout library) into one HTML string.
const app = await esbuildBuild({ entryPoints: [join(root, "src/web/app.ts")], bundle: true, platform: "browser", format: "iife", target: "es2022", minify: true, write: false, logLevel: "silent" });
const appText = app.outputFiles[0]!.text;
const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("base64");
const csp = pageCsp({ script: sha256(inlineScript(appText)), style: sha256(STYLE) });
writeFileSync(join(outDir, "web.ts"), `${banner}// The web page (src/web/), as served at GET /, and its CSP (hashes of its one script and style).\nexport const PAGE_HTML: string = ${JSON.stringify(pageHtml(appText))};\nexport const PAGE_CSP: string = ${JSON.stringify(csp)};\n`);

console.log(`build: ${built.length} definition(s) → src/generated/definitions.ts, ${built.length} workflow(s) → ${GENERATED_CONFIG}, web page → src/generated/web.ts`);

function normalizeCron(c: string): string {
  return c.trim().split(/\s+/).join(" ");
}

function readUserConfig(): Record<string, unknown> {
  const errors: ParseError[] = [];
  const config = parseJsonc(readFileSync(join(root, USER_CONFIG), "utf8"), errors, { allowTrailingComma: true }) as unknown;
  if (errors.length > 0 || !config || typeof config !== "object" || Array.isArray(config)) {
    console.error(`build: ${USER_CONFIG} is not valid JSONC (${errors.map((e) => `${printParseErrorCode(e.error)} at offset ${e.offset}`).join(", ") || "not an object"}); nothing was written.`);
    process.exit(1);
  }
  return config as Record<string, unknown>;
}

/**
 * The user's config plus one `workflows` entry per definition (after the user's own entries,
 * which stay as they are: the legacy FLOW entry keeps old instances running), the definitions'
 * schedules added to `triggers.crons`, and a build command that refuses a stale config.
 */
function renderConfig(user: Record<string, unknown>, generated: WorkflowEntry[], schedules: string[]): string {
  const own = Array.isArray(user.workflows) ? (user.workflows as Array<Record<string, unknown>>) : [];
  const taken = new Set(own.flatMap((w) => [String(w.binding), String(w.name)]));
  const clashes = generated.filter((e) => taken.has(e.binding) || taken.has(e.name));
  if (clashes.length > 0) {
    console.error(`build: ${USER_CONFIG} already has a workflow named or bound ${clashes.map((c) => `${c.name}/${c.binding}`).join(", ")}, which a definition's workflow needs. Rename it there; nothing was written.`);
    process.exit(1);
  }
  const triggers = (user.triggers && typeof user.triggers === "object" ? user.triggers : {}) as { crons?: unknown };
  const crons = [...new Set([...(Array.isArray(triggers.crons) ? triggers.crons.map((c) => normalizeCron(String(c))) : []), ...schedules])];
  const build = (user.build && typeof user.build === "object" ? user.build : {}) as { command?: unknown };
  const check = "node scripts/check-generated.js";
  const config = {
    ...user,
    $schema: undefined,
    workflows: [...own, ...generated],
    ...(crons.length > 0 ? { triggers: { ...triggers, crons } } : {}),
    build: { ...build, command: typeof build.command === "string" && build.command !== "" ? `${check} && ${build.command}` : check },
    // esbuild's keepNames wraps every closure in a __name() call, JSONata's per-evaluation ones
    // included; nothing in flowdsl reads a function's name (BENCHMARKS.md). Yours wins if set.
    keep_names: typeof user.keep_names === "boolean" ? user.keep_names : false,
  };
  delete (config as Record<string, unknown>).$schema;
  return [
    inputsLine(inputsHash(root, dirs.map((d) => relative(root, d))), dirs.map((d) => relative(root, d))),
    `// generated — do not edit. Made by \`npm run build\` from ${USER_CONFIG} (yours to edit) and the definitions:`,
    "// one Cloudflare Workflow per definition. wrangler uses it through .wrangler/deploy/config.json.",
    JSON.stringify(config, null, 2),
    "",
  ].join("\n");
}

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

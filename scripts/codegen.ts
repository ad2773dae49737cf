// Generates src/generated/workflow.ts and test.ts from schema/*.schema.json, docs/errors.md, and
// the API tables of README.md and docs/reference.md (from src/api/route-table.ts).
// `--check` fails (exit 1) when the committed file differs from what the schema gives.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { compile } from "json-schema-to-typescript";
import type { JSONSchema4 } from "json-schema";
import { API_CODES, DEFINITION_CODES, RUNTIME_ERROR_NAMES, TEST_CODES } from "../src/errors.js";
import { routeTableMarkdown } from "../src/api/route-table.js";

const SCHEMA = new URL("../schema/workflow.schema.json", import.meta.url);
const OUT = new URL("../src/generated/workflow.ts", import.meta.url);
const BANNER = `/* generated — do not edit. Source: schema/workflow.schema.json; regenerate with \`npm run codegen\`. */`;

const schema = JSON.parse(readFileSync(SCHEMA, "utf8")) as JSONSchema4;
// Titles are for editors ("http — an HTTP call"); json-schema-to-typescript would name types
// after them, so the types keep the $defs names instead.
for (const def of Object.values(schema.$defs ?? {}) as JSONSchema4[]) delete def.title;
const ts = await compile(schema, "WorkflowDefinition", {
  bannerComment: BANNER,
  additionalProperties: false,
  unreachableDefinitions: true,
  strictIndexSignatures: true,
  style: { singleQuote: false },
});

const TEST_SCHEMA = new URL("../schema/test.schema.json", import.meta.url);
const TEST_OUT = new URL("../src/generated/test.ts", import.meta.url);
const testSchema = JSON.parse(readFileSync(TEST_SCHEMA, "utf8")) as JSONSchema4;
const testTs = await compile(testSchema, "TestFile", {
  bannerComment: `/* generated — do not edit. Source: schema/test.schema.json; regenerate with \`npm run codegen\`. */`,
  additionalProperties: false,
  unreachableDefinitions: true,
  strictIndexSignatures: true,
  style: { singleQuote: false },
});

const ERRORS_DOC = new URL("../docs/errors.md", import.meta.url);
const doc = errorsDoc();

const README = new URL("../README.md", import.meta.url);
const REFERENCE = new URL("../docs/reference.md", import.meta.url);
const TABLE_START = "<!-- API table: generated from src/api/route-table.ts by `npm run codegen`, do not edit -->";
const TABLE_END = "<!-- end of API table -->";
/** The file with its API table (between the markers) made from the route table. */
function withApiTable(file: URL, full: boolean): string {
  const text = readFileSync(file, "utf8");
  const at = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  if (at < 0 || end < at) throw new Error(`${file.pathname} has no "${TABLE_START}" … "${TABLE_END}" section`);
  return `${text.slice(0, at)}${TABLE_START}\n${routeTableMarkdown(full)}\n${text.slice(end)}`;
}

const outputs: Array<[URL, string, string]> = [
  [README, withApiTable(README, false), "README.md's API table (from src/api/route-table.ts)"],
  [REFERENCE, withApiTable(REFERENCE, true), "docs/reference.md's API table (from src/api/route-table.ts)"],
  [OUT, ts, "src/generated/workflow.ts (from schema/workflow.schema.json)"],
  [TEST_OUT, testTs, "src/generated/test.ts (from schema/test.schema.json)"],
  [ERRORS_DOC, doc, "docs/errors.md (from src/errors.ts)"],
];
if (process.argv.includes("--check")) {
  const stale = outputs.filter(([file, text]) => (existsSync(file) ? readFileSync(file, "utf8") : "") !== text);
  for (const [, , what] of stale) console.error(`codegen:check: ${what} is out of date; run \`npm run codegen\`.`);
  if (stale.length > 0) process.exit(1);
  console.log("codegen:check: generated files are current");
} else {
  for (const [file, text, what] of outputs) {
    writeFileSync(file, text);
    console.log(`wrote ${what}`);
  }
}

function errorsDoc(): string {
  const rows = (o: Record<string, string>): string => Object.entries(o).map(([code, fix]) => `| \`${code}\` | ${fix.replace(/\|/g, "\\|")} |`).join("\n");
  return `<!-- generated — do not edit. Source: src/errors.ts; regenerate with \`npm run codegen\`. -->
# Error codes

Every error flowdsl reports carries a stable code. Tools and tests match on codes, never on
wording. Definition errors come with \`file:line:col\`; run-time errors with the node path
(\`charge[3]/notify\`); API errors with the JSON shape \`{ "error": { "code", "message", "details"? } }\`.

## Definition errors (\`flowdsl validate\`, the build, the editor)

| code | what to do |
|---|---|
${rows(DEFINITION_CODES)}

## Run-time error names (\`try\`/\`catch\` \`errors:\`, \`$error.name\`)

${RUNTIME_ERROR_NAMES.map((n) => `- \`${n}\``).join("\n")}

A \`fail\` node may raise its own name (\`error: OutOfStock\`). \`UNMOCKED_CALL\` is raised only under \`flowdsl test\`. \`$error\` is
\`{ name, message, node, status? }\`; \`status\` is the HTTP status of an \`HttpError\`.

## API error codes

| code | what to do |
|---|---|
${rows(API_CODES)}

## Test failures (\`flowdsl test\`)

| code | what it means |
|---|---|
${rows(TEST_CODES)}
`;
}

// Generates src/generated/workflow.ts from schema/workflow.schema.json.
// `--check` fails (exit 1) when the committed file differs from what the schema gives.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { compile } from "json-schema-to-typescript";
import type { JSONSchema4 } from "json-schema";

const SCHEMA = new URL("../schema/workflow.schema.json", import.meta.url);
const OUT = new URL("../src/generated/workflow.ts", import.meta.url);
const BANNER = `/* generated — do not edit. Source: schema/workflow.schema.json; regenerate with \`npm run codegen\`. */`;

const schema = JSON.parse(readFileSync(SCHEMA, "utf8")) as JSONSchema4;
const ts = await compile(schema, "WorkflowDefinition", {
  bannerComment: BANNER,
  additionalProperties: false,
  unreachableDefinitions: true,
  strictIndexSignatures: true,
  style: { singleQuote: false },
});

if (process.argv.includes("--check")) {
  const current = existsSync(OUT) ? readFileSync(OUT, "utf8") : "";
  if (current !== ts) {
    console.error("codegen:check: src/generated/workflow.ts is out of date with schema/workflow.schema.json; run `npm run codegen`.");
    process.exit(1);
  }
  console.log("codegen:check: generated types match the schema");
} else {
  writeFileSync(OUT, ts);
  console.log("wrote src/generated/workflow.ts");
}

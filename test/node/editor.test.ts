// Editor support through the real yaml-language-server (spawned with --stdio, spoken to over
// LSP as VS Code's YAML extension does), driven by schema/workflow.schema.json.
import { readFileSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { YamlLanguageServer } from "../lsp-client.js";
import type { CompletionItem } from "../lsp-client.js";

const KINDS = ["do", "http", "sleep", "waitForEvent", "set", "switch", "foreach", "parallel", "race", "repeat", "try", "compensate", "fail", "workflow"];
const PROPERTY = 10; // CompletionItemKind.Property

let server: YamlLanguageServer;
beforeAll(async () => {
  server = new YamlLanguageServer();
  await server.initialize();
}, 60_000);
afterAll(() => server.close());

let docs = 0;
/** Opens `text` with `|` marking the cursor; returns the document and the cursor position. */
async function at(text: string) {
  const offset = text.indexOf("|");
  const clean = offset >= 0 ? text.slice(0, offset) + text.slice(offset + 1) : text;
  const before = clean.slice(0, Math.max(0, offset));
  const line = before.split("\n").length - 1;
  const character = before.length - (before.lastIndexOf("\n") + 1);
  const { uri, diagnostics } = await server.open(`editor-case-${docs++}.yaml`, clean);
  return { uri, line, character, diagnostics };
}
const labels = (items: CompletionItem[]): string[] => items.map((i) => i.label);
const properties = (items: CompletionItem[]): string[] => items.filter((i) => i.kind === PROPERTY).map((i) => i.label);

const HEAD = "name: demo\nsteps:\n";

describe("completion", () => {
  it.for([
    {
      what: "at the start of a step list: every node kind",
      text: HEAD + "  - |\n",
      has: KINDS,
    },
    {
      what: "at the start of a step list: snippets by name",
      text: HEAD + "  - |\n",
      has: ["http call", "sleep", "wait for event", "foreach", "repeat (poll)", "try / catch", "workflow (child)"],
    },
    {
      what: "on a new line after a node: node snippets",
      text: HEAD + "  - do: a\n    value: 1\n  |",
      has: ["http call", "sleep", "wait for event", "foreach", "parallel", "set", "switch"],
    },
    {
      what: "inside an http node: its fields",
      text: HEAD + "  - http: call\n    |\n",
      has: ["url", "method", "headers", "query", "body", "result", "retries", "timeout", "idempotencyKey", "compensate"],
      hasNot: ["for", "until", "event", "values", "cases", "in", "branches", "max", "catch", "definition"],
    },
    {
      what: "inside a sleep node: for and until, no http fields",
      text: HEAD + "  - sleep: nap\n    |\n",
      has: ["for", "until", "if", "as"],
      hasNot: ["url", "method", "retries", "event"],
    },
    {
      what: "inside a waitForEvent node: event and timeout",
      text: HEAD + "  - waitForEvent: approval\n    |\n",
      has: ["event", "timeout", "as"],
      hasNot: ["url", "for", "retries"],
    },
    {
      what: "inside a foreach node: its loop fields",
      text: HEAD + "  - foreach: each order\n    |\n",
      has: ["in", "each", "index", "concurrency", "collect", "steps"],
      hasNot: ["url", "cases"],
    },
    {
      what: "inside retries: limit, delay, backoff",
      text: HEAD + "  - http: call\n    url: https://x\n    retries:\n      |\n",
      has: ["limit", "delay", "backoff"],
    },
    {
      what: "at the top of a definition: its fields",
      text: "name: demo\n|\n",
      has: ["description", "input", "defaults", "steps", "output", "schedule"],
    },
  ])("$what", async ({ text, has, hasNot }) => {
    const { uri, line, character } = await at(text);
    const items = await server.completion(uri, line, character);
    expect(labels(items)).toEqual(expect.arrayContaining(has));
    for (const x of hasNot ?? []) expect(properties(items), `${x} offered`).not.toContain(x);
  });

  it.for([
    { field: "backoff", text: HEAD + "  - do: a\n    value: 1\n    retries:\n      backoff: |\n", values: ["constant", "linear", "exponential"] },
    { field: "method", text: HEAD + "  - http: call\n    url: https://x\n    method: |\n", values: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] },
  ])("after $field: exactly its values, each explained", async ({ text, values }) => {
    const { uri, line, character } = await at(text);
    const items = await server.completion(uri, line, character);
    expect(labels(items).sort()).toEqual([...values].sort());
    expect(items.every((i) => i.documentation !== undefined)).toBe(true);
  });

  it.for([
    { what: "in a test case: its fields", text: "cases:\n  - name: a\n    |\n", has: ["input", "mocks", "events", "expect", "timeout"] },
    { what: "in an expectation: what can be expected", text: "cases:\n  - name: a\n    expect:\n      |\n", has: ["status", "output", "error", "calls", "ran", "notRan"] },
    { what: "in an answer: the mock fields", text: "cases:\n  - name: a\n    mocks:\n      charge:\n        |\n", has: ["status", "headers", "body", "result", "output", "error"] },
  ])("test files (their modeline names schema/test.schema.json) $what", async ({ text, has }) => {
    const schema = new URL("../../schema/test.schema.json", import.meta.url).href;
    const p = await at(`# yaml-language-server: $schema=${schema}\ndefinition: checkout\n` + text);
    const items = await server.completion(p.uri, p.line, p.character);
    expect(properties(items)).toEqual(expect.arrayContaining(has));
  });

  it("in an empty file: a whole new definition", async () => {
    const { uri } = await at("|");
    const items = await server.completion(uri, 0, 0);
    const snippet = items.find((i) => i.label === "new workflow");
    expect(snippet).toBeDefined();
    expect(snippet!.insertText).toContain("steps:");
  });
});

describe("hover", () => {
  it.for([
    { what: "a waitForEvent node", text: HEAD + "  - wait|ForEvent: approval\n    event: approve\n", shows: ["waitForEvent", "wait for an event", "```yaml"] },
    { what: "retries", text: HEAD + "  - http: call\n    url: https://x\n    retr|ies: { limit: 3 }\n", shows: ["Retry policy", "backoff: exponential"] },
    { what: "idempotencyKey", text: HEAD + "  - http: call\n    url: https://x\n    idempotency|Key: true\n", shows: ["Idempotency-Key"] },
    { what: "foreach concurrency", text: HEAD + "  - foreach: f\n    in: $x\n    concur|rency: 2\n    steps:\n      - do: a\n        value: 1\n", shows: ["How many iterations run at once"] },
  ])("on $what shows its description and example", async ({ text, shows }) => {
    const { uri, line, character } = await at(text);
    const h = await server.hover(uri, line, character);
    for (const s of shows) expect(h).toContain(s);
  });
});

describe("diagnostics", () => {
  it.for([
    { what: "a misspelt field", text: HEAD + "  - http: call\n    url: https://x\n    methd: POST\n", line: 4, says: "methd" },
    { what: "a bad duration", text: HEAD + "  - sleep: nap\n    for: 5 parsecs\n", line: 3, says: "INVALID_DURATION" },
    { what: "a bad retry delay", text: HEAD + "  - do: a\n    value: 1\n    retries: { delay: soon }\n", line: 4, says: "duration" },
    { what: "a node name with a slash", text: HEAD + "  - do: a/b\n    value: 1\n", line: 2, says: "INVALID_NODE_NAME" },
    { what: "a bad event type", text: HEAD + "  - waitForEvent: w\n    event: go now!\n", line: 3, says: "INVALID_EVENT_TYPE" },
    { what: "a bad as name", text: HEAD + "  - do: a\n    value: 1\n    as: 2fast\n", line: 4, says: "INVALID_VARIABLE" },
    { what: "a bad workflow name", text: "name: Not_OK\nsteps:\n  - do: a\n    value: 1\n", line: 0, says: "INVALID_NAME" },
    { what: "a wrong backoff", text: HEAD + "  - do: a\n    value: 1\n    retries: { backoff: quadratic }\n", line: 4, says: "exponential" },
  ])("$what is reported on its line", async ({ text, line, says }) => {
    const { diagnostics } = await at(text);
    const onLine = diagnostics.filter((d) => d.range.start.line === line);
    expect(onLine.map((d) => d.message).join("\n")).toContain(says);
    expect(diagnostics.every((d) => d.range.start.line === line), JSON.stringify(diagnostics)).toBe(true);
  });

  const root = new URL("../..", import.meta.url).pathname;
  const shipped = ["definitions", "test/fixtures/valid"].flatMap((d) => readdirSync(root + d).filter((f) => f.endsWith(".yaml")).map((f) => `${d}/${f}`));
  it.for(shipped)("%s has no diagnostics", async (file) => {
    const { diagnostics } = await server.open(root + file, readFileSync(root + file, "utf8"));
    expect(diagnostics).toEqual([]);
  });
});

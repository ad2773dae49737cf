// GET /openapi.json is a valid OpenAPI 3.1 document (checked by a maintained validator of the
// official schemas), with each definition's start body from its input schema; `flowdsl types`
// writes types and a client that compile, and that reject params of the wrong shape.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Validator } from "@seriousme/openapi-schema-validator";
import { openApi } from "../../src/api/openapi.js";
import { DEFINITIONS } from "../../src/generated/definitions.js";
import { ROUTES } from "../../src/api/route-table.js";
import type { RouteSpec } from "../../src/api/route-table.js";

const root = new URL("../..", import.meta.url).pathname;

describe("GET /openapi.json", () => {
  it("is valid OpenAPI 3.1, and each definition's start body is its input schema", async () => {
    const doc = openApi("https://flowdsl.example.com") as { openapi: string; paths: Record<string, { post?: { requestBody?: { content: { "application/json": { schema: unknown } } } } }> };
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
    for (const d of Object.values(DEFINITIONS)) {
      expect(doc.paths[`/workflows/${d.name}`]?.post?.requestBody?.content["application/json"].schema).toEqual(d.input ?? { type: "object" });
    }
  });
});

describe("the route table", () => {
  it("puts every public route in /openapi.json with its method (once per definition where it has one), and nothing else", () => {
    const doc = openApi("https://flowdsl.example.com") as { paths: Record<string, Record<string, unknown>> };
    const expected = new Set<string>();
    for (const r of ROUTES as readonly RouteSpec[]) {
      if (r.internal) continue;
      const path = r.path.replace(/:(\w+)/g, "{$1}");
      const paths = r.perDefinition ? Object.values(DEFINITIONS).map((d) => path.replace("{name}", d.name)) : [path];
      for (const p of paths) {
        expected.add(`${r.method} ${p}`);
        expect(doc.paths[p]?.[r.method.toLowerCase()], `${r.method} ${p}`).toBeDefined();
      }
    }
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual([...expected].sort());
    expect(documented).toEqual(expect.arrayContaining(["GET /workflows/{name}/graph", "GET /workflows/{name}/instances"]));
  });
});

describe("flowdsl types", () => {
  const dir = mkdtempSync(join(tmpdir(), "flowdsl-types-"));
  const tsc = (file: string) => spawnSync(join(root, "node_modules/.bin/tsc"), ["--strict", "--noEmit", "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler", "--lib", "es2022,dom", file], { cwd: dir, encoding: "utf8" });

  it("writes input types and a typed client that compile; params of the wrong shape do not", () => {
    const r = spawnSync(process.execPath, [join(root, "bin/flowdsl.js"), "types", "definitions", "--out", join(dir, "flowdsl.ts")], { cwd: root, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    writeFileSync(join(dir, "good.ts"), `import { createClient } from "./flowdsl.js";
const c = createClient({ baseUrl: "https://x.example.com", token: "t" });
export const started = c.start("hello", { name: "Ada", email: "a@example.com" }, { idempotencyKey: "k" });
export const batch = c.startBatch("invoice", []);
export const ended = c.terminate("id", { compensate: true });
`);
    writeFileSync(join(dir, "bad.ts"), `import { createClient } from "./flowdsl.js";
const c = createClient({ baseUrl: "https://x.example.com", token: "t" });
export const started = c.start("hello", { nmae: "Ada" });
`);
    const good = tsc(join(dir, "good.ts"));
    expect(good.stdout + good.stderr).toBe("");
    expect(good.status).toBe(0);
    const bad = tsc(join(dir, "bad.ts"));
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/bad\.ts\(3,.*nmae/);
  }, 60_000);
});

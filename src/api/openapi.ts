// GET /openapi.json: OpenAPI 3.1 of this API, from the one route table (route-table.ts); each
// definition's start body from its `input` schema (OpenAPI 3.1 speaks JSON Schema 2020-12, as
// `input` does).
import { DEFINITIONS } from "../generated/definitions.js";
import { ROUTES } from "./route-table.js";
import type { RouteSpec } from "./route-table.js";

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (schema: unknown, description: string): unknown => ({ description, content: { "application/json": { schema } } });
const PARAMETER_SCHEMAS: Record<string, unknown> = { type: { type: "string", pattern: "^[a-zA-Z0-9_][a-zA-Z0-9_-]*$", maxLength: 100 } };

/** `/workflows/:name` → `/workflows/{name}`, and its path parameters. */
function openApiPath(path: string): { path: string; names: string[] } {
  const names: string[] = [];
  return { path: path.replace(/:(\w+)/g, (_, n: string) => (names.push(n), `{${n}}`)), names };
}

/** A copy of `v` with the input-schema marker replaced by `input`. */
function withInput(v: unknown, input: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => withInput(x, input));
  if (v && typeof v === "object") {
    if ((v as Record<string, unknown>)["x-flowdsl-input"] === true) return input;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withInput(x, input)]));
  }
  return v;
}

export function openApi(serverUrl: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  const names = Object.values(DEFINITIONS).map((d) => d.name);
  const add = (path: string, method: string, operation: unknown): void => {
    (paths[path] ??= {})[method.toLowerCase()] = operation;
  };
  for (const r of ROUTES as readonly RouteSpec[]) {
    if (r.internal) continue;
    const { path, names: params } = openApiPath(r.path);
    if (r.perDefinition) {
      // Once per definition, its own input schema as the body: what a client generator needs.
      for (const d of Object.values(DEFINITIONS)) {
        const op = withInput(r.openapi, (d.input as object | null) ?? { type: "object" }) as Record<string, unknown>;
        add(path.replace("{name}", d.name), r.method, { summary: r.id === "start" ? d.description || `Start ${d.name}` : `${r.does} (${d.name})`, operationId: `${r.id}_${d.name}`, ...op });
      }
      continue;
    }
    const pathParams = params.map((n) => ({ name: n, in: "path", required: true, schema: n === "name" ? { type: "string", enum: names } : (PARAMETER_SCHEMAS[n] ?? { type: "string" }) }));
    const op = r.openapi as { parameters?: unknown[] };
    add(path, r.method, { summary: r.does.replace(/ \(\[.*\]\(.*\)\)$/, ""), operationId: r.id, ...op, ...(pathParams.length + (op.parameters?.length ?? 0) > 0 ? { parameters: [...pathParams, ...(op.parameters ?? [])] } : {}) });
  }
  return {
    openapi: "3.1.0",
    info: { title: "flowdsl", version: "1", description: "Workflows written as YAML, run durably on Cloudflare Workflows." },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      responses: { Error: jsonBody(ref("Error"), "an error") },
      schemas: {
        Error: { type: "object", required: ["error"], properties: { error: { type: "object", required: ["code", "message"], properties: { code: { type: "string" }, message: { type: "string" }, details: {} } } } },
        Summary: { type: "object", required: ["name", "description", "hash"], properties: { name: { type: "string" }, description: { type: "string" }, hash: { type: "string" } } },
        Definition: { type: "object", required: ["name", "hash", "definition"], properties: { name: { type: "string" }, description: { type: "string" }, hash: { type: "string" }, input: {}, definition: { type: "object" }, source: { type: "string" } } },
        Started: { type: "object", required: ["id", "name", "hash"], properties: { id: { type: "string" }, name: { type: "string" }, hash: { type: "string" }, created: { type: "boolean" } } },
        Status: {
          type: "object",
          required: ["id", "name", "hash", "status"],
          properties: { id: { type: "string" }, name: { type: "string" }, hash: { type: "string" }, status: { type: "string" }, waitingFor: {}, output: {}, error: {} },
        },
      },
    },
  };
}

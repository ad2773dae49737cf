// GET /openapi.json: OpenAPI 3.1 of this API, each definition's start body from its `input`
// schema (OpenAPI 3.1 speaks JSON Schema 2020-12, as `input` does).
import { DEFINITIONS } from "../generated/definitions.js";

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
const errors = (...codes: number[]): Record<string, unknown> => Object.fromEntries(codes.map((c) => [String(c), { $ref: "#/components/responses/Error" }]));
const jsonBody = (schema: unknown, description: string): unknown => ({ description, content: { "application/json": { schema } } });
const idParam = { name: "id", in: "path", required: true, schema: { type: "string" } };

export function openApi(serverUrl: string): unknown {
  const perDefinition = Object.fromEntries(
    Object.values(DEFINITIONS).flatMap((d) => {
      const input = (d.input as object | null) ?? { type: "object" };
      return [
        [
          `/workflows/${d.name}`,
          {
            get: { summary: `The ${d.name} definition`, operationId: `get_${d.name}`, responses: { "200": jsonBody(ref("Definition"), "the definition"), ...errors(401) } },
            post: {
              summary: d.description || `Start ${d.name}`,
              operationId: `start_${d.name}`,
              parameters: [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 200 } }],
              requestBody: { required: false, content: { "application/json": { schema: input } } },
              responses: { "201": jsonBody(ref("Started"), "started"), "200": jsonBody(ref("Started"), "started before, with this Idempotency-Key"), ...errors(400, 401, 413, 415, 429, 503) },
            },
          },
        ],
        [
          `/workflows/${d.name}/batch`,
          {
            post: {
              summary: `Start up to 100 instances of ${d.name}`,
              operationId: `start_batch_${d.name}`,
              requestBody: { required: true, content: { "application/json": { schema: { type: "array", minItems: 1, maxItems: 100, items: input } } } },
              responses: { "201": jsonBody({ type: "array", items: ref("Started") }, "started"), ...errors(400, 401, 413, 415, 429, 503) },
            },
          },
        ],
      ];
    }),
  );
  const lifecycle = (op: string, body?: unknown) => ({
    post: {
      summary: `${op[0]!.toUpperCase()}${op.slice(1)} an instance`,
      operationId: op,
      parameters: [idParam],
      ...(body ? { requestBody: { required: false, content: { "application/json": { schema: body } } } } : {}),
      responses: { "202": jsonBody({ type: "object" }, "accepted"), ...errors(400, 401, 404, 409) },
    },
  });
  return {
    openapi: "3.1.0",
    info: { title: "flowdsl", version: "1", description: "Workflows written as YAML, run durably on Cloudflare Workflows." },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths: {
      "/workflows": { get: { summary: "List definitions", operationId: "list", responses: { "200": jsonBody({ type: "array", items: ref("Summary") }, "the definitions"), ...errors(401) } } },
      ...perDefinition,
      "/instances/{id}": {
        get: { summary: "An instance's status", operationId: "status", parameters: [idParam], responses: { "200": jsonBody(ref("Status"), "its status"), ...errors(401, 404) } },
        delete: { summary: "Remove an instance and its state", operationId: "delete", parameters: [idParam], responses: { "204": { description: "removed" }, ...errors(401, 404) } },
      },
      "/instances/{id}/history": {
        get: {
          summary: "The instance's events mapped onto its nodes",
          operationId: "history",
          parameters: [idParam, { name: "follow", in: "query", required: false, schema: { type: "string", enum: ["true"] } }],
          responses: { "200": { description: "the history, or with follow=true a text/event-stream", content: { "application/json": { schema: { type: "object" } }, "text/event-stream": { schema: { type: "string" } } } }, ...errors(401, 404) },
        },
      },
      "/instances/{id}/events/{type}": {
        post: {
          summary: "Send an event",
          operationId: "sendEvent",
          parameters: [idParam, { name: "type", in: "path", required: true, schema: { type: "string", pattern: "^[a-zA-Z0-9_][a-zA-Z0-9_-]*$", maxLength: 100 } }],
          requestBody: { required: false, content: { "application/json": { schema: {} } } },
          responses: { "202": jsonBody({ type: "object" }, "accepted"), ...errors(400, 401, 404, 409) },
        },
      },
      "/instances/{id}/pause": lifecycle("pause"),
      "/instances/{id}/resume": lifecycle("resume"),
      "/instances/{id}/restart": lifecycle("restart", { type: "object", properties: { from: { type: "string" } } }),
      "/instances/{id}/terminate": lifecycle("terminate", { type: "object", properties: { compensate: { type: "boolean" } } }),
      "/callbacks/{token}": {
        post: {
          summary: "Send the event a callback URL names (no bearer token)",
          operationId: "callback",
          security: [],
          parameters: [{ name: "token", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: false, content: { "application/json": { schema: {} } } },
          responses: { "202": jsonBody({ type: "object" }, "accepted"), ...errors(403, 404, 409, 413, 415) },
        },
      },
    },
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

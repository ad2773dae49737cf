// The one table of the HTTP API: every route the router answers, what it does and answers (the
// README's and docs/reference.md's tables are generated from it by `npm run codegen`), and its
// OpenAPI operation (/openapi.json is built from it). The router takes one handler per `id`.

/** A fragment of an OpenAPI 3.1 operation (responses, parameters, body), as data. */
type Operation = Record<string, unknown>;

export interface RouteSpec {
  id: string;
  method: "GET" | "POST" | "DELETE";
  /** Segments `:name` are path parameters. */
  path: string;
  does: string;
  answers: string;
  /** Shorter wording for the README's table, when it differs. */
  brief?: string;
  /** Reached without the API token (the page, callbacks). */
  open?: boolean;
  /** Not part of the public API (local development only): no docs, no OpenAPI. */
  internal?: boolean;
  /** In OpenAPI once per definition, with its input schema (`{input}` stands for it). */
  perDefinition?: boolean;
  openapi: Operation;
}

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });
const errors = (...codes: number[]): Record<string, unknown> => Object.fromEntries(codes.map((c) => [String(c), { $ref: "#/components/responses/Error" }]));
const jsonBody = (schema: unknown, description: string): unknown => ({ description, content: { "application/json": { schema } } });
const anyBody = { required: false, content: { "application/json": { schema: {} } } };
const accepted = { "202": jsonBody({ type: "object" }, "accepted") };
/** Stands for a definition's input schema in per-definition operations. */
export const INPUT_SCHEMA = { "x-flowdsl-input": true } as const;

export const ROUTES = [
  { id: "page", method: "GET", path: "/", does: "the web page", brief: "the web page (no token needed to load it)", answers: "200 HTML", open: true, openapi: { security: [], responses: { "200": { description: "the page", content: { "text/html": { schema: { type: "string" } } } } } } },
  { id: "openapi", method: "GET", path: "/openapi.json", does: "OpenAPI 3.1 of this API; each definition's start body is its `input` schema", answers: "200", openapi: { responses: { "200": jsonBody({ type: "object" }, "this document"), ...errors(401) } } },
  { id: "list", method: "GET", path: "/workflows", does: "list definitions", answers: "200 `[{ name, description, hash }]`", openapi: { responses: { "200": jsonBody({ type: "array", items: ref("Summary") }, "the definitions"), ...errors(401) } } },
  { id: "definition", method: "GET", path: "/workflows/:name", does: "one definition", brief: "one definition with its input schema", answers: "200 `{ name, description, hash, input, definition }`; 404", perDefinition: true, openapi: { responses: { "200": jsonBody(ref("Definition"), "the definition"), ...errors(401, 404) } } },
  { id: "graph", method: "GET", path: "/workflows/:name/graph", does: "the definition's picture as a graph (nodes with their paths, edges)", answers: "200 `{ nodes, edges }`; 404", openapi: { responses: { "200": jsonBody({ type: "object", properties: { nodes: { type: "array" }, edges: { type: "array" } } }, "the graph"), ...errors(401, 404) } } },
  {
    id: "start",
    method: "POST",
    path: "/workflows/:name",
    does: "start an instance with the body as params",
    brief: "start an instance (body = params; `Idempotency-Key` header supported)",
    answers: "201 `{ id, name, hash }`; 400 bad JSON or params failing `input` (the failing paths in `details`); 404; 429 with `Retry-After` when Cloudflare refuses for rate",
    perDefinition: true,
    openapi: {
      parameters: [{ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 200 } }],
      requestBody: { required: false, content: { "application/json": { schema: INPUT_SCHEMA } } },
      responses: { "201": jsonBody(ref("Started"), "started"), "200": jsonBody(ref("Started"), "started before, with this Idempotency-Key"), ...errors(400, 401, 404, 413, 415, 429, 503) },
    },
  },
  {
    id: "batch",
    method: "POST",
    path: "/workflows/:name/batch",
    does: "start up to 100 instances (body: a list of params) with the engine's `createBatch`",
    brief: "start up to 100 at once (body = a list of params)",
    answers: "201 `[{ id, name, hash, created }]`; 400 naming every failing index and path, and nothing started",
    perDefinition: true,
    openapi: {
      requestBody: { required: true, content: { "application/json": { schema: { type: "array", minItems: 1, maxItems: 100, items: INPUT_SCHEMA } } } },
      responses: { "201": jsonBody({ type: "array", items: ref("Started") }, "started"), ...errors(400, 401, 404, 413, 415, 429, 503) },
    },
  },
  { id: "instances", method: "GET", path: "/workflows/:name/instances", does: "its newest 100 instances", brief: "its instances, newest first, with status", answers: "200 `[{ id, name, hash, created, status }]`; 404", openapi: { responses: { "200": jsonBody({ type: "array", items: { type: "object" } }, "its instances"), ...errors(401, 404) } } },
  { id: "status", method: "GET", path: "/instances/:id", does: "status, and what a running instance waits for", brief: "status, what it waits for, output, error", answers: "200 `{ id, name, hash, status, waitingFor, output, error }`; 404", openapi: { responses: { "200": jsonBody(ref("Status"), "its status"), ...errors(401, 404) } } },
  {
    id: "history",
    method: "GET",
    path: "/instances/:id/history",
    does: "the engine's events mapped onto nodes; `?follow=true` streams them",
    brief: "its steps mapped onto nodes (`?follow=true`: a live event stream)",
    answers: "200 (JSON, or `text/event-stream`); 404",
    openapi: {
      parameters: [{ name: "follow", in: "query", required: false, schema: { type: "string", enum: ["true"] } }],
      responses: { "200": { description: "the history, or with follow=true a text/event-stream", content: { "application/json": { schema: { type: "object" } }, "text/event-stream": { schema: { type: "string" } } } }, ...errors(401, 404) },
    },
  },
  { id: "event", method: "POST", path: "/instances/:id/events/:type", does: "send an event (body = payload)", brief: "send an event", answers: "202; 400 bad type; 404; 409 when the instance has finished", openapi: { requestBody: anyBody, responses: { ...accepted, ...errors(400, 401, 404, 409) } } },
  { id: "pause", method: "POST", path: "/instances/:id/pause", does: "pause", answers: "202; 404; 409 when the status forbids it", openapi: { responses: { ...accepted, ...errors(401, 404, 409) } } },
  { id: "resume", method: "POST", path: "/instances/:id/resume", does: "resume", answers: "202; 404; 409 when the status forbids it", openapi: { responses: { ...accepted, ...errors(401, 404, 409) } } },
  {
    id: "restart",
    method: "POST",
    path: "/instances/:id/restart",
    does: 'restart; body `{ "from": "<node path or step name>" }` optional',
    brief: 'restart, optionally `{ "from": "/steps/2" }` keeping earlier results',
    answers: "202; 400 `UNKNOWN_NODE`; 404; 409",
    openapi: { requestBody: { required: false, content: { "application/json": { schema: { type: "object", properties: { from: { type: "string" } } } } } }, responses: { ...accepted, ...errors(400, 401, 404, 409) } },
  },
  {
    id: "terminate",
    method: "POST",
    path: "/instances/:id/terminate",
    does: 'terminate; body `{ "compensate": true }` optional',
    brief: 'terminate, optionally `{ "compensate": true }` to undo the saga so far',
    answers: "202; 404; 409",
    openapi: { requestBody: { required: false, content: { "application/json": { schema: { type: "object", properties: { compensate: { type: "boolean" } } } } } }, responses: { ...accepted, ...errors(401, 404, 409) } },
  },
  { id: "delete", method: "DELETE", path: "/instances/:id", does: "remove the instance and its state", brief: "remove an instance and its state", answers: "204; 404", openapi: { responses: { "204": { description: "removed" }, ...errors(401, 404) } } },
  {
    id: "callback",
    method: "POST",
    path: "/callbacks/:token",
    does: "send the event a callback URL names, once; no bearer token ([Callbacks](#callbacks))",
    brief: "send the event a callback URL names, once (no token: the URL is signed)",
    answers: "202; 200 `{ duplicate: true }` for a repeat; 403; 404; 409",
    open: true,
    openapi: { security: [], requestBody: anyBody, responses: { ...accepted, "200": jsonBody({ type: "object" }, "delivered before: nothing sent"), ...errors(403, 404, 409, 413, 415) } },
  },
  { id: "recover", method: "POST", path: "/__flowdsl/recover", does: "wake instances a local restart stranded (npm start calls it)", answers: "200; 404 outside npm start", internal: true, openapi: {} },
] as const satisfies readonly RouteSpec[];

export type RouteId = (typeof ROUTES)[number]["id"];

/** The route table as Markdown: `full` adds what each route answers (docs/reference.md). */
export function routeTableMarkdown(full: boolean): string {
  const rows = ROUTES.filter((r: RouteSpec) => !r.internal).map((r: RouteSpec) => `| \`${r.method} ${r.path}\` | ${full ? r.does : (r.brief ?? r.does)} |${full ? ` ${r.answers} |` : ""}`);
  return [full ? "| method and path | does | answers |" : "| method and path | does |", full ? "|---|---|---|" : "|---|---|", ...rows].join("\n");
}

// The HTTP API (docs/reference.md, HTTP API). Every answer is JSON; every error is { error: { code, message, details? } }.
import type { Env } from "../env.js";
import { DEFINITIONS, INPUT_VALIDATORS } from "../generated/definitions.js";
import type { BuiltDefinition } from "../definition/built.js";
import { pinnedDefinition } from "../definition/pinned.js";
import { decodeErrorMessage } from "../interpreter/errors.js";
import { isValidEventType } from "../nodes/wait-for-event.js";
import { modelOf } from "../model/model.js";
import { consumeCallback, deleteRecord, isStarting, listInstances, markFinished, releaseCallback } from "./registry.js";
import { authorized } from "./auth.js";
import { isLocalRecoveryEnabled, recoverInstances, TERMINAL_STATUSES } from "./recovery.js";
import { ApiError, errorResponse, json } from "./errors.js";
import { terminateWithCompensation } from "./terminate.js";
import { buildHistory, readEvents } from "./history.js";
import { tokenIdOf, verifyCallback } from "../interpreter/callbacks.js";
import { openApi } from "./openapi.js";
import { own } from "../core/own.js";
import { decodeSegment, idempotencyKeyOf, readJson } from "./bodies.js";
import { restartPoint } from "./restart-point.js";
import { followHistory } from "./history.js";

import { ROUTES } from "./route-table.js";
import type { RouteId, RouteSpec } from "./route-table.js";
import { graphOf } from "../model/graph.js";
import type { Definition } from "../interpreter/context.js";
import { PAGE_CSP, PAGE_HTML } from "../generated/web.js";
import { definitionOr404, findInstance, isNotFound, MAX_BATCH, settleRow, startBatch, startInstance, workflowOf } from "./instances.js";
import type { Defer } from "./instances.js";

/** `defer` hands work that may finish after the answer to the Worker (ctx.waitUntil). */
type Handler = (req: Request, env: Env, params: Record<string, string>, defer?: Defer) => Promise<Response>;
interface Route {
  spec: RouteSpec;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}
/** Handlers by the route table's ids (route-table.ts): the table says which routes exist. */
const handlers = new Map<RouteId, Handler>();
function on(id: RouteId, handler: Handler): void {
  handlers.set(id, handler);
}
let compiled: Route[] | undefined;
/** The table's routes with their handlers, once per isolate; a route without one is a bug, said at once. */
function routes(): Route[] {
  compiled ??= (ROUTES as readonly RouteSpec[]).map((spec) => {
    const handler = handlers.get(spec.id as RouteId);
    if (!handler) throw new Error(`the route table's ${spec.id} (${spec.method} ${spec.path}) has no handler`);
    const keys: string[] = [];
    const pattern = new RegExp("^" + spec.path.replace(/:(\w+)/g, (_, k: string) => (keys.push(k), "([^/]+)")) + "/?$");
    return { spec, pattern, keys, handler };
  });
  return compiled;
}

export async function handle(req: Request, env: Env, ctx?: Pick<ExecutionContext, "waitUntil">): Promise<Response> {
  try {
    const url = new URL(req.url);
    const onPath = routes().flatMap((r) => {
      const m = r.pattern.exec(url.pathname);
      return m ? [{ r, m }] : [];
    });
    const hit = onPath.find(({ r }) => r.spec.method === req.method);
    // The page and callbacks are open (a callback carries its own signed token); every other route needs the API token.
    const open = hit ? hit.r.spec.open === true : onPath.length > 0 && onPath.every(({ r }) => r.spec.open === true);
    if (!open && !(await authorized(req, env.API_TOKEN))) throw new ApiError(401, "UNAUTHORIZED", env.API_TOKEN ? "Missing or wrong bearer token. Send `Authorization: Bearer <API_TOKEN>`." : "This deployment has no API_TOKEN secret, so the API is closed. Set one with `wrangler secret put API_TOKEN`.");
    if (hit) {
      const params = Object.fromEntries(hit.r.keys.map((k, i) => [k, decodeSegment(hit.m[i + 1]!)]));
      return await hit.r.handler(req, env, params, ctx ? (work) => ctx.waitUntil(work) : undefined);
    }
    const allowed = [...new Set(onPath.map(({ r }) => r.spec.method))];
    if (allowed.length > 0) throw new ApiError(405, "METHOD_NOT_ALLOWED", `${req.method} is not allowed here; use ${allowed.join(" or ")}.`);
    throw new ApiError(404, "NOT_FOUND", `No route for ${req.method} ${url.pathname}. See GET /workflows.`);
  } catch (e) {
    if (e instanceof ApiError) return errorResponse(e);
    // The answer names no internal detail (a message can carry a stack, a query, a binding's
    // name); the Worker's log has all of it, under the id the answer gives.
    const ref = crypto.randomUUID();
    console.error(JSON.stringify({ level: "error", message: "unhandled API error", ref, method: req.method, path: new URL(req.url).pathname, error: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined }));
    return errorResponse(new ApiError(500, "INTERNAL", `An internal error occurred; the Worker's log has its details under ref ${ref}.`, { ref }));
  }
}

on("openapi", async (req) => json(openApi(new URL(req.url).origin)));

on("list", async () => json(Object.values(DEFINITIONS).map((d) => ({ name: d.name, description: d.description, hash: d.hash }))));

on("definition", async (_req, _env, p) => {
  const d = definitionOr404(p.name!);
  return json({ name: d.name, description: d.description, hash: d.hash, input: d.input, definition: d.definition, source: d.source });
});

/** The picture of a definition as a graph (nodes with their paths, edges): the page lays it out. */
on("graph", async (_req, _env, p) => json(graphOf(modelOf(definitionOr404(p.name!).definition))));

on("start", async (req, env, p, defer) => {
  const d = definitionOr404(p.name!);
  const key = idempotencyKeyOf(req);
  const input = await readJson(req, {});
  const problems = inputProblems(d, input);
  if (problems) throw new ApiError(400, "INVALID_PARAMS", `The params do not satisfy ${d.name}'s input schema: ${problems.map((x) => `${x.path} ${x.message}`).join("; ")}.`, problems);
  const { id, created } = await startInstance(env, d.name, input, key, null, defer);
  return json({ id, name: d.name, hash: d.hash }, created ? 201 : 200, { location: `/instances/${id}` });
});

function inputProblems(d: BuiltDefinition, input: unknown): Array<{ path: string; message: string; keyword: string; params: unknown }> | undefined {
  const validate = own(INPUT_VALIDATORS, d.name);
  if (!validate || validate(input)) return undefined;
  return (validate.errors ?? []).map((e) => ({ path: e.instancePath || "/", message: e.message ?? e.keyword, keyword: e.keyword, params: e.params }));
}

/** Every item is checked before anything starts; the 400 names every failing index and path. */
on("batch", async (req, env, p, defer) => {
  const d = definitionOr404(p.name!);
  const key = idempotencyKeyOf(req);
  const body = await readJson(req, undefined);
  if (!Array.isArray(body) || body.length === 0 || body.length > MAX_BATCH) {
    throw new ApiError(400, "INVALID_BATCH", `A batch is a JSON list of 1-${MAX_BATCH} params objects; this body is ${Array.isArray(body) ? `a list of ${body.length}` : body === undefined ? "empty" : "not a list"}.`);
  }
  const failing = body.flatMap((input, index) => (inputProblems(d, input) ?? []).map((x) => ({ index, ...x })));
  if (failing.length > 0) {
    throw new ApiError(400, "INVALID_PARAMS", `${new Set(failing.map((f) => f.index)).size} of ${body.length} items do not satisfy ${d.name}'s input schema; nothing was started: ${failing.map((f) => `[${f.index}]${f.path} ${f.message}`).join("; ")}.`, failing);
  }
  // With a key, item i gets the key "<key>/<i>": a repeated batch starts nothing new.
  const started = await startBatch(env, d.name, body.map((input, i) => ({ input, ...(key !== undefined ? { key: `${key}/${i}` } : {}) })), defer);
  const status = started.some((s) => s.created) ? 201 : 200;
  return json(started.map((s) => ({ id: s.id, name: d.name, hash: d.hash, created: s.created })), status);
});

on("instances", async (_req, env, p) => {
  const d = definitionOr404(p.name!);
  const records = await listInstances(env.DB, d.name);
  const out = await Promise.all(records.map(async (r) => ({ id: r.id, name: r.name, hash: r.hash, created: new Date(r.created).toISOString(), status: await statusOf(env, r.binding, r.id) })));
  return json(out);
});

async function statusOf(env: Env, binding: string, id: string): Promise<string> {
  try {
    return (await (await workflowOf(env, binding).get(id)).status()).status;
  } catch {
    return "unknown";
  }
}

async function instanceOr404(env: Env, id: string) {
  const r = await findInstance(env, id);
  if (!r) throw new ApiError(404, "INSTANCE_NOT_FOUND", `No instance has the id "${id}".`);
  let handle: WorkflowInstance;
  try {
    handle = await workflowOf(env, r.binding).get(id);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    // A start that died before its create, or an instance the engine no longer keeps.
    await settleRow(env, r, false);
    throw new ApiError(404, "INSTANCE_NOT_FOUND", `No instance has the id "${id}".`);
  }
  // A start that died after its create: the row is completed by this read.
  if (isStarting(r)) await settleRow(env, r, true);
  return { record: r, handle };
}

/** The instance error as the API shows it: name, message and node path, without flowdsl's marker. */
export function publicError(e: { name?: string; message?: string } | undefined): unknown {
  if (!e) return null;
  const decoded = decodeErrorMessage(e.message ?? "");
  return decoded ? { name: decoded.name, message: decoded.message, node: decoded.node, ...(decoded.status !== undefined ? { status: decoded.status } : {}) } : { name: e.name ?? "Error", message: e.message ?? "" };
}

on("status", async (_req, env, p) => {
  const { record, handle } = await instanceOr404(env, p.id!);
  const s = await handle.status();
  const finished = TERMINAL_STATUSES.has(s.status);
  if (finished) await markFinished(env.DB, record.id);
  // "running" alone never hides a wait: say what it waits on.
  const waitingFor = finished ? null : buildHistory(await readEvents(handle), await pinned(env, record)).waitingFor;
  return json({ id: record.id, name: record.name, hash: record.hash, status: s.status, waitingFor, output: s.output ?? null, error: publicError(s.error) });
});

/** The definition version the instance runs: built into this Worker, or stored when it started. */
function pinned(env: Env, record: { name: string; hash: string }): Promise<Definition | undefined> {
  return pinnedDefinition(env.DB, DEFINITIONS, record);
}

/** The instance's history mapped onto its nodes; `?follow=true` streams it as Server-Sent Events. */
on("history", async (req, env, p) => {
  const { record, handle } = await instanceOr404(env, p.id!);
  const url = new URL(req.url);
  if (url.searchParams.get("follow") === "true") return followHistory(handle, await pinned(env, record));
  const t0 = Date.now();
  const [events, s] = await Promise.all([readEvents(handle), handle.status()]);
  const def = await pinned(env, record);
  const h = buildHistory(events, def);
  // The graph and input of the definition this instance runs (pinned in its params).
  const params = (events.find((e) => e.type === "workflow_started") as { params?: { definition?: Definition; input?: unknown } } | undefined)?.params;
  const graphDef = params?.definition ?? def;
  const body = { id: record.id, name: record.name, hash: record.hash, status: s.status, waitingFor: TERMINAL_STATUSES.has(s.status) ? null : h.waitingFor, input: params?.input ?? null, graph: graphDef ? graphOf(modelOf(graphDef)) : null, nodes: h.nodes, events: h.events };
  return json(body, 200, { "server-timing": `history;dur=${Date.now() - t0}` });
});

on("event", async (req, env, p) => {
  if (!isValidEventType(p.type!)) throw new ApiError(400, "INVALID_EVENT_TYPE", `"${p.type}" is not an event type: letters, digits, _ and -, at most 100 characters.`);
  const payload = await readJson(req, null);
  const { handle } = await instanceOr404(env, p.id!);
  const { status } = await handle.status();
  if (TERMINAL_STATUSES.has(status)) throw new ApiError(409, "INVALID_STATE", `The instance is ${status}; it waits for no event any more.`);
  await handle.sendEvent({ type: p.type!, payload });
  return json({ id: p.id, type: p.type, accepted: true }, 202);
});

/** Which statuses allow which lifecycle operation; anything else is 409. */
export const LIFECYCLE: Record<string, ReadonlySet<string>> = {
  terminate: new Set(["queued", "running", "paused", "waiting", "waitingForPause"]),
  pause: new Set(["queued", "running", "waiting"]),
  resume: new Set(["paused", "waitingForPause"]),
  restart: new Set(["queued", "running", "paused", "waiting", "waitingForPause", "errored", "terminated", "complete"]),
};

for (const op of ["pause", "resume"] as const) {
  on(op, async (_req, env, p) => {
    const { handle } = await lifecycleHandle(env, p.id!, op);
    await engineCall(op, () => handle[op]());
    return json({ id: p.id, operation: op, accepted: true }, 202);
  });
}

/** Body `{ "from": "<node path or step name>" }`: restart from that step, earlier results kept. */
on("restart", async (req, env, p) => {
  const body = (await readJson(req, {})) as { from?: unknown } | null;
  const { record, handle } = await lifecycleHandle(env, p.id!, "restart");
  const from = body && typeof body === "object" && body.from !== undefined ? restartPoint(record.name, await pinned(env, record), body.from) : undefined;
  await engineCall("restart", () => handle.restart(from ? { from } : undefined));
  return json({ id: p.id, operation: "restart", accepted: true, ...(from ? { from: from.name } : {}) }, 202);
});

/**
 * Body `{ "compensate": true }`: the compensations registered so far run, newest first, then
 * the instance ends as terminated (src/api/terminate.ts says how). A queued instance has none.
 */
on("terminate", async (req, env, p) => {
  const body = (await readJson(req, {})) as { compensate?: unknown } | null;
  const compensate = body !== null && typeof body === "object" && body.compensate === true;
  const { record, handle, status } = await lifecycleHandle(env, p.id!, "terminate");
  if (compensate && status !== "queued") {
    const target = await terminateWithCompensation(env, record, handle, status);
    return json({ id: p.id, operation: "terminate", accepted: true, compensate, stopsAt: target.api === "next" ? "its next step" : target.name }, 202);
  }
  await engineCall("terminate", () => handle.terminate());
  return json({ id: p.id, operation: "terminate", accepted: true, compensate }, 202);
});

on("delete", async (_req, env, p) => {
  const { handle } = await instanceOr404(env, p.id!);
  await engineCall("delete", () => handle.delete());
  await deleteRecord(env.DB, p.id!);
  return new Response(null, { status: 204 });
});

async function lifecycleHandle(env: Env, id: string, op: keyof typeof LIFECYCLE) {
  const found = await instanceOr404(env, id);
  const { status } = await found.handle.status();
  if (!LIFECYCLE[op]!.has(status)) throw new ApiError(409, "INVALID_STATE", `Cannot ${op} an instance that is ${status}.`);
  return { ...found, status };
}

async function engineCall(op: string, f: () => Promise<unknown>): Promise<void> {
  try {
    await f();
  } catch (e) {
    throw new ApiError(409, "INVALID_STATE", `Cannot ${op} this instance: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// The web page and its assets load without the token; every data request it makes sends it.
on("page", async () => new Response(PAGE_HTML, { headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": PAGE_CSP, "x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer" } }));

on("callback", (req, env, p) => handleCallback(req, env, p.token!));

/**
 * `POST /callbacks/:token`: sends the token's event, with the body as payload, to its instance.
 * A forged, altered or expired token gets the same 403; a gone instance 404; a finished one 409.
 * The first accepted delivery consumes the token: a repeat answers 200 `duplicate` and delivers
 * nothing, so one URL never satisfies two waits. A delivery that fails gives the token back.
 */
async function handleCallback(req: Request, env: Env, token: string): Promise<Response> {
  const now = Date.now();
  const claim = await verifyCallback(env as Record<string, unknown>, token, now);
  if (!claim) throw new ApiError(403, "CALLBACK_REFUSED", "This callback address is not valid (forged, altered or expired).");
  const payload = await readJson(req, null);
  const id = tokenIdOf(token);
  if (!(await consumeCallback(env.DB, id, claim.i, claim.e * 1000, now))) return json({ id: claim.i, type: claim.t, duplicate: true }, 200);
  try {
    const { handle } = await instanceOr404(env, claim.i);
    const { status } = await handle.status();
    if (TERMINAL_STATUSES.has(status)) throw new ApiError(409, "INVALID_STATE", `The instance is ${status}; it waits for no event any more.`);
    await handle.sendEvent({ type: claim.t, payload });
  } catch (e) {
    await releaseCallback(env.DB, id);
    throw e;
  }
  return json({ id: claim.i, type: claim.t, accepted: true }, 202);
}

/** Local dev only (npm start calls it after every start and reload): wake stranded instances. */
on("recover", async (_req, env) => {
  if (!isLocalRecoveryEnabled(env)) throw new ApiError(404, "NOT_FOUND", "Recovery runs only under npm start (FLOWDSL_LOCAL_RECOVERY); Cloudflare's engine recovers deployed instances itself.");
  return json(await recoverInstances(env));
});

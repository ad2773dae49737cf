// The HTTP API (docs/reference.md, HTTP API). Every answer is JSON; every error is { error: { code, message, details? } }.
import type { Env } from "../env.js";
import type { ApiCode } from "../errors.js";
import { API_CODES } from "../errors.js";
import { DEFINITIONS, INPUT_VALIDATORS } from "../generated/definitions.js";
import { decodeErrorMessage } from "../interpreter/errors.js";
import { isValidEventType } from "../nodes/wait-for-event.js";
import { getInstance, listInstances, markFinished, recordInstance } from "./registry.js";
import { authorized } from "./auth.js";
import { isLocalRecoveryEnabled, recoverInstances, TERMINAL_STATUSES } from "./recovery.js";

/** Bodies over this are refused with 413 (docs/reference.md, HTTP API). */
export const MAX_BODY_BYTES = 1024 * 1024;
export const isBodyTooLarge = (n: number): boolean => n > MAX_BODY_BYTES;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]+$/;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiCode,
    message?: string,
    readonly details?: unknown,
  ) {
    super(message ?? API_CODES[code]);
  }
}

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

function errorResponse(e: ApiError): Response {
  return json({ error: { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) } }, e.status, e.status === 401 ? { "www-authenticate": 'Bearer realm="flowdsl"' } : undefined);
}

type Handler = (req: Request, env: Env, params: Record<string, string>) => Promise<Response>;
interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}
const routes: Route[] = [];
function route(method: string, path: string, handler: Handler): void {
  const keys: string[] = [];
  const pattern = new RegExp("^" + path.replace(/:(\w+)/g, (_, k: string) => (keys.push(k), "([^/]+)")) + "/?$");
  routes.push({ method, pattern, keys, handler });
}

export async function handle(req: Request, env: Env): Promise<Response> {
  try {
    if (!(await authorized(req, env.API_TOKEN))) throw new ApiError(401, "UNAUTHORIZED", env.API_TOKEN ? "Missing or wrong bearer token. Send `Authorization: Bearer <API_TOKEN>`." : "This deployment has no API_TOKEN secret, so the API is closed. Set one with `wrangler secret put API_TOKEN`.");
    const url = new URL(req.url);
    let allowed: string[] = [];
    for (const r of routes) {
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      if (r.method !== req.method) {
        allowed.push(r.method);
        continue;
      }
      const params = Object.fromEntries(r.keys.map((k, i) => [k, decodeSegment(m[i + 1]!)]));
      return await r.handler(req, env, params);
    }
    allowed = [...new Set(allowed)];
    if (allowed.length > 0) throw new ApiError(405, "METHOD_NOT_ALLOWED", `${req.method} is not allowed here; use ${allowed.join(" or ")}.`);
    throw new ApiError(404, "NOT_FOUND", `No route for ${req.method} ${url.pathname}. See GET /workflows.`);
  } catch (e) {
    if (e instanceof ApiError) return errorResponse(e);
    console.error(JSON.stringify({ level: "error", message: "unhandled API error", error: e instanceof Error ? e.message : String(e) }));
    return errorResponse(new ApiError(500, "INTERNAL", e instanceof Error ? e.message : String(e)));
  }
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ApiError(404, "NOT_FOUND", `The path segment "${s}" is not valid percent-encoding.`);
  }
}

/** Reads a JSON body: 415 for a non-JSON content type, 413 over 1 MiB, 400 for bad JSON. An empty body is `empty`. */
export async function readJson(req: Request, empty: unknown): Promise<unknown> {
  const length = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(length) && isBodyTooLarge(length)) throw new ApiError(413, "PAYLOAD_TOO_LARGE", `The body has ${length} bytes; at most ${MAX_BODY_BYTES}.`);
  const type = req.headers.get("content-type");
  const bytes = await readLimited(req);
  if (bytes.byteLength === 0) return empty;
  if (!type || !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", `The body's Content-Type is ${type ? `"${type}"` : "missing"}; send application/json.`);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch (e) {
    throw new ApiError(400, "INVALID_JSON", `The body is not valid JSON: ${e instanceof Error ? e.message : String(e)}.`);
  }
}

async function readLimited(req: Request): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (isBodyTooLarge(total)) {
      await reader.cancel();
      throw new ApiError(413, "PAYLOAD_TOO_LARGE", `The body is over ${MAX_BODY_BYTES} bytes.`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

function definitionOr404(name: string) {
  const d = DEFINITIONS[name];
  if (!d) throw new ApiError(404, "WORKFLOW_NOT_FOUND", `No definition is named "${name}". See GET /workflows.`);
  return d;
}

async function sha256Hex(s: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Instance id for an idempotent start: derived from the definition name and the key. */
export async function idempotentId(name: string, key: string): Promise<string> {
  return `${name}-${(await sha256Hex(`${name}\u0000${key}`)).slice(0, 32)}`;
}

route("GET", "/workflows", async () => json(Object.values(DEFINITIONS).map((d) => ({ name: d.name, description: d.description, hash: d.hash }))));

route("GET", "/workflows/:name", async (_req, _env, p) => {
  const d = definitionOr404(p.name!);
  return json({ name: d.name, description: d.description, hash: d.hash, input: d.input, definition: d.definition });
});

export async function startInstance(env: Env, name: string, input: unknown, idempotencyKey?: string): Promise<{ id: string; created: boolean }> {
  const d = definitionOr404(name);
  const id = idempotencyKey === undefined ? crypto.randomUUID() : await idempotentId(name, idempotencyKey);
  if (idempotencyKey !== undefined && (await getInstance(env.DB, id))) return { id, created: false };
  await recordInstance(env.DB, { id, name, hash: d.hash, created: Date.now(), parent: null });
  try {
    await env.FLOW.create({ id, params: { name, hash: d.hash, definition: d.definition, input } });
  } catch (e) {
    if (idempotencyKey !== undefined && /already exists/i.test(e instanceof Error ? e.message : String(e))) return { id, created: false };
    throw e;
  }
  return { id, created: true };
}

route("POST", "/workflows/:name", async (req, env, p) => {
  const d = definitionOr404(p.name!);
  const key = req.headers.get("idempotency-key") ?? undefined;
  if (key !== undefined && (key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !IDEMPOTENCY_KEY.test(key))) {
    throw new ApiError(400, "INVALID_IDEMPOTENCY_KEY", `An Idempotency-Key is 1-${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces.`);
  }
  const input = await readJson(req, {});
  const validate = INPUT_VALIDATORS[d.name];
  if (validate && !validate(input)) {
    const details = (validate.errors ?? []).map((e) => ({ path: e.instancePath || "/", message: e.message ?? e.keyword, keyword: e.keyword, params: e.params }));
    throw new ApiError(400, "INVALID_PARAMS", `The params do not satisfy ${d.name}'s input schema: ${details.map((x) => `${x.path} ${x.message}`).join("; ")}.`, details);
  }
  const { id, created } = await startInstance(env, d.name, input, key);
  return json({ id, name: d.name, hash: d.hash }, created ? 201 : 200, { location: `/instances/${id}` });
});

route("GET", "/workflows/:name/instances", async (_req, env, p) => {
  const d = definitionOr404(p.name!);
  const records = await listInstances(env.DB, d.name);
  const out = await Promise.all(records.map(async (r) => ({ id: r.id, name: r.name, hash: r.hash, created: new Date(r.created).toISOString(), status: await statusOf(env, r.id) })));
  return json(out);
});

async function statusOf(env: Env, id: string): Promise<string> {
  try {
    return (await (await env.FLOW.get(id)).status()).status;
  } catch {
    return "unknown";
  }
}

async function instanceOr404(env: Env, id: string) {
  const r = await getInstance(env.DB, id);
  if (!r) throw new ApiError(404, "INSTANCE_NOT_FOUND", `No instance has the id "${id}".`);
  return { record: r, handle: await env.FLOW.get(id) };
}

/** The instance error as the API shows it: name, message and node path, without flowdsl's marker. */
export function publicError(e: { name?: string; message?: string } | undefined): unknown {
  if (!e) return null;
  const decoded = decodeErrorMessage(e.message ?? "");
  return decoded ? { name: decoded.name, message: decoded.message, node: decoded.node, ...(decoded.status !== undefined ? { status: decoded.status } : {}) } : { name: e.name ?? "Error", message: e.message ?? "" };
}

route("GET", "/instances/:id", async (_req, env, p) => {
  const { record, handle } = await instanceOr404(env, p.id!);
  const s = await handle.status();
  if (TERMINAL_STATUSES.has(s.status)) await markFinished(env.DB, record.id);
  return json({ id: record.id, name: record.name, hash: record.hash, status: s.status, output: s.output ?? null, error: publicError(s.error) });
});

route("POST", "/instances/:id/events/:type", async (req, env, p) => {
  if (!isValidEventType(p.type!)) throw new ApiError(400, "INVALID_EVENT_TYPE", `"${p.type}" is not an event type: letters, digits, _ and -, at most 100 characters.`);
  const payload = await readJson(req, null);
  const { handle } = await instanceOr404(env, p.id!);
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

for (const op of Object.keys(LIFECYCLE)) {
  route("POST", `/instances/:id/${op}`, async (_req, env, p) => {
    const { handle } = await instanceOr404(env, p.id!);
    const { status } = await handle.status();
    if (!LIFECYCLE[op]!.has(status)) throw new ApiError(409, "INVALID_STATE", `Cannot ${op} an instance that is ${status}.`);
    try {
      await (handle as unknown as Record<string, () => Promise<void>>)[op]!();
    } catch (e) {
      throw new ApiError(409, "INVALID_STATE", `Cannot ${op} this instance: ${e instanceof Error ? e.message : String(e)}`);
    }
    return json({ id: p.id, operation: op, accepted: true }, 202);
  });
}

/** Local dev only (npm start calls it after every start and reload): wake stranded instances. */
route("POST", "/__flowdsl/recover", async (_req, env) => {
  if (!isLocalRecoveryEnabled(env)) throw new ApiError(404, "NOT_FOUND", "Recovery runs only under npm start (FLOWDSL_LOCAL_RECOVERY); Cloudflare's engine recovers deployed instances itself.");
  return json(await recoverInstances(env));
});

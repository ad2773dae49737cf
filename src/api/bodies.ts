// Reading requests safely (docs/reference.md, HTTP API): JSON bodies bounded in size, depth and
// encoding, path segments decoded, Idempotency-Key headers checked.
import { ApiError } from "./errors.js";

/** Bodies over this are refused with 413 (docs/reference.md, HTTP API). */
export const MAX_BODY_BYTES = 1024 * 1024;
export const isBodyTooLarge = (n: number): boolean => n > MAX_BODY_BYTES;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]+$/;

export function decodeSegment(s: string): string {
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
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, "INVALID_JSON", "The body is not valid UTF-8 (JSON is UTF-8 text); nothing was replaced or started.");
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    throw new ApiError(400, "INVALID_JSON", `The body is not valid JSON: ${e instanceof Error ? e.message : String(e)}.`);
  }
  if (isNestedTooDeep(value)) throw new ApiError(400, "INVALID_JSON", `The body nests deeper than ${MAX_BODY_DEPTH} levels; params that deep cannot be stored by the engine. Flatten them.`);
  return value;
}

/** Params are stored by the engine, which refuses very deep values: answer 400 before it does. */
export const MAX_BODY_DEPTH = 64;
function isNestedTooDeep(v: unknown): boolean {
  const stack: Array<[unknown, number]> = [[v, 1]];
  while (stack.length > 0) {
    const [x, depth] = stack.pop()!;
    if (x === null || typeof x !== "object") continue;
    if (depth > MAX_BODY_DEPTH) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x)) if (c !== null && typeof c === "object") stack.push([c, depth + 1]);
  }
  return false;
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

export function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.headers.get("idempotency-key") ?? undefined;
  if (key !== undefined && (key.length > MAX_IDEMPOTENCY_KEY_LENGTH || !IDEMPOTENCY_KEY.test(key))) {
    throw new ApiError(400, "INVALID_IDEMPOTENCY_KEY", `An Idempotency-Key is 1-${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces.`);
  }
  return key;
}

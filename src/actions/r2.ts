// `r2.get` / `r2.put` / `r2.list` — R2 objects as text or JSON (default binding BUCKET).
// Step results stay under 1 MiB; larger objects belong in R2, referenced by key.
import type { Action } from "./types.js";
import { ActionFailure } from "./types.js";
import { binding, object, optionalNumber, string } from "./args.js";
import { toBase64 } from "../encoding.js";

export const r2Get: Action = async (args, ctx) => {
  const a = object(args, "r2.get");
  const bucket = binding<R2Bucket>(ctx.env, a, "BUCKET", "get", "r2.get");
  const obj = await bucket.get(string(a, "key", "r2.get"));
  if (!obj) return null;
  if (a.type === "base64") return { key: obj.key, size: obj.size, contentType: obj.httpMetadata?.contentType ?? null, body: toBase64(new Uint8Array(await obj.arrayBuffer())) };
  const text = await obj.text();
  const body = a.type === "text" ? text : safeJson(text);
  return { key: obj.key, size: obj.size, contentType: obj.httpMetadata?.contentType ?? null, body };
};

export const r2Put: Action = async (args, ctx) => {
  const a = object(args, "r2.put");
  const bucket = binding<R2Bucket>(ctx.env, a, "BUCKET", "put", "r2.put");
  const key = string(a, "key", "r2.put");
  const isText = typeof a.body === "string";
  const obj = await bucket.put(key, isText ? (a.body as string) : JSON.stringify(a.body ?? null), {
    httpMetadata: { contentType: typeof a.contentType === "string" ? a.contentType : isText ? "text/plain" : "application/json" },
  });
  return { key, size: obj?.size ?? 0 };
};

/** Copies an object inside R2 (bytes never pass through a step result). */
export const r2Copy: Action = async (args, ctx) => {
  const a = object(args, "r2.copy");
  const bucket = binding<R2Bucket>(ctx.env, a, "BUCKET", "get", "r2.copy");
  const from = string(a, "from", "r2.copy");
  const to = string(a, "to", "r2.copy");
  const obj = await bucket.get(from);
  if (!obj) throw new ActionFailure(`r2.copy: no object "${from}"`);
  const put = await bucket.put(to, await obj.arrayBuffer(), { httpMetadata: obj.httpMetadata });
  return { key: to, size: put?.size ?? obj.size };
};

export const r2List: Action = async (args, ctx) => {
  const a = object(args ?? {}, "r2.list");
  const bucket = binding<R2Bucket>(ctx.env, a, "BUCKET", "list", "r2.list");
  const limit = optionalNumber(a, "limit", "r2.list");
  const r = await bucket.list({ prefix: typeof a.prefix === "string" ? a.prefix : undefined, limit: limit ?? 1000 });
  return r.objects.map((o) => ({ key: o.key, size: o.size }));
};

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

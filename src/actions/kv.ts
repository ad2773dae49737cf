// `kv.get` / `kv.put` / `kv.delete` — Workers KV (default binding KV).
import type { Action } from "./types.js";
import { binding, object, optionalNumber, string } from "./args.js";

/** KV's own minimum for expirationTtl. */
export const MIN_KV_TTL_SECONDS = 60;

export const kvGet: Action = async (args, ctx) => {
  const a = object(args, "kv.get");
  const kv = binding<KVNamespace>(ctx.env, a, "KV", "get", "kv.get");
  const type = a.type === "text" ? "text" : "json";
  const key = string(a, "key", "kv.get");
  return type === "json" ? ((await kv.get(key, "json")) ?? null) : ((await kv.get(key, "text")) ?? null);
};

export const kvPut: Action = async (args, ctx) => {
  const a = object(args, "kv.put");
  const kv = binding<KVNamespace>(ctx.env, a, "KV", "put", "kv.put");
  const key = string(a, "key", "kv.put");
  const ttl = optionalNumber(a, "ttl", "kv.put");
  const value = typeof a.value === "string" ? a.value : JSON.stringify(a.value ?? null);
  await kv.put(key, value, ttl === undefined ? undefined : { expirationTtl: Math.max(MIN_KV_TTL_SECONDS, Math.round(ttl)) });
  return { key };
};

export const kvDelete: Action = async (args, ctx) => {
  const a = object(args, "kv.delete");
  const kv = binding<KVNamespace>(ctx.env, a, "KV", "delete", "kv.delete");
  const key = string(a, "key", "kv.delete");
  await kv.delete(key);
  return { key };
};

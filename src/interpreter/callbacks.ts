// Callback URLs (docs/reference.md, "Callbacks"): `$callbackUrl(type[, ttl])` inside a step
// gives an address that sends event `type` to this instance without the API token, the way
// Step Functions task tokens and signed resume URLs do. The token names the instance, the
// event type and an expiry, signed with HMAC-SHA256 under the secret CALLBACK_SECRET; the
// base is the var PUBLIC_URL.
import { parseDuration } from "./duration.js";

/** How long a callback URL works unless `ttl` says otherwise. */
export const DEFAULT_CALLBACK_TTL_MS = 7 * 24 * 3600_000;
/** Cloudflare's longest event wait: a callback that outlives it could never be received. */
export const MAX_CALLBACK_TTL_MS = 365 * 24 * 3600_000;

export interface CallbackClaim {
  /** Instance id. */
  i: string;
  /** Event type. */
  t: string;
  /** Expiry, epoch seconds. */
  e: number;
  /** A nonce: every URL minted is its own token, so delivering one consumes no other. */
  n?: string;
}

const enc = new TextEncoder();
const b64url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
function fromB64url(s: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

async function key(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

/** Why callback URLs cannot be made with this env, or undefined. */
export function callbackSetupProblem(env: Record<string, unknown>): string | undefined {
  if (typeof env.CALLBACK_SECRET !== "string" || env.CALLBACK_SECRET.length < 16) return "$callbackUrl needs the secret CALLBACK_SECRET (at least 16 characters): `wrangler secret put CALLBACK_SECRET`.";
  if (typeof env.PUBLIC_URL !== "string" || !/^https?:\/\//.test(env.PUBLIC_URL)) return "$callbackUrl needs the var PUBLIC_URL, the Worker's public address (https://flowdsl.example.workers.dev), in wrangler.jsonc.";
  return undefined;
}

export async function callbackUrl(env: Record<string, unknown>, instanceId: string, type: unknown, ttl: unknown, now: number): Promise<string> {
  const problem = callbackSetupProblem(env);
  if (problem) throw new Error(problem);
  if (typeof type !== "string" || !/^[a-zA-Z0-9_][a-zA-Z0-9_-]{0,99}$/.test(type)) throw new Error(`$callbackUrl: ${JSON.stringify(type)} is not an event type (letters, digits, _ and -).`);
  const ttlMs = ttl === undefined ? DEFAULT_CALLBACK_TTL_MS : parseDuration(ttl);
  if (ttlMs === undefined || ttlMs <= 0 || ttlMs > MAX_CALLBACK_TTL_MS) throw new Error(`$callbackUrl: ${JSON.stringify(ttl)} is not a duration up to 365 days.`);
  // Minted inside a step, so the nonce is journaled with the URL and a replay gives the same one.
  const claim: CallbackClaim = { i: instanceId, t: type, e: Math.floor((now + ttlMs) / 1000), n: b64url(crypto.getRandomValues(new Uint8Array(9))) };
  const payload = b64url(enc.encode(JSON.stringify(claim)));
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", await key(env.CALLBACK_SECRET as string), enc.encode(payload)));
  return `${(env.PUBLIC_URL as string).replace(/\/$/, "")}/callbacks/${payload}.${b64url(sig)}`;
}

/** What identifies a token once it is verified: its signature (unique, as the payload has a nonce). */
export const tokenIdOf = (token: string): string => token.slice(token.indexOf(".") + 1);

/** The claim of a genuine, unexpired token; undefined for a forged, altered or expired one alike. */
export async function verifyCallback(env: Record<string, unknown>, token: string, now: number): Promise<CallbackClaim | undefined> {
  if (typeof env.CALLBACK_SECRET !== "string" || env.CALLBACK_SECRET.length < 16) return undefined;
  const [payload, sig, extra] = token.split(".");
  if (!payload || !sig || extra !== undefined) return undefined;
  const sigBytes = fromB64url(sig);
  if (!sigBytes) return undefined;
  // crypto.subtle.verify compares in constant time.
  const ok = await crypto.subtle.verify("HMAC", await key(env.CALLBACK_SECRET), sigBytes, enc.encode(payload));
  if (!ok) return undefined;
  try {
    const claim = JSON.parse(new TextDecoder().decode(fromB64url(payload))) as CallbackClaim;
    if (typeof claim.i !== "string" || typeof claim.t !== "string" || typeof claim.e !== "number") return undefined;
    return claim.e * 1000 >= now ? claim : undefined;
  } catch {
    return undefined;
  }
}

// Outbound requests of nodes and actions: through the effects seam, with the safety rules of
// docs/reference.md ("Outbound HTTP safety") checked on the first URL and on every redirect.
import { FlowError } from "./errors.js";
import type { Effects, NodeRef } from "./effects.js";
import { checkUrl, MAX_REDIRECTS } from "../nodes/http-safety.js";
import { ActionFailure } from "../actions/types.js";

/** The URL (or a redirect's target) is refused by the safety rules. */
export class OutboundRefused extends Error {}

/** The call itself failed (network, reset): worth retrying. */
export class OutboundFailed extends Error {}

/** The exchange cannot succeed as asked (a bad Location, too many redirects): not retried. */
export class OutboundBroken extends Error {}

/** Headers that carry credentials: never sent on to another origin (as browsers do). */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

export const allowsPrivateHosts = (env: Record<string, unknown>): boolean => env.ALLOW_PRIVATE_HOSTS === "true" || env.ALLOW_PRIVATE_HOSTS === true;

/**
 * Fetches `url`, following up to MAX_REDIRECTS redirects by hand so each hop is checked.
 * As browsers do: a 301, 302 or 303 after anything but GET/HEAD goes on as a GET without a
 * body (307 and 308 keep both), and a hop to another origin drops the credential headers.
 * `init.headers` is the caller's to give away: redirects edit it.
 */
export async function safeFetch(effects: Effects, at: NodeRef, url: URL, init: RequestInit & { headers: Headers }, allowPrivate: boolean): Promise<{ response: Response; url: URL }> {
  let target = url;
  let method = (init.method ?? "GET").toUpperCase();
  let body = init.body;
  // The caller's own Headers (each caller makes a fresh one): a redirect may edit it in place.
  const headers = init.headers;
  for (let hop = 0; ; hop++) {
    const refusal = checkUrl(target, allowPrivate);
    if (refusal) throw new OutboundRefused(`${refusal} Set the var ALLOW_PRIVATE_HOSTS="true" only for local development.`);
    let res: Response;
    try {
      res = await effects.fetch(at, target.toString(), { method, headers, body, redirect: "manual" });
    } catch (e) {
      // A FlowError is an answer already (a test runner's UNMOCKED_CALL), not a network failure.
      if (e instanceof FlowError) throw e;
      throw new OutboundFailed(`${method} ${target.origin}${target.pathname} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Most answers are not redirects: their headers need not be read here.
    if (res.status < 300 || res.status >= 400 || res.status === 304) return { response: res, url: target };
    const location = res.headers.get("location");
    if (!location) return { response: res, url: target };
    await res.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw new OutboundBroken(`${method} ${url.origin}${url.pathname}: more than ${MAX_REDIRECTS} redirects (the last to ${target.href})`);
    let next: URL;
    try {
      next = new URL(location, target);
    } catch {
      throw new OutboundBroken(`${method} ${target.origin}${target.pathname} answered ${res.status} with a Location that is not a URL: ${JSON.stringify(location)}`);
    }
    if ((res.status === 301 || res.status === 302 || res.status === 303) && method !== "GET" && method !== "HEAD") {
      method = "GET";
      body = undefined;
      headers.delete("content-type");
      headers.delete("content-length");
    }
    if (next.origin !== target.origin) for (const h of CREDENTIAL_HEADERS) headers.delete(h);
    target = next;
  }
}

/**
 * The fetch an action gets (`ctx.fetch`): the node's effects seam and the same safety rules as
 * `http` nodes. A refused URL is a non-retryable ActionError; a network failure is retried.
 */
export function actionFetch(effects: Effects, at: NodeRef, allowPrivate: boolean): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return async (url, init = {}) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new ActionFailure(`"${String(url)}" is not an absolute URL.`);
    }
    try {
      return (await safeFetch(effects, at, u, { ...init, headers: new Headers(init.headers) }, allowPrivate)).response;
    } catch (e) {
      if (e instanceof OutboundRefused || e instanceof OutboundBroken) throw new ActionFailure(e.message);
      throw e;
    }
  };
}

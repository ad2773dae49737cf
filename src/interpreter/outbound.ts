// Outbound requests of nodes and actions: through the effects seam, with the safety rules of
// docs/reference.md ("Outbound HTTP safety") checked on the first URL and on every redirect.
import type { Effects, NodeRef } from "./effects.js";
import { checkUrl, MAX_REDIRECTS } from "../nodes/http-safety.js";
import { ActionFailure } from "../actions/types.js";

/** The URL (or a redirect's target) is refused by the safety rules. */
export class OutboundRefused extends Error {}

/** The call itself failed (network, reset): worth retrying. */
export class OutboundFailed extends Error {}

export const allowsPrivateHosts = (env: Record<string, unknown>): boolean => env.ALLOW_PRIVATE_HOSTS === "true" || env.ALLOW_PRIVATE_HOSTS === true;

/** Fetches `url`, following up to MAX_REDIRECTS redirects by hand so each hop is checked. */
export async function safeFetch(effects: Effects, at: NodeRef, url: URL, init: RequestInit, allowPrivate: boolean): Promise<{ response: Response; url: URL }> {
  let target = url;
  for (let hop = 0; ; hop++) {
    const refusal = checkUrl(target, allowPrivate);
    if (refusal) throw new OutboundRefused(`${refusal} Set the var ALLOW_PRIVATE_HOSTS="true" only for local development.`);
    let res: Response;
    try {
      res = await effects.fetch(at, target.toString(), { ...init, redirect: "manual" });
    } catch (e) {
      throw new OutboundFailed(`${init.method ?? "GET"} ${target.origin}${target.pathname} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const location = res.headers.get("location");
    if (hop < MAX_REDIRECTS && res.status >= 300 && res.status < 400 && res.status !== 304 && location) {
      await res.body?.cancel();
      target = new URL(location, target);
      continue;
    }
    return { response: res, url: target };
  }
}

/**
 * The fetch an action gets (`ctx.fetch`): the node's effects seam and the same safety rules as
 * `http` nodes. A refused URL is a non-retryable ActionError; a network failure is retried.
 */
export function actionFetch(effects: Effects, at: NodeRef, env: Record<string, unknown>): (url: string | URL, init?: RequestInit) => Promise<Response> {
  const allowPrivate = allowsPrivateHosts(env);
  return async (url, init = {}) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new ActionFailure(`"${String(url)}" is not an absolute URL.`);
    }
    try {
      return (await safeFetch(effects, at, u, init, allowPrivate)).response;
    } catch (e) {
      if (e instanceof OutboundRefused) throw new ActionFailure(e.message);
      throw e;
    }
  };
}

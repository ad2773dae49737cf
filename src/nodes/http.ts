// `http`: one HTTP call in one durable step (docs/reference.md, Nodes), with outbound safety (docs/reference.md, Outbound HTTP safety).
import type { HttpNode } from "../generated/workflow.js";
import { setOwn } from "../core/own.js";
import type { NodeKind } from "./types.js";
import { durableStep, RetryableFailure } from "../interpreter/durable.js";
import { renderTemplateNow } from "../expressions/template.js";
import { FlowError } from "../interpreter/errors.js";
import { compensationChildren, refOf, stepBindings } from "./shared.js";
import { OutboundBroken, OutboundFailed, OutboundRefused, safeFetch } from "../interpreter/outbound.js";
import { toBase64 } from "../encoding.js";

const TEMPLATE_FIELDS = ["url", "headers", "query", "body", "result"] as const;

/** Statuses worth retrying (docs/reference.md, Nodes); any other non-2xx fails at once. */
export const isRetryableStatus = (s: number): boolean => s === 408 || s === 425 || s === 429 || s >= 500;

export const httpNode: NodeKind<HttpNode> = {
  kind: "http",
  durable: true,
  stepApi: "do",
  children: (n) => compensationChildren(n),
  expressions: (n) =>
    TEMPLATE_FIELDS.filter((f) => n[f] !== undefined).map((f) => ({ at: [f], value: n[f], mode: "template" as const, inStep: true, sees: f === "result" ? ["response"] : [] })),
  // Not async: the step's own promise is the node's (one promise and hop less a step).
  run(n, frame) {
    return durableStep(frame, async ({ name }) => {
      const b = stepBindings(frame);
      const allowPrivate = frame.state.allowPrivateHosts;
      // Templates the fast path renders answer at once; awaiting only promises saves a hop each
      // (hops cost more on the engine than in a loop, bench/notes.md).
      let u = renderTemplateNow(n.url, b);
      if (u instanceof Promise) u = await u;
      const rawUrl = String(u);
      let query = n.query === undefined ? undefined : renderTemplateNow(n.query, b);
      if (query instanceof Promise) query = await query;
      let url: URL;
      try {
        url = requestUrl(rawUrl, query);
      } catch {
        throw new FlowError({ name: "HttpError", node: name, message: `"${rawUrl}" is not an absolute URL. Give \`url\` a full http(s) URL.` });
      }
      const headers = new Headers();
      let h = n.headers === undefined ? undefined : renderTemplateNow(n.headers, b);
      if (h instanceof Promise) h = await h;
      if (h && typeof h === "object") for (const [k, v] of Object.entries(h)) if (v !== null) headers.set(k, typeof v === "string" ? v : JSON.stringify(v));
      let body: string | undefined;
      if (n.body !== undefined) {
        let rendered = renderTemplateNow(n.body, b);
        if (rendered instanceof Promise) rendered = await rendered;
        if (rendered !== null && typeof rendered === "object") {
          body = JSON.stringify(rendered);
          if (!headers.has("content-type")) headers.set("content-type", "application/json");
        } else if (rendered !== null) body = String(rendered);
      }
      if (n.idempotencyKey) headers.set("Idempotency-Key", `${frame.state.workflow.id}:${name}`);
      const method = n.method ?? "GET";

      let res: Response;
      let target: URL;
      try {
        ({ response: res, url: target } = await safeFetch(frame.state.effects, refOf(frame), url, { method, headers, body }, allowPrivate));
      } catch (e) {
        if (e instanceof OutboundRefused) throw new FlowError({ name: "HostNotAllowed", node: name, message: e.message });
        if (e instanceof OutboundFailed) throw new RetryableFailure(new FlowError({ name: "HttpError", node: name, message: e.message }));
        if (e instanceof OutboundBroken) throw new FlowError({ name: "HttpError", node: name, message: e.message });
        throw e;
      }
      let responseBody: unknown;
      try {
        responseBody = await readBody(res);
      } catch (e) {
        // The connection broke after the headers: the call failed, and may be tried again.
        throw new RetryableFailure(new FlowError({ name: "HttpError", node: name, message: `${method} ${target.origin}${target.pathname}: the answer could not be read (${e instanceof Error ? e.message : String(e)})` }));
      }
      const ok = res.status >= 200 && res.status < 300;
      // A failure keeps the headers for `$error.response`; a success only when its result can show them.
      const response = { status: res.status, headers: !ok || readsHeaders(n) ? headersOf(res.headers) : {}, body: responseBody };
      if (!ok) {
        const err = new FlowError({ name: "HttpError", node: name, status: res.status, message: `${method} ${target.origin}${target.pathname} answered ${res.status}`, response: boundedResponse(response) });
        // `retryOn` lists the statuses that retry for this node, instead of the default classes.
        if (n.retryOn ? n.retryOn.includes(res.status) : isRetryableStatus(res.status)) throw new RetryableFailure(err);
        throw err;
      }
      return n.result === undefined ? response : renderTemplateNow(n.result, { ...b, response });
    });
  },
};

/**
 * The URL with `query`'s fields appended (null fields left out, non-strings as JSON), exactly as
 * URLSearchParams.append writes them. When the URL has no query or fragment of its own and no
 * edge to trim, the query string is written here and the URL parsed once: the URL object's
 * search-params round trips were a fifth of an http step's own work.
 */
export function requestUrl(rawUrl: string, query: unknown): URL {
  if (query === null || typeof query !== "object") return new URL(rawUrl);
  const fields = Object.entries(query).filter(([, v]) => v !== null && v !== undefined) as Array<[string, unknown]>;
  if (fields.length === 0) return new URL(rawUrl);
  if (!rawUrl.includes("?") && !rawUrl.includes("#") && rawUrl.charCodeAt(0) > 0x20 && rawUrl.charCodeAt(rawUrl.length - 1) > 0x20) {
    try {
      let qs = "";
      for (const [k, v] of fields) qs += (qs === "" ? "" : "&") + formEncode(k) + "=" + formEncode(typeof v === "string" ? v : String(JSON.stringify(v)));
      return new URL(rawUrl + "?" + qs);
    } catch (e) {
      // A lone surrogate (encodeURIComponent refuses it; URLSearchParams writes U+FFFD): the long way.
      if (!(e instanceof URIError)) throw e;
    }
  }
  const url = new URL(rawUrl);
  for (const [k, v] of fields) url.searchParams.append(k, typeof v === "string" ? v : String(JSON.stringify(v)));
  return url;
}

/** application/x-www-form-urlencoded: encodeURIComponent, plus space as + and !'()~ escaped. */
const FORM_SAFE = /^[\w*.-]*$/;
const formEncode = (s: string): string => FORM_SAFE.test(s) ? s : encodeURIComponent(s).replace(/%20/g, "+").replace(/[!'()~]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

/**
 * Whether the step's result can contain the response's headers: always without `result`; with
 * it, when `$response` appears other than as `$response.status` or `$response.body`, or `$eval`
 * does. Decided once per node; reading every header into an object cost ~6 µs a call in the
 * isolate.
 */
const headerReaders = new WeakMap<object, boolean>();
function readsHeaders(n: HttpNode): boolean {
  let r = headerReaders.get(n);
  if (r === undefined) {
    // `$eval` can name the variable inside a string: it counts as reading it.
    r = n.result === undefined || /\$response(?!\.(status|body)\b)|\$eval\b/.test(JSON.stringify(n.result));
    headerReaders.set(n, r);
  }
  return r;
}

/** Response headers as an object; Headers already yields lower-case names (Fetch standard). */
function headersOf(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    setOwn(out, k, v);
  });
  return out;
}

/** The answer kept with an HttpError for `$error.response`; a very large body is cut to a preview. */
export const MAX_ERROR_RESPONSE_BYTES = 64 * 1024;
function boundedResponse(r: { status: number; headers: Record<string, string>; body: unknown }): unknown {
  const json = JSON.stringify(r.body) ?? "null";
  if (json.length <= MAX_ERROR_RESPONSE_BYTES) return r;
  return { ...r, body: json.slice(0, MAX_ERROR_RESPONSE_BYTES), truncated: true };
}

/** Content types read as text; any other (PDF, images …) becomes base64, so it stays JSON. */
const TEXTUAL = /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded|yaml))/i;

async function readBody(res: Response): Promise<unknown> {
  const type = res.headers.get("content-type") ?? "";
  if (type !== "" && !TEXTUAL.test(type)) return toBase64(new Uint8Array(await res.arrayBuffer()));
  const text = await res.text();
  if (text === "") return null;
  if (type.includes("json") || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

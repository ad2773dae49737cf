// API errors: `{ error: { code, message, details? } }` with a code from the catalogue.
import type { ApiCode } from "../errors.js";
import { API_CODES } from "../errors.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiCode,
    message?: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message ?? API_CODES[code]);
  }
}

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

export function errorResponse(e: ApiError): Response {
  const headers = { ...(e.status === 401 ? { "www-authenticate": 'Bearer realm="flowdsl"' } : {}), ...e.headers };
  return json({ error: { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) } }, e.status, headers);
}

// The router answers every route of the one route table (src/api/route-table.ts): no route of
// the table falls through to "no route", and the open ones need no token.
import { describe, expect, it } from "vitest";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index.js";
import { ROUTES } from "../../src/api/route-table.js";
import type { RouteSpec } from "../../src/api/route-table.js";
import { testEnv } from "./helpers.js";

const SAMPLE: Record<string, string> = { name: "t-basic", id: "no-such-instance", type: "go", token: "not.a-token" };

describe("the route table drives the router", () => {
  it.for((ROUTES as readonly RouteSpec[]).filter((r) => !r.internal).map((r) => [r.method, r.path, r.open === true] as const))("%s %s is answered by its handler", async ([method, path, open]) => {
    const url = "http://flowdsl.test" + path.replace(/:(\w+)/g, (_, k: string) => SAMPLE[k]!);
    const ctx = createExecutionContext();
    const headers: Record<string, string> = { "content-type": "application/json", ...(open ? {} : { authorization: "Bearer test-token" }) };
    const res = await worker.fetch(new Request(url, { method, headers, ...(method === "POST" ? { body: path.endsWith("/batch") ? "[{}]" : "{}" } : {}) }), testEnv, ctx);
    await waitOnExecutionContext(ctx);
    const body = res.headers.get("content-type")?.startsWith("application/json") ? ((await res.json()) as { error?: { code: string } }) : {};
    expect(res.status, JSON.stringify(body)).not.toBe(401);
    expect(body.error?.code).not.toBe("NOT_FOUND");
    expect(body.error?.code).not.toBe("METHOD_NOT_ALLOWED");
  });
});

// http nodes against a real server on 127.0.0.1: redirects as browsers follow them, failures of
// the call itself as HttpError, `retryOn`; input defaults through the API.
import { describe, expect, it } from "vitest";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index.js";
import { decodeErrorMessage } from "../../src/interpreter/errors.js";
import { calls, definition, origin, script, start, testEnv, uniqueId } from "./helpers.js";

const base = (): string => `${origin()}/${uniqueId("h")}`;
const pathOf = (b: string, p: string): string => new URL(b + p).pathname;
async function errorOf(intro: { getError(): Promise<{ message: string }> }) {
  return decodeErrorMessage((await intro.getError()).message);
}
const call = (extra: string) => `name: t
steps:
  - http: call
    url: "{% $input.base %}/start"
    method: POST
    body: { secret: 1 }
    headers: { authorization: "Bearer abc", x-kept: yes }
    retries: { limit: 2, delay: 1 second, backoff: constant }
${extra}
    as: answer
output: "{% $answer.status %}"
`;

describe("redirects", () => {
  it("a 303 after a POST goes on as a GET without the body; another origin gets no credentials", async () => {
    const b = base();
    // 127.0.0.1 and localhost are two origins on the same server.
    const other = b.replace("127.0.0.1", "localhost");
    await script({
      [pathOf(b, "/start")]: [{ status: 303, headers: { location: `${b}/next` } }],
      [pathOf(b, "/next")]: [{ status: 302, headers: { location: `${other}/last` } }],
      [pathOf(b, "/last")]: [{ status: 200, body: { ok: true } }],
    });
    const { intro } = await start(definition(call("")), { base: b });
    await intro.waitForStatus("complete");
    const [first] = await calls(pathOf(b, "/start"));
    const [second] = await calls(pathOf(b, "/next"));
    const [third] = await calls(pathOf(b, "/last"));
    expect([first!.method, second!.method, third!.method]).toEqual(["POST", "GET", "GET"]);
    expect(first!.body).toBe('{"secret":1}');
    expect(second!.body).toBe("");
    expect(second!.headers.authorization).toBe("Bearer abc");
    expect(third!.headers.authorization).toBeUndefined();
    expect(third!.headers["x-kept"]).toBe("yes");
    await intro.dispose();
  });

  it.for([
    { what: "a Location that is not a URL", answers: [{ status: 302, headers: { location: "http://[::1" } }], calls: 1 },
    { what: "a redirect loop", answers: [{ status: 302, headers: { location: "./start" } }], calls: 6 },
  ])("$what is an HttpError that is not retried", async ({ answers, calls: n }) => {
    const b = base();
    await script({ [pathOf(b, "/start")]: answers.map((a) => ({ ...a, times: 100 })) });
    const { intro } = await start(definition(call("")), { base: b });
    await intro.waitForStatus("errored");
    expect(await errorOf(intro)).toMatchObject({ name: "HttpError", node: "call" });
    expect(await calls(pathOf(b, "/start"))).toHaveLength(n);
    await intro.dispose();
  });
});

describe("retryOn", () => {
  it.for([
    { status: 500, calls: 1, outcome: "errored" },
    { status: 503, calls: 2, outcome: "complete" },
  ])("with retryOn [503], a $status is tried $calls time(s)", async ({ status, calls: n, outcome }) => {
    const b = base();
    await script({ [pathOf(b, "/start")]: [{ status, times: 1 }, { status: 200, body: {} }] });
    const { intro } = await start(definition(call("    retryOn: [503]")), { base: b });
    await intro.waitForStatus(outcome as "complete" | "errored");
    expect(await calls(pathOf(b, "/start"))).toHaveLength(n);
    await intro.dispose();
  });
});

async function post(path: string, body: BodyInit): Promise<{ status: number; body: { id?: string; error?: { code: string } } }> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://flowdsl.test${path}`, { method: "POST", headers: { authorization: "Bearer test-token", "content-type": "application/json" }, body }), testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: (await res.json()) as { id?: string; error?: { code: string } } };
}

describe("the API", () => {

  it("applies the input schema's defaults to the params", async () => {
    const started = await post("/workflows/t-input-defaults", JSON.stringify({ name: "Ada" }));
    expect(started.status).toBe(201);
    const handle = await (testEnv.FLOW_T_INPUT_DEFAULTS as Workflow).get(started.body.id!);
    for (let i = 0; i < 100 && (await handle.status()).status !== "complete"; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await handle.status()).output).toEqual({ name: "Ada", tier: "basic", retries: 3 });
  });

  it("refuses a body that is not valid UTF-8 with a 400, and starts nothing", async () => {
    const r = await post("/workflows/t-input-defaults", new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe("INVALID_JSON");
  });
});

describe("errors of http calls", () => {
  it("a catch handler reads the failed call's answer in $error.response, and can raise the error again as it was", async () => {
    const b = base();
    await script({ [pathOf(b, "/order")]: [{ status: 400, body: { type: "out-of-stock", sku: "A-1" }, times: 10 }] });
    const def = `name: t
steps:
  - try: order
    steps:
      - http: place
        url: "{% $input.base %}/order"
        method: POST
    catch:
      - errors: [HttpError]
        steps:
          - switch: by problem
            cases:
              - when: "$error.response.body.type = 'out-of-stock'"
                steps:
                  - set: note
                    values: { problem: "{% $error.response.body.sku %}" }
          - fail: again
            if: "$input.rethrow"
            error: "{% $error %}"
    as: result
output: "{% $problem %}"
`;
    const handled = await start(definition(def), { base: b, rethrow: false });
    await handled.intro.waitForStatus("complete");
    expect(await handled.intro.getOutput()).toBe("A-1");
    const rethrown = await start(definition(def), { base: b, rethrow: true });
    await rethrown.intro.waitForStatus("errored");
    expect(await errorOf(rethrown.intro)).toMatchObject({ name: "HttpError", status: 400, node: "order/place" });
    await handled.intro.dispose();
    await rethrown.intro.dispose();
  });

  it("retries.maxDelay caps the backoff (the engine's delay function) and the step still succeeds", async () => {
    const b = base();
    await script({ [pathOf(b, "/start")]: [{ status: 503, times: 2 }, { status: 200, body: {} }] });
    const { intro } = await start(definition(call("").replace("retries: { limit: 2, delay: 1 second, backoff: constant }", "retries: { limit: 3, delay: 1 second, backoff: exponential, maxDelay: 1500 }")), { base: b });
    await intro.waitForStatus("complete");
    expect(await calls(pathOf(b, "/start"))).toHaveLength(3);
    await intro.dispose();
  });
});

describe("callbacks", () => {
  async function callback(url: string, body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(url, { method: "POST", headers, body: JSON.stringify(body) }), testEnv, ctx);
    await waitOnExecutionContext(ctx);
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  }

  it("a service calls back without the API token; forged, expired, gone and finished are refused", async () => {
    const b = base();
    const started = await post("/workflows/t-callback", JSON.stringify({ base: b }));
    expect(started.status).toBe(201);
    const id = started.body.id!;
    let announced: Array<{ body: string }> = [];
    for (let i = 0; i < 100 && announced.length === 0; i++) {
      announced = await calls(pathOf(b, "/announce"));
      await new Promise((r) => setTimeout(r, 50));
    }
    const url = (JSON.parse(announced[0]!.body) as { callback: string }).callback;
    expect(url).toMatch(/^http:\/\/flowdsl\.test\/callbacks\/[\w-]+\.[\w-]+$/);
    // Forged (one character changed) and expired tokens get the same answer.
    const forged = url.slice(0, -2) + (url.at(-2) === "A" ? "B" : "A") + url.at(-1);
    const { callbackUrl } = await import("../../src/interpreter/callbacks.js");
    const expired = await callbackUrl(testEnv as unknown as Record<string, unknown>, id, "done", "1 second", Date.now() - 60_000);
    const refusals = [await callback(forged, {}), await callback(expired, {})];
    expect(refusals.map((r) => [r.status, r.body.error?.code, r.body.error?.message])).toEqual([
      [403, "CALLBACK_REFUSED", refusals[0]!.body.error?.message],
      [403, "CALLBACK_REFUSED", refusals[0]!.body.error?.message],
    ]);
    const gone = await callbackUrl(testEnv as unknown as Record<string, unknown>, "no-such-instance", "done", "1 hour", Date.now());
    expect((await callback(gone, {})).status).toBe(404);
    expect((await callback(url, { ok: 1 }, { "content-type": "text/plain" })).status).toBe(415);
    expect((await callback(url, { approved: true })).status).toBe(202);
    const handle = await (testEnv.FLOW_T_CALLBACK as Workflow).get(id);
    for (let i = 0; i < 100 && (await handle.status()).status !== "complete"; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await handle.status()).output).toEqual({ approved: true });
    // The token was consumed by the delivery: a repeat answers duplicate (not 409) and delivers nothing.
    const repeat = await callback(url, {});
    expect([repeat.status, (repeat.body as { duplicate?: boolean }).duplicate]).toEqual([200, true]);
  });
});

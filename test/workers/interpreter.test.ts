// Every node kind on the real local Workflows engine, against a real 127.0.0.1 server.
import { describe, expect, it } from "vitest";
import { introspectWorkflowInstance } from "cloudflare:test";
import { decodeErrorMessage } from "../../src/interpreter/errors.js";
import { calls, definition, origin, script, start, testEnv, uniqueId, paramsOf } from "./helpers.js";
import basic from "../definitions/t-basic.yaml?raw";
import httpRetry from "../definitions/t-http-retry.yaml?raw";
import httpFatal from "../definitions/t-http-fatal.yaml?raw";
import httpAccepted from "../definitions/t-http-accepted.yaml?raw";
import sleepReal from "../definitions/t-sleep-real.yaml?raw";
import sleepUntil from "../definitions/t-sleep-until.yaml?raw";
import eventDef from "../definitions/t-event.yaml?raw";
import eventEarly from "../definitions/t-event-early.yaml?raw";
import eventTimeout from "../definitions/t-event-timeout.yaml?raw";
import setFail from "../definitions/t-set-fail.yaml?raw";
import switchDef from "../definitions/t-switch.yaml?raw";
import foreachDef from "../definitions/t-foreach.yaml?raw";
import parallelDef from "../definitions/t-parallel.yaml?raw";
import parallelFail from "../definitions/t-parallel-fail.yaml?raw";
import repeatPoll from "../definitions/t-repeat-poll.yaml?raw";
import repeatExhausted from "../definitions/t-repeat-exhausted.yaml?raw";
import tryDef from "../definitions/t-try.yaml?raw";
import doFail from "../definitions/t-do-fail.yaml?raw";
import saga from "../definitions/t-saga.yaml?raw";
import sagaCatch from "../definitions/t-saga-catch.yaml?raw";
import failCustom from "../definitions/t-fail-custom.yaml?raw";
import parent from "../definitions/t-parent.yaml?raw";
import pinned from "../definitions/t-pinned.yaml?raw";
import privateDef from "../definitions/t-http-private.yaml?raw";
import secretDef from "../definitions/t-secret.yaml?raw";
import sagaCompFail from "../definitions/t-saga-compfail.yaml?raw";

const base = (): string => `${origin()}/${uniqueId("b")}`;
const pathOf = (b: string, p: string): string => new URL(b + p).pathname;

async function instanceError(intro: { getError(): Promise<{ name: string; message: string }> }) {
  const e = await intro.getError();
  const info = decodeErrorMessage(e.message);
  expect(info, `error carries flowdsl details: ${e.message}`).toBeDefined();
  return info!;
}

describe("do and set", () => {
  it("computes values inside a step and runs an action", async () => {
    const { intro } = await start(definition(basic), { name: "ada" });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ upper: "ADA", stamped: true });
    await intro.dispose();
  });

  it("a failing do value raises ExpressionError, catchable, with the node path", async () => {
    const { intro } = await start(definition(doFail));
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ caught: "ExpressionError", node: "parse/to number" });
    await intro.dispose();
  });

  it("a failing set errors the instance with ExpressionError at the node", async () => {
    const { intro } = await start(definition(setFail), { text: "not a number" });
    await intro.waitForStatus("errored");
    const e = await instanceError(intro);
    expect(e.name).toBe("ExpressionError");
    expect(e.node).toBe("parse");
    await intro.dispose();
  });
});

describe("http", () => {
  it("503 twice then 200 succeeds after retries, with the same Idempotency-Key each time", async () => {
    const b = base();
    await script({ [pathOf(b, "/flaky")]: [{ status: 503, times: 2 }, { status: 200, body: { ok: true } }] });
    const { id, intro } = await start(definition(httpRetry), { base: b });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ ok: true });
    const seen = await calls(pathOf(b, "/flaky"));
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((c) => c.headers["idempotency-key"]))).toEqual(new Set([`${id}:call flaky`]));
    expect(seen.every((c) => c.body === JSON.stringify({ order: 42 }) && c.headers["content-type"] === "application/json")).toBe(true);
    await intro.dispose();
  });

  it("418 fails at once: one call, HttpError with status 418", async () => {
    const b = base();
    await script({ [pathOf(b, "/teapot")]: [{ status: 418, body: "I'm a teapot" }] });
    const { intro } = await start(definition(httpFatal), { base: b });
    await intro.waitForStatus("errored");
    const e = await instanceError(intro);
    expect(e).toMatchObject({ name: "HttpError", status: 418, node: "brew" });
    expect(await calls(pathOf(b, "/teapot"))).toHaveLength(1);
    await intro.dispose();
  });

  it("202 + Location is mapped by result and followed", async () => {
    const b = base();
    await script({
      [pathOf(b, "/invoices")]: [{ status: 202, body: { queued: true }, headers: { Location: `${b}/invoices/77` } }],
      [pathOf(b, "/invoices/77")]: [{ status: 200, body: { id: 77, total: 120 } }],
    });
    const { intro } = await start(definition(httpAccepted), { base: b, customer: "c-1" });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ status: 202, invoice: { id: 77, total: 120 } });
    const [create] = await calls(pathOf(b, "/invoices"));
    expect(create!.method).toBe("POST");
    expect(create!.path).toBe(`${pathOf(b, "/invoices")}?draft=true`);
    expect(create!.headers["x-customer"]).toBe("c-1");
    await intro.dispose();
  });
});

describe("sleep", () => {
  it("really sleeps (1 second, no disableSleeps)", async () => {
    const { intro } = await start(definition(sleepReal), {}, { sleeps: true });
    await intro.waitForStatus("complete");
    const out = (await intro.getOutput()) as { slept: number };
    expect(out.slept).toBeGreaterThanOrEqual(1000);
    await intro.dispose();
  });

  it("sleeps until a timestamp", async () => {
    const until = new Date(Date.now() + 1500).toISOString();
    const { intro } = await start(definition(sleepUntil), { until }, { sleeps: true });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toBe("woke");
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(until));
    await intro.dispose();
  });

  it("an until that is not a timestamp errors with ExpressionError", async () => {
    const { intro } = await start(definition(sleepUntil), { until: "someday" });
    await intro.waitForStatus("errored");
    expect((await instanceError(intro)).name).toBe("ExpressionError");
    await intro.dispose();
  });
});

describe("waitForEvent", () => {
  it("delivers an event sent while waiting", async () => {
    const id = uniqueId("ev");
    const intro = await introspectWorkflowInstance(testEnv.FLOW, id);
    const handle = await testEnv.FLOW.create({ id, params: paramsOf(definition(eventDef)) });
    // The local engine reports "running" while waiting: wait for the step before the wait.
    await intro.waitForStepResult({ name: "ready" });
    await new Promise((r) => setTimeout(r, 300));
    await handle.sendEvent({ type: "approve", payload: { by: "grace", approved: true } });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ by: "grace", approved: true });
    await intro.dispose();
  });

  it("delivers an event sent before the wait is reached", async () => {
    const id = uniqueId("early");
    const intro = await introspectWorkflowInstance(testEnv.FLOW, id);
    const handle = await testEnv.FLOW.create({ id, params: paramsOf(definition(eventEarly)) });
    await handle.sendEvent({ type: "approve", payload: { early: true } });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ early: true });
    await intro.dispose();
  });

  it("a timeout raises Timeout, caught by try", async () => {
    const id = uniqueId("timeout");
    const intro = await introspectWorkflowInstance(testEnv.FLOW, id);
    await testEnv.FLOW.create({ id, params: paramsOf(definition(eventTimeout)) });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ caught: "Timeout", at: "wait/approval" });
    await intro.dispose();
  });
});

describe("switch", () => {
  it.for([
    { tier: "gold", perk: "lounge" },
    { tier: "silver", perk: "priority" },
    { tier: "bronze", perk: "none" },
  ])("$tier → $perk", async ({ tier, perk }) => {
    const { intro } = await start(definition(switchDef), { tier });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toBe(perk);
    await intro.dispose();
  });

  it("a when that fails to evaluate errors with ExpressionError at the switch", async () => {
    const { intro } = await start(definition(switchDef), { tier: "bronze", code: "abc" });
    await intro.waitForStatus("errored");
    expect(await instanceError(intro)).toMatchObject({ name: "ExpressionError", node: "by tier" });
    await intro.dispose();
  });
});

describe("foreach", () => {
  it("concurrency 4 over 20 items keeps item order in as", async () => {
    const b = base();
    // Later items answer sooner, so completion order is the reverse of item order.
    const items = Array.from({ length: 20 }, (_, i) => ({ n: i + 1, delay: (20 - i) * 15 }));
    const { intro } = await start(definition(foreachDef), { base: b, items });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual(items.map((it) => it.n * 10));
    const stats = (await (await fetch(`${origin()}/__stats?prefix=${encodeURIComponent(pathOf(b, ""))}`)).json()) as { maxInFlight: number };
    expect(stats.maxInFlight).toBe(4);
    expect(await calls(pathOf(b, "/item/"))).toHaveLength(20);
    await intro.dispose();
  });

  it("a failing iteration fails the foreach with its own error (few further iterations start)", async () => {
    const b = base();
    await script({ [pathOf(b, "/item/3")]: [{ status: 404 }] });
    const items = Array.from({ length: 10 }, (_, i) => ({ n: i + 1, delay: 0 }));
    const { intro } = await start(definition(foreachDef), { base: b, items });
    await intro.waitForStatus("errored");
    const e = await instanceError(intro);
    expect(e).toMatchObject({ name: "HttpError", status: 404, node: "items[2]/process" });
    // After the failure no new item starts: of 10 items, only those already in flight or
    // started before the failure was seen ran.
    const ran = (await calls(pathOf(b, "/item/"))).length;
    expect(ran).toBeGreaterThanOrEqual(3);
    expect(ran).toBeLessThan(10);
    await intro.dispose();
  });
});

describe("parallel", () => {
  it("runs branches in their own scopes and maps branch → last result", async () => {
    const b = base();
    const { intro } = await start(definition(parallelDef), { base: b });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ both: { left: 1, right: 200 } });
    await intro.dispose();
  });

  it("a failing branch: all branches settle, the first failure in branch order is raised", async () => {
    const b = base();
    await script({ [pathOf(b, "/teapot")]: [{ status: 418 }], [pathOf(b, "/fine")]: [{ status: 200, delayMs: 300 }] });
    const { intro } = await start(definition(parallelFail), { base: b });
    await intro.waitForStatus("errored");
    const e = await instanceError(intro);
    expect(e).toMatchObject({ name: "HttpError", status: 418, node: "fan out/teapot/brew" });
    expect(await calls(pathOf(b, "/fine"))).toHaveLength(1);
    await intro.dispose();
  });
});

describe("repeat", () => {
  it("polls a server answering pending three times, then done", async () => {
    const b = base();
    await script({ [pathOf(b, "/status")]: [{ status: 200, body: { state: "pending" }, times: 3 }, { status: 200, body: { state: "done" } }] });
    const { intro } = await start(definition(repeatPoll), { base: b });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ status: "done", polls: 4 });
    expect(await calls(pathOf(b, "/status"))).toHaveLength(4);
    await intro.dispose();
  });

  it("reaching max raises RepeatExhausted", async () => {
    const { intro } = await start(definition(repeatExhausted));
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toBe("RepeatExhausted");
    await intro.dispose();
  });
});

describe("try and fail", () => {
  it("the first handler whose errors match runs, with $error", async () => {
    const b = base();
    await script({ [pathOf(b, "/teapot")]: [{ status: 418 }] });
    const { intro } = await start(definition(tryDef), { base: b });
    await intro.waitForStatus("complete");
    const out = (await intro.getOutput()) as { handler: string; err: Record<string, unknown> };
    expect(out.handler).toBe("http");
    expect(out.err).toMatchObject({ name: "HttpError", status: 418, node: "call/brew" });
    await intro.dispose();
  });

  it.for([
    { stock: 0, result: "item A-1 is out of stock", name: "OutOfStock" },
    { stock: 5, result: "in stock", name: null },
  ])("fail with its own error name (stock $stock)", async ({ stock, result, name }) => {
    const { intro } = await start(definition(failCustom), { stock, sku: "A-1" });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ result, name });
    await intro.dispose();
  });
});

describe("compensation (saga)", () => {
  it("the third node fails: the first two compensations run newest first, once each; the instance errors with the original error", async () => {
    const b = base();
    await script({ [pathOf(b, "/ship")]: [{ status: 409, body: { reason: "no stock" } }] });
    const { intro } = await start(definition(saga), { base: b });
    await intro.waitForStatus("errored");
    const e = await instanceError(intro);
    expect(e).toMatchObject({ name: "HttpError", status: 409, node: "ship" });
    expect(e.message).toContain("compensated: charge, reserve");
    const undo = await calls(pathOf(b, "/undo/"));
    expect(undo.map((c) => c.path)).toEqual([pathOf(b, "/undo/charge"), pathOf(b, "/undo/reserve")]);
    expect(JSON.parse(undo[1]!.body)).toEqual({ undo: null });
    await intro.dispose();
  });

  it("a compensate node inside catch undoes and the workflow carries on", async () => {
    const b = base();
    await script({ [pathOf(b, "/ship")]: [{ status: 400 }] });
    const { intro } = await start(definition(sagaCatch), { base: b });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ undone: ["order/charge", "order/reserve"] });
    const seen = (await calls(pathOf(b, "/"))).map((c) => c.path.slice(pathOf(b, "").length));
    expect(seen).toEqual(["/reserve", "/charge", "/ship", "/undo/charge", "/undo/reserve", "/notify"]);
    await intro.dispose();
  });
});

describe("workflow (child instances)", () => {
  it("starts a child, waits, and returns its output", async () => {
    const { intro } = await start(definition(parent), { n: 21, childFails: false });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ child: { doubled: 42 }, childError: null });
    await intro.dispose();
  });

  it("a failing child raises ChildFailed", async () => {
    const { intro } = await start(definition(parent), { n: 1, childFails: true });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toEqual({ child: null, childError: "ChildFailed" });
    await intro.dispose();
  });
});

describe("versions", () => {
  it("an instance replays the definition pinned in its params, not the one built into the Worker", async () => {
    const built = definition(pinned);
    const v1 = structuredClone(built);
    (v1.steps[1] as { value: string }).value = "pinned v1";
    const { intro } = await start(v1, {}, { sleeps: true });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toBe("pinned v1");
    await intro.dispose();
  });
});

describe("outbound safety", () => {
  it("with ALLOW_PRIVATE_HOSTS=true (local dev) a 127.0.0.1 server is reachable", async () => {
    const b = base();
    const { intro } = await start(definition(privateDef), { url: `${b}/open` });
    await intro.waitForStatus("complete");
    expect(await intro.getOutput()).toBe(200);
    expect(await calls(pathOf(b, "/open"))).toHaveLength(1);
    await intro.dispose();
  });
});

describe("$secret", () => {
  it("reads a Worker secret inside a step; the value appears only where mapped", async () => {
    const b = base();
    const { intro } = await start(definition(secretDef), { base: b, which: "SHHH" });
    await intro.waitForStatus("complete");
    const out = await intro.getOutput();
    expect(out).toEqual({ status: 200 });
    expect(JSON.stringify(out)).not.toContain("the-secret-value");
    const [seen] = await calls(pathOf(b, "/secured"));
    expect(seen!.headers.authorization).toBe("Bearer the-secret-value");
    await intro.dispose();
  });

  it("a secret that is not set raises ExpressionError at the node", async () => {
    const b = base();
    const { intro } = await start(definition(secretDef), { base: b, which: "NOT_SET" });
    await intro.waitForStatus("errored");
    expect(await instanceError(intro)).toMatchObject({ name: "ExpressionError", node: "call" });
    expect(await calls(pathOf(b, "/secured"))).toEqual([]);
    await intro.dispose();
  });
});

describe("compensation failure", () => {
  it("a compensation failing after its retries errors the instance with CompensationFailed, naming what did not run", async () => {
    const b = base();
    await script({ [pathOf(b, "/ship")]: [{ status: 409 }], [pathOf(b, "/undo/charge")]: [{ status: 500 }] });
    const { intro } = await start(definition(sagaCompFail), { base: b });
    await intro.waitForStatus("errored");
    const e = await instanceError(intro);
    expect(e.name).toBe("CompensationFailed");
    expect(e.message).toContain('compensation of "charge" failed');
    expect(e.message).toContain("not run: reserve");
    expect(e.message).toContain("original error: HttpError");
    expect(await calls(pathOf(b, "/undo/charge"))).toHaveLength(2);
    expect(await calls(pathOf(b, "/undo/reserve"))).toHaveLength(0);
    await intro.dispose();
  });
});

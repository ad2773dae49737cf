// Hostile input (docs/reference.md, "Hostile input"): expression fuel, names and params as
// data, 500s that leak nothing, callback URLs that deliver once. On the real local engine,
// through the Worker's own fetch handler.
import { describe, expect, it } from "vitest";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index.js";
import type { Env } from "../../src/env.js";
import { calls, origin, testEnv, uniqueId } from "./helpers.js";
import { DEFINITIONS } from "../../src/generated/definitions.js";
import { getInstance, recordMany, START_GRACE_MS } from "../../src/api/registry.js";
import { idempotentId } from "../../src/api/instances.js";

type Answer = { status: number; body: Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } } };
async function api(method: string, path: string, body?: string, env: Env = testEnv, headers: Record<string, string> = {}): Promise<Answer> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`http://flowdsl.test${path}`, { method, headers: { authorization: "Bearer test-token", "content-type": "application/json", ...headers }, body }), env, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Answer["body"]) : {} };
}
type Status = { status: string; output: unknown; error: { name: string; message: string; node: string } | null };
const statusOf = async (id: string): Promise<Status> => (await api("GET", `/instances/${id}`)).body as unknown as Status;
const finished = (s: Status): boolean => ["complete", "errored", "terminated"].includes(s.status);
async function settled(id: string): Promise<Status> {
  await expect.poll(async () => finished(await statusOf(id)), { timeout: 30_000, interval: 100 }).toBe(true);
  return statusOf(id);
}
async function started(name: string, params: unknown): Promise<string> {
  const r = await api("POST", `/workflows/${name}`, typeof params === "string" ? params : JSON.stringify(params));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

describe("expression fuel", () => {
  it("a runaway loop ends ExpressionLimit at its node, again after a restart; an instance started meanwhile completes", async () => {
    const runaway = await started("t-runaway", { n: 1e12 });
    const canary = await started("t-basic", { name: "canary" });
    expect(await settled(canary)).toMatchObject({ status: "complete", output: { upper: "CANARY" } });
    // The canary finished while the runaway still burned: its evaluation yields to others.
    expect(finished(await statusOf(runaway))).toBe(false);
    const first = await settled(runaway);
    expect(first.status).toBe("errored");
    expect(first.error).toMatchObject({ name: "ExpressionLimit", node: "spin" });
    expect(first.error!.message).toContain("$f($i+1)");
    // The history (and so the page) shows the node failed, with the error's name.
    const nodes = ((await api("GET", `/instances/${runaway}/history`)).body as { nodes: Array<{ step: string; state: string; error?: { name: string } }> }).nodes;
    expect(nodes.find((n) => n.step === "spin")).toMatchObject({ state: "failed", error: { name: "ExpressionLimit" } });
    // A restart runs the step again from nothing: the same verdict at the same node.
    const before = Date.now();
    expect((await api("POST", `/instances/${runaway}/restart`)).status).toBe(202);
    await expect
      .poll(async () => {
        const h = (await api("GET", `/instances/${runaway}/history`)).body as { status: string; nodes: Array<{ step: string; started: string }> };
        const spin = h.nodes.find((n) => n.step === "spin");
        return h.status === "errored" && spin !== undefined && Date.parse(spin.started) >= before;
      }, { timeout: 30_000, interval: 100 })
      .toBe(true);
    expect((await statusOf(runaway)).error).toMatchObject({ name: "ExpressionLimit", node: "spin" });
  });

  it("the same loop within the fuel completes", async () => {
    expect(await settled(await started("t-runaway", { n: 1000 }))).toMatchObject({ status: "complete", output: 1000 });
  });

  it.for([
    { n: 100, status: "complete", error: null },
    { n: 1000, status: "errored", error: { name: "ExpressionLimit", node: "each[0]/count" } },
  ])("limits.expressionSteps of the definition applies inside a loop's set node (n = $n)", async ({ n, status, error }) => {
    const s = await settled(await started("t-fuel-limit", { n }));
    expect(s.status).toBe(status);
    if (error) expect(s.error).toMatchObject(error);
    else expect(s.output).toEqual([{ n: 100 }, { n: 200 }]);
  });
});

describe("names are data", () => {
  it.for([
    ["GET", "/workflows/constructor", "WORKFLOW_NOT_FOUND"],
    ["GET", "/workflows/__proto__", "WORKFLOW_NOT_FOUND"],
    ["GET", "/workflows/__proto__/graph", "WORKFLOW_NOT_FOUND"],
    ["GET", "/workflows/toString/instances", "WORKFLOW_NOT_FOUND"],
    ["POST", "/workflows/hasOwnProperty", "WORKFLOW_NOT_FOUND"],
    ["POST", "/workflows/valueOf/batch", "WORKFLOW_NOT_FOUND"],
    ["GET", "/instances/constructor", "INSTANCE_NOT_FOUND"],
    ["POST", "/instances/__proto__/events/constructor", "INSTANCE_NOT_FOUND"],
  ] as const)("%s %s is 404 %s", async ([method, path, code]) => {
    const r = await api(method, path, method === "POST" ? "[{}]" : undefined);
    expect([r.status, r.body.error?.code]).toEqual([404, code]);
  });

  it("a 500 answers INTERNAL with a reference, and no internal message", async () => {
    const broken = { ...testEnv, DB: undefined } as unknown as Env;
    const r = await api("GET", "/instances/some-id", undefined, broken);
    expect(r.status).toBe(500);
    expect(r.body.error?.code).toBe("INTERNAL");
    expect(r.body.error?.message).not.toMatch(/undefined|prepare|TypeError|\bat\b.*\.ts/);
    expect((r.body.error?.details as { ref?: string }).ref).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("params are data", () => {
  it("__proto__ and constructor keys in params stay plain keys through $merge, in a step and outside one", async () => {
    const id = await started("t-proto", '{"__proto__": {"polluted": true}, "constructor": "c", "a": 1}');
    const s = await settled(id);
    expect(s.status, JSON.stringify(s.error)).toBe("complete");
    const out = s.output as Record<string, unknown>;
    expect(JSON.stringify(out)).toBe(
      JSON.stringify({
        merged: JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c", "a": 1, "added": true}'),
        copy: JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c", "a": 1, "outside": true}'),
        keys: ["__proto__", "constructor", "a", "added"],
        inherited: null,
      }),
    );
    expect(Object.getPrototypeOf(out.merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("callback URLs", () => {
  it("deliver once: a replayed URL answers duplicate and delivers nothing, so a second wait times out", async () => {
    const base = `${origin()}/${uniqueId("cb")}`;
    const id = await started("t-callback-twice", { base });
    let announced: Array<{ body: string }> = [];
    await expect
      .poll(async () => {
        announced = await calls(new URL(base + "/announce").pathname);
        return announced.length;
      }, { timeout: 20_000, interval: 50 })
      .toBe(1);
    const url = new URL((JSON.parse(announced[0]!.body) as { callback: string }).callback);
    const deliver = () => api("POST", url.pathname, JSON.stringify({ n: 1 }), testEnv, { authorization: "" });
    const once = await deliver();
    expect([once.status, once.body.accepted]).toEqual([202, true]);
    const again = await deliver();
    expect([again.status, again.body.duplicate]).toEqual([200, true]);
    const s = await settled(id);
    expect(s).toMatchObject({ status: "complete", output: { first: { n: 1 }, second: "timed out" } });
  });
});

describe("starts never strand an instance", () => {
  const rowState = async (id: string): Promise<string | undefined> => (await getInstance(testEnv.DB, id))?.state;

  it("the row is durable, state starting, when the engine's create is called; started once it answered", async () => {
    const binding = DEFINITIONS["t-basic"]!.binding;
    const real = testEnv[binding] as Workflow;
    const seenAtCreate: Array<string | undefined> = [];
    // The real binding, watched: each create first reads the row the registry has for its id.
    const watched = new Proxy(real, {
      get(target, key) {
        if (key === "create") return async (opts: { id: string; params: unknown }) => (seenAtCreate.push(await rowState(opts.id)), target.create(opts));
        const v = Reflect.get(target, key) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const env = { ...testEnv, [binding]: watched } as unknown as Env;
    const r = await api("POST", "/workflows/t-basic", JSON.stringify({ name: "order" }), env);
    expect(r.status).toBe(201);
    expect(seenAtCreate).toEqual(["starting"]);
    expect(await rowState(r.body.id as string)).toBe("started");
  });

  it("a starting row whose instance exists is completed by a read; one whose create never happened is removed", async () => {
    const d = DEFINITIONS["t-basic"]!;
    const alive = uniqueId("alive");
    const dead = uniqueId("dead");
    const old = Date.now() - START_GRACE_MS - 1000;
    await recordMany(testEnv.DB, [alive, dead].map((id) => ({ id, name: d.name, hash: d.hash, created: old, parent: null, binding: d.binding })));
    await (testEnv[d.binding] as Workflow).create({ id: alive, params: { name: d.name, hash: d.hash, input: { name: "x" } } });
    expect([await rowState(alive), await rowState(dead)]).toEqual(["starting", "starting"]);
    expect((await api("GET", `/instances/${alive}`)).status).toBe(200);
    expect((await api("GET", `/instances/${dead}`)).status).toBe(404);
    expect([await rowState(alive), await rowState(dead)]).toEqual(["started", undefined]);
  });

  it("a retried key whose first start died before its create starts the instance now", async () => {
    const d = DEFINITIONS["t-basic"]!;
    const key = uniqueId("k");
    const id = await idempotentId(d.name, key);
    // A row old enough for a reader to take for abandoned: the retry renews it before its create.
    await recordMany(testEnv.DB, [{ id, name: d.name, hash: d.hash, created: Date.now() - START_GRACE_MS - 1000, parent: null, binding: d.binding }]);
    const before = Date.now();
    const r = await api("POST", "/workflows/t-basic", JSON.stringify({ name: "late" }), testEnv, { "idempotency-key": key });
    expect((await getInstance(testEnv.DB, id))!.created).toBeGreaterThanOrEqual(before);
    expect([r.status, r.body.id]).toEqual([201, id]);
    expect(await settled(id)).toMatchObject({ status: "complete", output: { upper: "LATE" } });
    expect(await rowState(id)).toBe("started");
  });
});

// The HTTP API over real HTTP: `npm start` (wrangler dev, local Workflows engine) on a free
// port, driven through every route (docs/reference.md, HTTP API).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyProject, LOCAL_TOKEN, startDev } from "../dev-server.js";
import type { DevServer } from "../dev-server.js";

let dev: DevServer;
beforeAll(async () => {
  dev = await startDev(copyProject());
}, 120_000);
afterAll(async () => {
  await dev?.stop("SIGINT");
}, 30_000);

const auth = { authorization: `Bearer ${LOCAL_TOKEN}` };
const jsonHeaders = { ...auth, "content-type": "application/json" };
async function call(method: string, path: string, init: { body?: string | Uint8Array; headers?: Record<string, string> } = {}) {
  const r = await fetch(dev.url + path, { method, headers: init.headers ?? jsonHeaders, body: init.body });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: r.status, body: body as Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } } };
}
async function waitFor(id: string, status: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call("GET", `/instances/${id}`);
    if (r.body.status === status) return r.body;
    if (Date.now() > deadline) throw new Error(`instance ${id} is ${String(r.body.status)}, not ${status}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

describe("HTTP API on wrangler dev", () => {
  it("lists definitions and shows one", async () => {
    const list = await call("GET", "/workflows");
    expect(list.status).toBe(200);
    expect(list.body).toEqual(expect.arrayContaining([expect.objectContaining({ name: "hello", hash: expect.stringMatching(/^[0-9a-f]{16}$/) })]));
    const one = await call("GET", "/workflows/hello");
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ name: "hello", input: { required: ["name"] }, definition: { name: "hello" } });
  });

  it("serves its OpenAPI 3.1 description, with hello's start body from its input schema", async () => {
    const r = await call("GET", "/openapi.json");
    expect(r.status).toBe(200);
    const doc = r.body as unknown as { openapi: string; servers: Array<{ url: string }>; paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: { required?: string[] } }> } } }> };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers[0]?.url).toBe(dev.url);
    expect(doc.paths["/workflows/hello"]?.post?.requestBody?.content["application/json"]?.schema.required).toEqual(["name"]);
  });

  it("starts hello, sends the event it waits for, and it completes with the expected output", async () => {
    const started = await call("POST", "/workflows/hello", { body: JSON.stringify({ name: "Ada" }) });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    expect(started.body).toMatchObject({ name: "hello", hash: expect.any(String) });
    const running = await call("GET", `/instances/${id}`);
    expect(running.body).toMatchObject({ id, name: "hello", status: "running", output: null, error: null });
    // 409: resuming an instance that is running
    const resume = await call("POST", `/instances/${id}/resume`);
    expect(resume.status).toBe(409);
    expect(resume.body.error?.code).toBe("INVALID_STATE");
    const ev = await call("POST", `/instances/${id}/events/approve`, { body: JSON.stringify({ by: "Grace" }) });
    expect(ev.status).toBe(202);
    const done = await waitFor(id, "complete");
    expect(done).toEqual({ id, name: "hello", hash: started.body.hash, status: "complete", waitingFor: null, output: { greeting: "Hello, Ada!", approvedBy: "Grace" }, error: null });
  });

  it("an Idempotency-Key starts one instance: the repeat answers 200 with the same id", async () => {
    const key = `order-${Date.now()}`;
    const first = await call("POST", "/workflows/hello", { body: JSON.stringify({ name: "Bo" }), headers: { ...jsonHeaders, "idempotency-key": key } });
    const second = await call("POST", "/workflows/hello", { body: JSON.stringify({ name: "Bo" }), headers: { ...jsonHeaders, "idempotency-key": key } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const list = await call("GET", "/workflows/hello/instances");
    expect((list.body as unknown as Array<{ id: string }>).filter((i) => i.id === first.body.id)).toHaveLength(1);
  });

  it("lists a definition's instances newest first, with their status", async () => {
    const a = await call("POST", "/workflows/hello", { body: JSON.stringify({ name: "first" }) });
    await new Promise((r) => setTimeout(r, 20));
    const b = await call("POST", "/workflows/hello", { body: JSON.stringify({ name: "second" }) });
    const list = (await call("GET", "/workflows/hello/instances")).body as unknown as Array<{ id: string; status: string; created: string }>;
    const ids = list.map((i) => i.id);
    expect(ids.indexOf(b.body.id as string)).toBeLessThan(ids.indexOf(a.body.id as string));
    expect(list.every((i) => typeof i.status === "string" && !Number.isNaN(Date.parse(i.created)))).toBe(true);
    expect(list.map((i) => i.created)).toEqual([...list.map((i) => i.created)].sort().reverse());
  });

  it("lifecycle: pause, resume, terminate; 404 for an unknown instance", async () => {
    const started = await call("POST", "/workflows/hello", { body: JSON.stringify({ name: "Cy" }) });
    const id = started.body.id as string;
    expect((await call("POST", `/instances/${id}/pause`)).status).toBe(202);
    await waitFor(id, "paused");
    expect((await call("POST", `/instances/${id}/resume`)).status).toBe(202);
    expect((await call("POST", `/instances/${id}/terminate`)).status).toBe(202);
    await waitFor(id, "terminated");
    expect((await call("POST", `/instances/${id}/terminate`)).status).toBe(409);
    expect((await call("POST", "/instances/no-such-instance/pause")).status).toBe(404);
  });

  it("each definition is a workflow of its own: the Local Explorer lists one per definition, each instance under its own", async () => {
    const explorer = async (path: string) => (await (await fetch(`${dev.url}/cdn-cgi/explorer/api${path}`)).json()) as { result: Array<Record<string, unknown>> };
    const defs = (await call("GET", "/workflows")).body as unknown as Array<{ name: string }>;
    const workflows = (await explorer("/workflows")).result.map((w) => w.name);
    for (const d of defs) expect(workflows).toContain(`flowdsl-${d.name}`);
    const started = await call("POST", "/workflows/hello", { body: JSON.stringify({ name: "Di" }) });
    const mine = (await explorer("/workflows/flowdsl-hello/instances")).result.map((i) => i.id);
    expect(mine).toContain(started.body.id);
    const others = (await explorer("/workflows/flowdsl-invoice/instances")).result.map((i) => i.id);
    expect(others).not.toContain(started.body.id);
  });

  it("batch: every item is checked first (a 400 names each failing index and starts nothing), then all start at once", async () => {
    const before = ((await call("GET", "/workflows/hello/instances")).body as unknown as unknown[]).length;
    const bad = await call("POST", "/workflows/hello/batch", { body: JSON.stringify([{ name: "ok" }, { nme: "x" }, { name: "" }]) });
    expect(bad.status).toBe(400);
    expect((bad.body.error?.details as Array<{ index: number }>).map((d) => d.index)).toEqual([1, 2]);
    expect(((await call("GET", "/workflows/hello/instances")).body as unknown as unknown[]).length).toBe(before);
    for (const body of ["{}", "[]", JSON.stringify(Array.from({ length: 101 }, () => ({ name: "x" })))]) {
      const r = await call("POST", "/workflows/hello/batch", { body });
      expect(r.status).toBe(400);
      expect(r.body.error?.code).toBe("INVALID_BATCH");
    }
    const key = `batch-${Date.now()}`;
    const ok = await call("POST", "/workflows/hello/batch", { body: JSON.stringify([{ name: "A" }, { name: "B" }]), headers: { ...jsonHeaders, "idempotency-key": key } });
    expect(ok.status).toBe(201);
    const items = ok.body as unknown as Array<{ id: string; created: boolean }>;
    expect(items.map((i) => i.created)).toEqual([true, true]);
    for (const i of items) expect((await call("GET", `/instances/${i.id}`)).body.status).toEqual(expect.stringMatching(/queued|running|complete/));
    const again = await call("POST", "/workflows/hello/batch", { body: JSON.stringify([{ name: "A" }, { name: "B" }]), headers: { ...jsonHeaders, "idempotency-key": key } });
    expect(again.status).toBe(200);
    expect((again.body as unknown as Array<{ id: string; created: boolean }>).map((i) => [i.id, i.created])).toEqual(items.map((i) => [i.id, false]));
  });

  it("restart from a node path or a step name keeps the earlier steps' results; an unknown node is 400", async () => {
    const started = await call("POST", "/workflows/hello", { body: JSON.stringify({ name: "Ed" }) });
    const id = started.body.id as string;
    const stepsOf = async () => ((await (await fetch(`${dev.url}/cdn-cgi/explorer/api/workflows/flowdsl-hello/instances/${id}`)).json()) as { result: { steps: Array<{ name: string; output?: { at: string } }> } }).result.steps;
    const stampOf = async () => (await stepsOf()).find((s) => s.name === "stamp-1")?.output?.at;
    let stamp: string | undefined;
    for (let i = 0; i < 50 && !stamp; i++) {
      stamp = await stampOf();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stamp).toBeDefined();
    // The engine restarts only from a step in the history: wait until the wait has begun.
    for (let i = 0; i < 100 && !(await stepsOf()).some((s) => s.name === "approval-1"); i++) await new Promise((r) => setTimeout(r, 100));
    // From the wait (/steps/3): the stamp step before it keeps its result.
    const fromWait = await call("POST", `/instances/${id}/restart`, { body: JSON.stringify({ from: "/steps/3" }) });
    expect(fromWait.status, JSON.stringify(fromWait.body)).toBe(202);
    expect(fromWait.body.from).toBe("approval");
    await waitFor(id, "running");
    expect((await call("POST", `/instances/${id}/events/approve`, { body: JSON.stringify({ by: "Fay" }) })).status).toBe(202);
    const done = await waitFor(id, "complete");
    expect(done.output).toEqual({ greeting: "Hello, Ed!", approvedBy: "Fay" });
    expect(await stampOf()).toBe(stamp);
    for (const from of ["/steps/9", "no such step", 5]) {
      const r = await call("POST", `/instances/${id}/restart`, { body: JSON.stringify({ from }) });
      expect(r.status, String(from)).toBe(400);
      expect(r.body.error?.code).toBe("UNKNOWN_NODE");
    }
  });

  it("history: what a running instance waits for, per node; followed as Server-Sent Events until it ends", async () => {
    const started = await call("POST", "/workflows/hello", { body: JSON.stringify({ name: "Hal" }) });
    const id = started.body.id as string;
    let h: { waitingFor?: { event?: string } | null; nodes?: Array<{ path: string; state: string }> } = {};
    for (let i = 0; i < 100 && h.waitingFor?.event !== "approve"; i++) {
      h = (await call("GET", `/instances/${id}/history`)).body as typeof h;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(h.waitingFor).toMatchObject({ event: "approve" });
    expect(h.nodes?.map((n) => [n.path, n.state])).toEqual([["/steps/1", "complete"], ["/steps/2", "complete"], ["/steps/3", "waiting"]]);
    expect((await call("GET", `/instances/${id}`)).body).toMatchObject({ status: "running", waitingFor: { event: "approve" } });
    const stream = await fetch(`${dev.url}/instances/${id}/history?follow=true`, { headers: auth });
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    setTimeout(() => void call("POST", `/instances/${id}/events/approve`, { body: JSON.stringify({ by: "Ivy" }) }), 300);
    const text = await stream.text(); // ends when the instance does
    const data = text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)) as { type?: string; path?: string; output?: unknown });
    expect(data.filter((e) => e.path === "/steps/3").map((e) => e.type)).toEqual(["wait_started", "wait_completed"]);
    expect(data.find((e) => e.type === "workflow_completed")?.output).toEqual({ greeting: "Hello, Hal!", approvedBy: "Ivy" });
    expect(text).toMatch(/event: end\n/);
  });

  it("an event to a finished instance is 409; DELETE removes an instance (204, then 404)", async () => {
    const started = await call("POST", "/workflows/hello", { body: JSON.stringify({ name: "Gus" }) });
    const id = started.body.id as string;
    expect((await call("POST", `/instances/${id}/terminate`)).status).toBe(202);
    await waitFor(id, "terminated");
    const late = await call("POST", `/instances/${id}/events/approve`, { body: "{}" });
    expect(late.status).toBe(409);
    expect(late.body.error?.code).toBe("INVALID_STATE");
    const del = await fetch(`${dev.url}/instances/${id}`, { method: "DELETE", headers: auth });
    expect(del.status).toBe(204);
    expect((await call("GET", `/instances/${id}`)).status).toBe(404);
    expect((await fetch(`${dev.url}/instances/${id}`, { method: "DELETE", headers: auth })).status).toBe(404);
    const explorer = (await (await fetch(`${dev.url}/cdn-cgi/explorer/api/workflows/flowdsl-hello/instances`)).json()) as { result: Array<{ id: string }> };
    expect(explorer.result.map((i) => i.id)).not.toContain(id);
  });

  it("a body nested 5,000 levels deep is a 400, and starts nothing", async () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    const r = await call("POST", "/workflows/hello", { body: `{"name":"x","deep":${deep}}`, headers: { ...jsonHeaders, "idempotency-key": "deep-body" } });
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe("INVALID_JSON");
    const again = await call("POST", "/workflows/hello", { body: JSON.stringify({ name: "x" }), headers: { ...jsonHeaders, "idempotency-key": "deep-body" } });
    expect(again.status).toBe(201);
  });

  it.for([
    { what: "invalid JSON", method: "POST", path: "/workflows/hello", body: "{ not json", status: 400, code: "INVALID_JSON" },
    { what: "an unknown definition", method: "POST", path: "/workflows/nope", body: "{}", status: 404, code: "WORKFLOW_NOT_FOUND" },
    { what: "an unknown definition (GET)", method: "GET", path: "/workflows/nope", status: 404, code: "WORKFLOW_NOT_FOUND" },
    { what: "an unknown instance", method: "GET", path: "/instances/does-not-exist", status: 404, code: "INSTANCE_NOT_FOUND" },
    { what: "an event to an unknown instance", method: "POST", path: "/instances/does-not-exist/events/go", body: "{}", status: 404, code: "INSTANCE_NOT_FOUND" },
    { what: "a bad event type", method: "POST", path: "/instances/x/events/bad%20type!", body: "{}", status: 400, code: "INVALID_EVENT_TYPE" },
    { what: "no route", method: "GET", path: "/nowhere", status: 404, code: "NOT_FOUND" },
    { what: "a wrong method", method: "DELETE", path: "/workflows", status: 405, code: "METHOD_NOT_ALLOWED" },
    { what: "bad percent-encoding", method: "GET", path: "/instances/%E0%A4%A", status: 404, code: "NOT_FOUND" },
    { what: "a bad Idempotency-Key", method: "POST", path: "/workflows/hello", body: '{"name":"x"}', headers: { ...jsonHeaders, "idempotency-key": "has space" }, status: 400, code: "INVALID_IDEMPOTENCY_KEY" },
  ])("$what → $status $code", async ({ method, path, body, headers, status, code }) => {
    const r = await call(method, path, { body, headers });
    expect(r.status).toBe(status);
    expect(r.body.error?.code).toBe(code);
    expect(r.body.error?.message.length).toBeGreaterThan(10);
  });

  it("400 for params failing the input schema, listing each failing path", async () => {
    const r = await call("POST", "/workflows/hello", { body: JSON.stringify({ name: "", email: "not-an-email", when: "yesterday" }) });
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe("INVALID_PARAMS");
    const paths = (r.body.error?.details as Array<{ path: string }>).map((d) => d.path).sort();
    expect(paths).toEqual(["/email", "/name", "/when"]);
    const missing = await call("POST", "/workflows/hello", { body: "{}" });
    expect((missing.body.error?.details as Array<{ keyword: string }>)[0]?.keyword).toBe("required");
  });

  it.for([
    { what: "no token", headers: {} as Record<string, string> },
    { what: "a wrong token", headers: { authorization: "Bearer nope" } },
    { what: "a token of another scheme", headers: { authorization: `Basic ${LOCAL_TOKEN}` } },
  ])("401 with $what", async ({ headers }) => {
    const r = await call("GET", "/workflows", { headers });
    expect(r.status).toBe(401);
    expect(r.body.error?.code).toBe("UNAUTHORIZED");
  });

  it("413 for a body over 1 MiB", async () => {
    const r = await call("POST", "/workflows/hello", { body: JSON.stringify({ name: "x".repeat(1024 * 1024 + 10) }) });
    expect(r.status).toBe(413);
    expect(r.body.error?.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("415 for a wrong content type", async () => {
    const r = await call("POST", "/workflows/hello", { body: "name=Ada", headers: { ...auth, "content-type": "application/x-www-form-urlencoded" } });
    expect(r.status).toBe(415);
    expect(r.body.error?.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("no bad request ever gets a 500", async () => {
    const nasty: Array<[string, string, string | undefined, Record<string, string>]> = [
      ["POST", "/workflows/hello", "[1,2,3]", jsonHeaders],
      ["POST", "/workflows/hello", "null", jsonHeaders],
      ["POST", "/workflows/hello", '"just a string"', jsonHeaders],
      ["POST", "/workflows/hello", "\u0000\u0001binary", jsonHeaders],
      ["POST", "/workflows/hello", "{}", { ...auth, "content-type": "text/plain" }],
      ["POST", "/instances/x/events/ok", "{bad", jsonHeaders],
      ["POST", `/instances/${"x".repeat(300)}/terminate`, undefined, jsonHeaders],
      ["GET", "/workflows/%2e%2e%2fetc", undefined, jsonHeaders],
      ["PUT", "/instances/x", "{}", jsonHeaders],
      ["GET", "/workflows/hello/instances/extra", undefined, jsonHeaders],
      ["POST", "/workflows/" + "a".repeat(2000), "{}", jsonHeaders],
    ];
    for (const [method, path, body, headers] of nasty) {
      const r = await call(method, path, { body, headers });
      expect(r.status, `${method} ${path}`).toBeLessThan(500);
      expect(r.body.error?.code, `${method} ${path}`).toEqual(expect.any(String));
    }
  });
});

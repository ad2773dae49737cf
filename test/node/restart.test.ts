// Local runs survive restarts and reloads (wrangler's local engine strands sleeping and
// waiting instances; npm start wakes them). Real `npm start`, real 127.0.0.1 server counting
// side effects.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyProject, LOCAL_TOKEN, startDev } from "../dev-server.js";
import type { DevServer } from "../dev-server.js";
import { startMockServer } from "../mock-server.js";
import type { MockServer } from "../mock-server.js";

const H = { authorization: `Bearer ${LOCAL_TOKEN}`, "content-type": "application/json" };
let mock: MockServer;
let dir: string;
let dev: DevServer | undefined;

const napDefinition = (version: string): string => `# yaml-language-server: $schema=../schema/workflow.schema.json
name: nap
description: A side effect, a sleep, another side effect (${version}).
steps:
  - http: before
    url: "{% $input.base %}/before"
    method: POST
  - sleep: nap
    for: 4 seconds
  - http: after
    url: "{% $input.base %}/after-${version}"
    method: POST
output: ${version}
`;
const waitDefinition = `# yaml-language-server: $schema=../schema/workflow.schema.json
name: wait-across
description: Waits for an event; a short wait times out and is caught.
steps:
  - http: before
    url: "{% $input.base %}/before"
    method: POST
  - try: wait
    steps:
      - waitForEvent: go
        event: go
        timeout: "{% $input.timeout %}"
        as: payload
    catch:
      - errors: [Timeout]
        steps:
          - set: timed out
            values: { payload: timed out }
  - http: after
    url: "{% $input.base %}/after"
    method: POST
output: "{% $payload %}"
`;

const quickDefinition = `name: quick
description: Finishes at once.
steps:
  - set: s
    values: { x: 1 }
output: "{% $input.n %}"
`;
const longNapDefinition = `name: long-nap
description: A side effect, a sleep as long as asked, another side effect.
steps:
  - http: before
    url: "{% $input.base %}/before"
    method: POST
  - sleep: nap
    for: "{% $input.for %}"
  - http: after
    url: "{% $input.base %}/after"
    method: POST
output: woke
`;

const calmDefinition = `name: calm
description: A call that fails once, is retried, and succeeds.
steps:
  - http: flaky call
    url: "{% $input.base %}/flaky"
    method: POST
    retries: { limit: 2, delay: 1 second, backoff: constant }
output: done
`;

const storyDefinition = `name: story
description: A retried secret call (compensated later), a sleep, a child, an event wait, then a failure.
steps:
  - http: reserve
    url: "{% $input.base %}/reserve"
    method: POST
    sensitive: true
    retries: { limit: 2, delay: 1 second, backoff: constant }
    compensate:
      - http: release
        url: "{% $input.base %}/release"
        method: POST
  - sleep: nap
    for: 1 second
  - workflow: child
    definition: quick
    params: { n: 7 }
    as: kid
  - waitForEvent: go
    event: go
    timeout: 1 hour
  - fail: stop
    message: "stopped after {% $string($kid) %}"
`;

beforeAll(async () => {
  mock = await startMockServer();
  dir = copyProject();
  writeFileSync(join(dir, "definitions/nap.yaml"), napDefinition("v1"));
  writeFileSync(join(dir, "definitions/wait-across.yaml"), waitDefinition);
  writeFileSync(join(dir, "definitions/quick.yaml"), quickDefinition);
  writeFileSync(join(dir, "definitions/long-nap.yaml"), longNapDefinition);
  writeFileSync(join(dir, "definitions/calm.yaml"), calmDefinition);
  writeFileSync(join(dir, "definitions/story.yaml"), storyDefinition);
  // One definition per burst of the kill -9 tests, so the engine's list of its instances is that burst's.
  for (const name of ["burst-plain", "burst-keyed"]) writeFileSync(join(dir, `definitions/${name}.yaml`), quickDefinition.replace("name: quick", `name: ${name}`));
}, 30_000);
afterAll(async () => {
  await dev?.stop("SIGKILL");
  await mock?.close();
}, 30_000);

let runs = 0;
async function start(name: string, input: Record<string, unknown>): Promise<{ id: string; base: string }> {
  const base = `http://127.0.0.1:${mock.port}/r${runs++}-${Date.now()}`;
  const r = await fetch(`${dev!.url}/workflows/${name}`, { method: "POST", headers: H, body: JSON.stringify({ base, ...input }) });
  expect(r.status).toBe(201);
  return { id: ((await r.json()) as { id: string }).id, base };
}
/**
 * Waits until the server saw the `before` step's call and the engine has journaled that step:
 * a step stopped between its side effect and its journal write runs again (at-least-once, as
 * on Cloudflare). These tests stop the server during the sleep or wait that follows.
 */
async function beforeJournaled(id: string, base: string): Promise<void> {
  await expect.poll(() => calls(base, "/before"), { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(1);
  await expect
    .poll(async () => ((await (await fetch(`${dev!.url}/instances/${id}/history`, { headers: H })).json()) as { nodes: Array<{ step: string; state: string }> }).nodes.find((n) => n.step === "before")?.state, { timeout: 20_000, interval: 100 })
    .toBe("complete");
}
async function calls(base: string, path: string): Promise<number> {
  const prefix = new URL(base + path).pathname;
  return ((await (await fetch(`http://127.0.0.1:${mock.port}/__calls?prefix=${encodeURIComponent(prefix)}`)).json()) as unknown[]).length;
}
async function finalStatus(id: string, timeoutMs = 40_000): Promise<{ status: string; output: unknown }> {
  const read = async () => (await (await fetch(`${dev!.url}/instances/${id}`, { headers: H })).json()) as { status: string; output: unknown };
  await expect.poll(async () => (await read()).status, { timeout: timeoutMs, interval: 250 }).toMatch(/^(complete|errored|terminated)$/);
  return read();
}
async function restart(signal: NodeJS.Signals): Promise<void> {
  const port = dev!.port;
  await dev!.stop(signal);
  dev = await startDev(dir, port);
}

describe("instances survive a restart of npm start", () => {
  beforeAll(async () => {
    dev = await startDev(dir);
  }, 120_000);

  it.for([
    { how: "killed with SIGKILL (a crash)", signal: "SIGKILL" as const },
    { how: "stopped gracefully (Ctrl-C)", signal: "SIGINT" as const },
  ])("a sleeping instance completes after the server was $how; each side effect once", { timeout: 120_000 }, async ({ signal }) => {
    const { id, base } = await start("nap", {});
    await beforeJournaled(id, base);
    await restart(signal);
    const s = await finalStatus(id);
    expect(s).toMatchObject({ status: "complete", output: "v1" });
    expect(await calls(base, "/before")).toBe(1);
    expect(await calls(base, "/after-v1")).toBe(1);
  });

  it("an instance waiting for an event still receives it after a restart", async () => {
    const { id, base } = await start("wait-across", { timeout: "1 hour" });
    await beforeJournaled(id, base);
    await restart("SIGKILL");
    const r = await fetch(`${dev!.url}/instances/${id}/events/go`, { method: "POST", headers: H, body: JSON.stringify({ approved: true }) });
    expect(r.status).toBe(202);
    expect(await finalStatus(id)).toMatchObject({ status: "complete", output: { approved: true } });
    expect(await calls(base, "/before")).toBe(1);
    expect(await calls(base, "/after")).toBe(1);
  }, 120_000);

  it("an event wait's timeout still fires after a restart", async () => {
    const { id, base } = await start("wait-across", { timeout: "3 seconds" });
    await beforeJournaled(id, base);
    await restart("SIGKILL");
    expect(await finalStatus(id)).toMatchObject({ status: "complete", output: "timed out" });
    expect(await calls(base, "/before")).toBe(1);
    expect(await calls(base, "/after")).toBe(1);
  }, 120_000);

  it("logs one calm line per attempt, and no red 'Uncaught' report for a failure the workflow expects", async () => {
    const base = `http://127.0.0.1:${mock.port}/calm-${Date.now()}`;
    await fetch(`http://127.0.0.1:${mock.port}/__script`, { method: "POST", body: JSON.stringify({ [new URL(base + "/flaky").pathname]: [{ status: 503, times: 1 }, { status: 200, body: { ok: true } }] }) });
    const r = await fetch(`${dev!.url}/workflows/calm`, { method: "POST", headers: H, body: JSON.stringify({ base }) });
    const { id } = (await r.json()) as { id: string };
    expect(await finalStatus(id)).toMatchObject({ status: "complete", output: "done" });
    await expect.poll(() => dev!.log(), { timeout: 10_000 }).toContain(`calm ${id}: complete`);
    const log = dev!.log();
    expect(log).toContain("flaky call: attempt 1 failed (answered 503), retrying in 1 s");
    expect(log).toMatch(/flaky call: attempt 2 done in \d+ ms/);
    expect(log).toContain(`calm ${id}: complete`);
    expect(log).not.toMatch(/Uncaught/);
  }, 60_000);

  it("history and its live stream follow retries, a sleep, a child, a wait, a sensitive step and a compensation", async () => {
    const base = `http://127.0.0.1:${mock.port}/story-${Date.now()}`;
    const p = (x: string) => new URL(base + x).pathname;
    await fetch(`http://127.0.0.1:${mock.port}/__script`, { method: "POST", body: JSON.stringify({ [p("/reserve")]: [{ status: 503, times: 1 }, { status: 200, body: { token: "s3cr3t-token" } }] }) });
    const { id } = (await (await fetch(`${dev!.url}/workflows/story`, { method: "POST", headers: H, body: JSON.stringify({ base }) })).json()) as { id: string };
    type H = { waitingFor: { event?: string } | null; nodes: Array<{ path: string; step: string; state: string; attempts: number }>; events: Array<{ type: string; step?: string; path?: string; output?: unknown }> };
    const history = async (): Promise<H> => (await (await fetch(`${dev!.url}/instances/${id}/history`, { headers: H })).json()) as H;
    await expect.poll(async () => (await history()).waitingFor?.event, { timeout: 15_000, interval: 100 }).toBe("go");
    // The stream is open once its answer's headers arrived: the event is sent after that.
    const live = (await fetch(`${dev!.url}/instances/${id}/history?follow=true`, { headers: H })).text();
    expect((await fetch(`${dev!.url}/instances/${id}/events/go`, { method: "POST", headers: H, body: "{}" })).status).toBe(202);
    const stream = await live; // ends with the instance
    expect(await finalStatus(id)).toMatchObject({ status: "errored" });
    const h = await history();
    const byStep = Object.fromEntries(h.nodes.map((n) => [n.step, [n.path, n.state, n.attempts]]));
    expect(byStep).toEqual({
      reserve: ["/steps/0", "compensated", 2],
      nap: ["/steps/1", "complete", 0],
      child: ["/steps/2", "complete", 1],
      "child/wait": ["/steps/2", "complete", 0],
      go: ["/steps/3", "complete", 0],
      "reserve/compensate/release": ["/steps/0/compensate/0", "complete", 1],
    });
    expect(JSON.stringify(h)).not.toContain("s3cr3t-token");
    expect(h.events.find((e) => e.type === "attempt_errored")).toMatchObject({ step: "reserve", path: "/steps/0" });
    expect(h.events.at(-1)?.type).toBe("workflow_errored");
    expect(stream).not.toContain("s3cr3t-token");
    const streamed = stream.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)) as { type?: string; path?: string });
    expect(streamed.map((e) => e.type)).toEqual(expect.arrayContaining(["wait_completed", "step_completed", "workflow_errored"]));
    expect(streamed.filter((e) => e.type === "wait_completed").map((e) => e.path)).toEqual(["/steps/2", "/steps/3"]);
    expect(stream).toMatch(/event: end\n/);
  }, 90_000);

  it("terminate with compensation on npm start: the wait is where it stops, the compensation runs once, the instance ends terminated", async () => {
    const base = `http://127.0.0.1:${mock.port}/tc-${Date.now()}`;
    const p = (x: string) => new URL(base + x).pathname;
    await fetch(`http://127.0.0.1:${mock.port}/__script`, { method: "POST", body: JSON.stringify({ [p("/reserve")]: [{ status: 200, body: { token: "t" } }] }) });
    const { id } = (await (await fetch(`${dev!.url}/workflows/story`, { method: "POST", headers: H, body: JSON.stringify({ base }) })).json()) as { id: string };
    await expect.poll(async () => ((await (await fetch(`${dev!.url}/instances/${id}`, { headers: H })).json()) as { waitingFor: { event?: string } | null }).waitingFor?.event, { timeout: 15_000, interval: 100 }).toBe("go");
    const t = await fetch(`${dev!.url}/instances/${id}/terminate`, { method: "POST", headers: H, body: JSON.stringify({ compensate: true }) });
    expect(t.status).toBe(202);
    expect(await t.json()).toMatchObject({ compensate: true, stopsAt: "go" });
    expect(await finalStatus(id)).toMatchObject({ status: "terminated" });
    expect(await calls(base, "/release")).toBe(1);
  }, 90_000);

  it("kill -9 during 40 keyed starts, then the same 40 retried: every key maps to one instance, and each completes", async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `k9-${Date.now()}-${i}`);
    // A start the kill cuts short may fail anywhere: before the answer or while reading it.
    const startKeyed = async (key: string, i: number): Promise<{ status: number; id: string | undefined }> => {
      try {
        const r = await fetch(`${dev!.url}/workflows/quick`, { method: "POST", headers: { ...H, "idempotency-key": key }, body: JSON.stringify({ n: i }) });
        return { status: r.status, id: r.ok ? ((await r.json()) as { id: string }).id : undefined };
      } catch {
        return { status: 0, id: undefined };
      }
    };
    const inFlight = keys.map(startKeyed);
    await new Promise((r) => setTimeout(r, 150));
    await restart("SIGKILL");
    const first = await Promise.all(inFlight);
    expect(first.some((r) => r.status !== 201)).toBe(true); // the kill did cut some starts short
    const retried = await Promise.all(keys.map(startKeyed));
    for (const [i, r] of retried.entries()) {
      expect([200, 201], keys[i]).toContain(r.status);
      if (first[i]!.id) expect(r.id).toBe(first[i]!.id);
    }
    // 40 instances recovering at once on a loaded 2-core machine took up to ~50 s: wait longer.
    for (const [i, r] of retried.entries()) expect(await finalStatus(r.id!, 100_000), keys[i]).toMatchObject({ status: "complete", output: i });
  }, 240_000);

  it.for([
    { def: "burst-plain", keys: false },
    { def: "burst-keyed", keys: true },
  ])("kill -9 during 40 concurrent starts of $def: every engine instance has a row, and each completes without a manual call", { timeout: 240_000 }, async ({ def, keys }) => {
    const run = Date.now();
    const startOne = async (i: number): Promise<{ status: number; id: string | undefined }> => {
      try {
        const r = await fetch(`${dev!.url}/workflows/${def}`, { method: "POST", headers: { ...H, ...(keys ? { "idempotency-key": `${def}-${run}-${i}` } : {}) }, body: JSON.stringify({ n: i }) });
        return { status: r.status, id: r.status === 201 ? ((await r.json()) as { id: string }).id : undefined };
      } catch {
        return { status: 0, id: undefined };
      }
    };
    // The kill lands as the first start is answered: the other 39 are then anywhere between
    // their row and their create.
    let answered!: () => void;
    const firstAnswer = new Promise<void>((r) => (answered = r));
    const inFlight = Array.from({ length: 40 }, (_, i) => startOne(i).then((r) => (r.status === 201 && answered(), r)));
    await Promise.race([firstAnswer, new Promise((r) => setTimeout(r, 5_000))]);
    await restart("SIGKILL");
    const first = await Promise.all(inFlight);
    expect(first.some((r) => r.status !== 201)).toBe(true); // the kill did cut some starts short
    // What the engine holds for this definition, from its own explorer: each has a row.
    // (Entries without a status are the engine's own shells of creates the kill cut short: no instance, no id of ours.)
    const listed = (await (await fetch(`${dev!.url}/cdn-cgi/explorer/api/workflows/flowdsl-${def}/instances?per_page=100`)).json()) as { result: Array<{ id: string; status?: string }> };
    const engineIds = listed.result.filter((x) => x.status !== undefined).map((x) => x.id);
    expect(engineIds.length).toBeGreaterThan(0);
    for (const r of first) if (r.id) expect(engineIds).toContain(r.id);
    for (const id of engineIds) expect((await fetch(`${dev!.url}/instances/${id}`, { headers: H })).status, id).toBe(200);
    // Nobody calls recovery or retries: npm start's own wake-up finishes every one of them.
    for (const id of engineIds) expect(await finalStatus(id, 100_000), id).toMatchObject({ status: "complete" });
    for (const [i, r] of first.entries()) if (r.id) expect((await finalStatus(r.id)).output).toBe(i);
  });

  it("recovery reaches a stranded sleeper behind more than 1,000 finished instances nobody polled", async () => {
    const { id, base } = await start("long-nap", { for: "25 seconds" });
    await beforeJournaled(id, base);
    // 1,100 newer instances that finish, started in batches; their status is never asked through the API.
    for (let b = 0; b < 11; b++) {
      const r = await fetch(`${dev!.url}/workflows/quick/batch`, { method: "POST", headers: H, body: JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ n: b * 100 + i }))) });
      expect(r.status).toBe(201);
    }
    const completed = async () => ((await (await fetch(`${dev!.url}/cdn-cgi/explorer/api/workflows/flowdsl-quick/instances?per_page=1`)).json()) as { result_info: { status_counts: Record<string, number> } }).result_info.status_counts.complete ?? 0;
    await expect.poll(completed, { timeout: 90_000, interval: 500 }).toBeGreaterThanOrEqual(1100);
    await restart("SIGKILL");
    expect(await finalStatus(id, 90_000)).toMatchObject({ status: "complete", output: "woke" });
    expect(await calls(base, "/before")).toBe(1);
    expect(await calls(base, "/after")).toBe(1);
  }, 300_000);

  it("editing a definition during a sleep reloads the server; the instance completes on the definition it started with", async () => {
    const { id, base } = await start("nap", {});
    await beforeJournaled(id, base);
    writeFileSync(join(dir, "definitions/nap.yaml"), napDefinition("v2"));
    // The reload is visible: the API serves the new definition's hash once it is done.
    const list = async () => ((await (await fetch(`${dev!.url}/workflows/nap`, { headers: H })).json()) as { description: string }).description;
    await expect.poll(list, { timeout: 30_000, interval: 200 }).toContain("v2");
    const s = await finalStatus(id);
    expect(s).toMatchObject({ status: "complete", output: "v1" });
    expect(await calls(base, "/before")).toBe(1);
    expect(await calls(base, "/after-v1")).toBe(1);
    expect(await calls(base, "/after-v2")).toBe(0);
  }, 120_000);
});

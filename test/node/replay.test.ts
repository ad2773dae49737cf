// Replay harness (no engine): for every definition and every crash point k, kill run() right
// after its k-th journaled step and run it again. The outcome must equal the uninterrupted
// run's, every successful step body must have run exactly once, and every step the crashed
// run journaled must be asked for again under the same name.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { startMockServer } from "../mock-server.js";
import { JournalStep, runToEnd } from "../replay-harness.js";
import type { Outcome } from "../replay-harness.js";
import { validateDefinitionText } from "../../src/definition/validate.js";
import type { Definition, Host, RunnableParams } from "../../src/interpreter/context.js";
import { ACTIONS } from "../../src/actions/index.js";
import { modelOf } from "../../src/model/model.js";
import { templateRegex } from "../../src/model/steps.js";
import { NOTIFY_PARENT_STEP } from "../../src/interpreter/run.js";
import { Miniflare, convertV4MiniflareOptions } from "miniflare";

const root = new URL("../..", import.meta.url).pathname;
const server = await startMockServer();
// Real local KV, D1, R2 and Queue bindings (miniflare's Node API) for the binding actions.
const mf = new Miniflare(
  convertV4MiniflareOptions({
    modules: true,
    script: "export default { fetch() { return new Response(null, { status: 204 }); } }",
    kvNamespaces: ["KV"],
    d1Databases: ["DB"],
    r2Buckets: ["BUCKET"],
    queueProducers: { QUEUE: "flowdsl-jobs" },
  }),
);
const bindings = await mf.getBindings();
afterAll(async () => {
  await server.close();
  await mf.dispose();
});
const origin = `http://127.0.0.1:${server.port}`;
const SERVICES = ["accounting", "mail", "payment", "inventory", "chat", "jobs", "profile", "processor", "external", "legacy", "quotes", "reports"];

const files = ["definitions", "test/definitions"].flatMap((d) =>
  readdirSync(join(root, d)).filter((f) => /\.ya?ml$/.test(f) && !/\.test\.ya?ml$/.test(f)).sort().map((f) => join(root, d, f)),
);
const defs = new Map<string, Definition>();
for (const f of files) {
  const v = validateDefinitionText(readFileSync(f, "utf8"), f);
  if (!v.definition) throw new Error(`${f} is invalid`);
  defs.set(v.definition.name, v.definition);
}

/** Inputs broad enough for every shipped and test definition; each run gets its own base path. */
function inputFor(name: string, run: string): Record<string, unknown> {
  const base = `${origin}/${name}-${run}`;
  return {
    base, origin, name: "ada", email: "ada@example.com", n: 21, childFails: false, tier: "gold", stock: 0, sku: "A-1",
    which: "SHHH", text: "12", orderId: "o-1", amount: 5, items2: [], paymentMethod: "card", userId: "u-1", key: "k", videoId: "v", requestId: "r",
    jobId: `job-${run}`, totalRecords: 25, batchSize: 10, approverEmail: "boss@example.com", action: "deploy", imageKey: "img.png", data: { customer: { email: "a@example.com" } },
    sourceUrl: `${origin}/svc/external/source`, scheduledTime: "2026-11-21T06:00:00.000Z", until: "2026-01-01T00:00:00Z", url: `${base}/x`, customer: "c-1",
    items: [1, 2, 3, 4, 5, 6].map((n) => ({ n, delay: (6 - n) * 3 })),
  };
}
/** The outside world's answers per definition, so failure paths replay too. */
function scriptFor(name: string, base: string): Record<string, unknown[]> {
  const p = (x: string): string => new URL(base + x).pathname;
  switch (name) {
    case "t-saga": return { [p("/ship")]: [{ status: 409 }] };
    case "t-saga-compfail": return { [p("/ship")]: [{ status: 409 }], [p("/undo/charge")]: [{ status: 500 }] };
    case "t-saga-catch": return { [p("/ship")]: [{ status: 400 }] };
    case "t-http-fatal": case "t-try": case "t-parallel-fail": return { [p("/teapot")]: [{ status: 418 }] };
    case "t-repeat-poll": return { [p("/status")]: [{ status: 200, body: { state: "pending" }, times: 3 }, { status: 200, body: { state: "done" } }] };
    case "t-http-retry": return { [p("/flaky")]: [{ status: 503, times: 2 }, { status: 200, body: { ok: true } }] };
    case "t-http-accepted": return { [p("/invoices")]: [{ status: 202, headers: { Location: `${base}/invoices/77` } }], [p("/invoices/77")]: [{ status: 200, body: { id: 77 } }] };
    case "invoice": return {
      "/svc/accounting/invoices": [{ status: 503, times: 1 }, { status: 202, headers: { Location: `${origin}/svc/accounting/invoices/1` } }],
      "/svc/accounting/invoices/1": [{ status: 200, body: { status: "pending" }, times: 1 }, { status: 200, body: { status: "issued", number: "7", pdfUrl: `${origin}/svc/files/1.pdf` } }],
      "/svc/files/1.pdf": [{ status: 200, body: "%PDF", headers: { "content-type": "application/pdf" } }],
    };
    case "video-processing": return { "/svc/processor/jobs": [{ status: 200, body: { jobId: "j" } }], "/svc/processor/jobs/j/status": [{ status: 200, body: { state: "processing" }, times: 1 }, { status: 200, body: { state: "complete" } }] };
    case "data-pipeline": return { "/svc/external/source": [{ status: 200, body: [{ id: "a", name: " x " }, { id: "b", name: "y" }] }] };
    case "order-saga": return { "/svc/inventory/orders/o-1/confirm": [{ status: 409 }] };
    default: return {};
  }
}
async function prepare(name: string, run: string): Promise<RunnableParams> {
  const params = paramsFor(name, run);
  const script = scriptFor(name, (params.input as { base: string }).base);
  if (Object.keys(script).length > 0) await fetch(`${origin}/__script`, { method: "POST", body: JSON.stringify(script) });
  return params;
}

/** Event payloads; t-event-timeout gets none, so its wait times out. */
const eventsFor = (name: string) => (type: string): unknown => {
  if (name === "t-event-timeout") return undefined;
  if (type.startsWith("flowdsl-child-")) return { status: "complete", output: { doubled: 42 } };
  return { by: "harness", approved: true };
};

function hostFor(): Host {
  return {
    env: {
      ...bindings,
      ALLOW_PRIVATE_HOSTS: "true",
      SHHH: "s3cret",
      ...Object.fromEntries(SERVICES.map((s) => [`${s.toUpperCase()}_API`, `${origin}/svc/${s}`])),
      AI_ENDPOINT: `${origin}/svc/ai`,
    },
    instanceId: "replay",
    fetch: (input, init) => fetch(input, init),
    actions: ACTIONS,
    children: {
      lookup: (n) => (defs.has(n) ? { definition: defs.get(n)!, hash: "h" } : undefined),
      create: async () => {},
      notify: async () => {},
    },
  };
}
const paramsFor = (name: string, run: string): RunnableParams => ({ name, hash: "h", definition: defs.get(name)!, input: inputFor(name, run) });
/** Quiet (the log action prints) and with the wall clock pinned: the clock is the outside
 * world here, and $now/$millis must read the same in two independent runs. */
const FIXED_NOW = new Date("2026-11-21T12:00:00Z");
const silence = <T>(fn: () => Promise<T>): Promise<T> => {
  const log = console.log;
  console.log = () => {};
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(FIXED_NOW);
  return fn().finally(() => {
    console.log = log;
    vi.useRealTimers();
  });
};

// The uninterrupted runs, which fix each definition's reference outcome and crash points.
const reference = new Map<string, { outcome: Outcome; steps: number; keys: string[] }>();
for (const name of defs.keys()) {
  const step = new JournalStep(eventsFor(name));
  const params = await prepare(name, "ref");
  const { outcome } = await silence(() => runToEnd(params, "replay", step, hostFor()));
  reference.set(name, { outcome, steps: step.journal.size, keys: [...step.journal.keys()] });
}
const pairs = [...reference.entries()].flatMap(([name, r]) => Array.from({ length: r.steps }, (_, i) => ({ name, k: i + 1 })));

describe("replay", () => {
  it(`covers ${defs.size} definitions at every crash point: ${pairs.length} (definition, crash point) pairs`, () => {
    expect(pairs.length).toBeGreaterThan(defs.size);
  });

  it.for(pairs)("$name crashed after step $k: the same outcome, each finished step's body run once", async ({ name, k }) => {
    const step = new JournalStep(eventsFor(name));
    const params = await prepare(name, `k${k}`);
    const { outcome, runs } = await silence(() => runToEnd(params, "replay", step, hostFor(), k));
    expect(runs.length).toBe(2);
    expect(normalize(outcome)).toEqual(normalize(reference.get(name)!.outcome));
    for (const [key, n] of step.bodyRuns) expect(n, `${key} body runs`).toBe(1);
    const [crashed, replay] = runs as [string[], string[]];
    const again = new Set(replay);
    for (const key of crashed) if (step.journal.has(key)) expect(again.has(key), `${key} asked again`).toBe(true);
  });

  it("every step the interpreter asked for is one of the model's templates, by the same engine call", () => {
    let checked = 0;
    for (const [name, r] of reference) {
      const model = modelOf(defs.get(name)!);
      const templates = model.nodes.flatMap((m) => m.steps.map((s) => ({ api: s.api, re: templateRegex(s.template), text: s.template.text })));
      for (const key of r.keys) {
        const m = /^(do|sleep|sleepUntil|waitForEvent):(.*)#\d+$/.exec(key);
        expect(m, key).not.toBeNull();
        const [, api, stepName] = m!;
        if (stepName === NOTIFY_PARENT_STEP) continue;
        const engineCall = api === "sleepUntil" ? "sleep" : api;
        const match = templates.filter((t) => t.api === engineCall && t.re.test(stepName!));
        expect(match.map((t) => t.text), `${name}: ${key}`).toHaveLength(1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it("the reference runs cover complete and errored outcomes", () => {
    const statuses = new Set([...reference.values()].map((r) => r.outcome.status));
    expect(statuses).toEqual(new Set(["complete", "errored"]));
  });
});

/** Each run has its own base path on the mock server, and its answers their own Date header; everything else must match exactly. */
function normalize(o: Outcome): unknown {
  return JSON.parse(JSON.stringify(o).replace(/\/(t-[a-z-]+|hello)-(ref|k\d+)\b/g, "/$1-RUN").replace(/"date":"[^"]*"/g, '"date":"DATE"'));
}

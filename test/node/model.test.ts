// The model of a definition: node identities, step-name templates of every kind and their
// nesting, typed edges, collisions; and the interpreter reading only the model (scope
// isolation at run time, the effects seam keyed by node identity).
import { describe, expect, it } from "vitest";
import { modelOf, instantiate } from "../../src/model/model.js";
import type { ModelNode } from "../../src/model/model.js";
import { MAX_STEP_NAME_LENGTH } from "../../src/interpreter/names.js";
import type { Definition, Host, RunnableParams } from "../../src/interpreter/context.js";
import type { Effects } from "../../src/interpreter/effects.js";
import { runInstance } from "../../src/interpreter/run.js";
import { ACTIONS } from "../../src/actions/index.js";
import { JournalStep, runToEnd } from "../replay-harness.js";
import { validateDefinitionText } from "../../src/definition/validate.js";
import { graphOf, toDot, toMermaid } from "../../src/model/graph.js";
import { toSvg } from "../../src/cli/graph-svg.js";

const def = (steps: unknown[], extra: Record<string, unknown> = {}): Definition => ({ name: "m", steps, ...extra }) as unknown as Definition;

/** One node of each kind, nested in loops, cases, branches, handlers and compensations. */
const everyKind = def([
  { do: "reserve", value: 1, compensate: [{ http: "release", url: "https://inv.example.com/release" }] },
  { http: "charge", url: "https://pay.example.com/charge", retries: { limit: 2, delay: "1s" } },
  { sleep: "nap", for: "1 second" },
  { waitForEvent: "approval", event: "approve" },
  { set: "totals", values: { x: 1 } },
  { switch: "route", cases: [{ when: "$x = 1", steps: [{ do: "one", value: 1 }] }, { when: "true", steps: [{ do: "other", value: 2 }] }], default: [{ do: "fallback", value: 0 }] },
  {
    foreach: "orders",
    in: "[1, 2]",
    steps: [
      { do: "process", value: 1, compensate: [{ do: "unprocess", value: 0 }] },
      { repeat: "poll", max: 3, until: "true", steps: [{ http: "check", url: "https://jobs.example.com/x" }, { sleep: "wait", for: "1s" }] },
      { parallel: "both", branches: { left: [{ do: "l", value: 1 }], right: [{ foreach: "inner", in: "[1]", steps: [{ do: "deep", value: 1 }] }] } },
    ],
  },
  { race: "fastest", branches: { a: [{ http: "ask a", url: "https://a.example.com" }], b: [{ waitForEvent: "answer b", event: "b" }] } },
  { try: "guarded", steps: [{ do: "risky", value: 1 }], catch: [{ errors: ["HttpError"], steps: [{ do: "handle http", value: 1 }] }, { steps: [{ do: "handle any", value: 1 }] }] },
  { compensate: "undo all" },
  { fail: "stop", message: "no" , if: false },
  { workflow: "child", definition: "m" },
  { workflow: "fire and forget", definition: "m", wait: false },
]);

const model = modelOf(everyKind);
const at = (id: string): ModelNode => {
  const m = model.byId.get(id);
  if (!m) throw new Error(`no node at ${id}`);
  return m;
};

describe("node identity and step-name templates", () => {
  it.for([
    // [JSON pointer, kind, name path template, the node's own steps as "api template"]
    ["/steps/0", "do", "reserve", ["do reserve"]],
    ["/steps/0/compensate/0", "http", "reserve/compensate/release", ["do reserve/compensate/release"]],
    ["/steps/1", "http", "charge", ["do charge"]],
    ["/steps/2", "sleep", "nap", ["sleep nap"]],
    ["/steps/3", "waitForEvent", "approval", ["waitForEvent approval"]],
    ["/steps/4", "set", "totals", []],
    ["/steps/5", "switch", "route", []],
    ["/steps/5/cases/0/steps/0", "do", "route/one", ["do route/one"]],
    ["/steps/5/cases/1/steps/0", "do", "route/other", ["do route/other"]],
    ["/steps/5/default/0", "do", "route/fallback", ["do route/fallback"]],
    ["/steps/6", "foreach", "orders", []],
    ["/steps/6/steps/0", "do", "orders[{i}]/process", ["do orders[{i}]/process"]],
    ["/steps/6/steps/0/compensate/0", "do", "orders[{i}]/process/compensate/unprocess", ["do orders[{i}]/process/compensate/unprocess"]],
    ["/steps/6/steps/1", "repeat", "orders[{i}]/poll", []],
    ["/steps/6/steps/1/steps/0", "http", "orders[{i}]/poll[{j}]/check", ["do orders[{i}]/poll[{j}]/check"]],
    ["/steps/6/steps/1/steps/1", "sleep", "orders[{i}]/poll[{j}]/wait", ["sleep orders[{i}]/poll[{j}]/wait"]],
    ["/steps/6/steps/2/branches/left/0", "do", "orders[{i}]/both/left/l", ["do orders[{i}]/both/left/l"]],
    ["/steps/6/steps/2/branches/right/0/steps/0", "do", "orders[{i}]/both/right/inner[{j}]/deep", ["do orders[{i}]/both/right/inner[{j}]/deep"]],
    ["/steps/7", "race", "fastest", ["do fastest/winner"]],
    ["/steps/7/branches/a/0", "http", "fastest/a/ask a", ["do fastest/a/ask a"]],
    ["/steps/7/branches/b/0", "waitForEvent", "fastest/b/answer b", ["waitForEvent fastest/b/answer b", "do fastest/b/answer b/claim"]],
    ["/steps/8/steps/0", "do", "guarded/risky", ["do guarded/risky"]],
    ["/steps/8/catch/0/steps/0", "do", "guarded/catch[0]/handle http", ["do guarded/catch[0]/handle http"]],
    ["/steps/8/catch/1/steps/0", "do", "guarded/catch[1]/handle any", ["do guarded/catch[1]/handle any"]],
    ["/steps/9", "compensate", "undo all", []],
    ["/steps/10", "fail", "stop", []],
    ["/steps/11", "workflow", "child", ["do child", "waitForEvent child/wait"]],
    ["/steps/12", "workflow", "fire and forget", ["do fire and forget"]],
  ] as const)("%s is a %s named %s", ([id, kind, path, steps]) => {
    const m = at(id);
    expect(m.kind).toBe(kind);
    expect(m.path.text).toBe(path);
    expect(m.steps.map((s) => `${s.api} ${s.template.text}`)).toEqual(steps);
  });

  it("gives every node exactly one identity, depth first in document order", () => {
    expect(model.nodes.length).toBe(model.byId.size);
    expect(model.nodes.slice(0, 3).map((m) => m.id)).toEqual(["/steps/0", "/steps/0/compensate/0", "/steps/1"]);
  });

  it.for([
    ["orders[{i}]/poll[{j}]/check", [3, 1], "orders[3]/poll[1]/check"],
    ["orders[{i}]/both/right/inner[{j}]/deep", [0, 12], "orders[0]/both/right/inner[12]/deep"],
    ["route/one", [], "route/one"],
  ] as const)("instantiates %s with %j as %s", ([text, indices, name]) => {
    const m = model.nodes.find((n) => n.path.text === text)!;
    expect(instantiate(m.path, indices)).toBe(name);
  });

  it("shortens names past the engine's limit with a stable hash, also inside loops", () => {
    const long = "n".repeat(100);
    const m = modelOf(def([{ foreach: long, in: "[1]", steps: [{ repeat: long, max: 2, until: "true", steps: [{ do: long, value: 1 }] }] }]));
    const leaf = m.nodes[2]!;
    const a = instantiate(leaf.path, [1, 2]);
    expect(a.length).toBeLessThanOrEqual(MAX_STEP_NAME_LENGTH);
    expect(instantiate(leaf.path, [1, 2])).toBe(a);
    expect(instantiate(leaf.path, [1, 3])).not.toBe(a);
  });

  it("types the edges: cases with their conditions, the default, loop bodies, branches, handlers with their errors, compensations", () => {
    expect(at("/steps/5").edges.map((e) => [e.edge, e.when ?? null])).toEqual([["case", "$x = 1"], ["case", "true"], ["default", null]]);
    expect(at("/steps/6").edges.map((e) => [e.edge, e.loop, e.scope, e.binds])).toEqual([["body", true, "isolated", ["item", "index"]]]);
    expect(at("/steps/6/steps/1").edges.map((e) => [e.edge, e.loop, e.scope, e.binds])).toEqual([["body", true, "shared", ["attempt"]]]);
    expect(at("/steps/7").edges.map((e) => [e.edge, e.label])).toEqual([["branch", "a"], ["branch", "b"]]);
    expect(at("/steps/8").edges.map((e) => [e.edge, e.errors ?? null])).toEqual([["sequence", null], ["catch", ["HttpError"]], ["catch", null]]);
    expect(at("/steps/0").edges.map((e) => [e.edge, e.binds])).toEqual([["compensation", ["result"]]]);
    expect(at("/steps/0").compensation).toBe(at("/steps/0").edges[0]!.list);
    expect(at("/steps/0/compensate/0").inCompensation).toBe(true);
    expect(at("/steps/0").inCompensation).toBe(false);
  });

  it("computes each durable node's step config once, omitting Cloudflare's defaults", () => {
    expect(at("/steps/0").configIsDefault).toBe(true);
    expect(at("/steps/1").config).toEqual({ retries: { limit: 2, delay: 1000, backoff: "exponential" }, timeout: 600_000 });
    expect(at("/steps/1").configIsDefault).toBe(false);
    expect(at("/steps/2").config).toBeUndefined();
  });

  it("is built once per definition object", () => {
    expect(modelOf(everyKind)).toBe(model);
  });

  it("records two nodes with one step name in different cases as a collision", () => {
    const m = modelOf(def([{ switch: "route", cases: [{ when: "true", steps: [{ do: "notify", value: 1 }] }], default: [{ do: "notify", value: 2 }] }]));
    expect(m.collisions.map((c) => [c.text, c.first.id, c.second.id])).toEqual([["route/notify", "/steps/0/cases/0/steps/0", "/steps/0/default/0"]]);
  });

  it("tolerates what the validator reports: items without one kind key, non-string names, a list inside itself", () => {
    const cyclic: unknown[] = [];
    cyclic.push({ switch: "loop", cases: [{ when: "true", steps: cyclic }] });
    const m = modelOf(def([{ nothing: 1 }, { do: 5 }, { do: "a", http: "b" }, "text", null, ...cyclic]));
    expect(m.nodes.map((n) => n.id)).toEqual(["/steps/5"]);
    expect(m.nodes[0]!.edges[0]!.list.nodes).toEqual([]);
  });
});

const host: Host = { env: {}, instanceId: "m", fetch: () => Promise.reject(new Error("no network in this test")), actions: ACTIONS };
const params = (d: Definition, input: unknown = {}): RunnableParams => ({ name: d.name, hash: "h", definition: d, input });

describe("the interpreter reads the model", () => {
  it.for([
    ["a parallel branch", def([{ parallel: "p", branches: { a: [{ do: "x", value: 1, as: "x" }] } }], { output: "{% $exists($x) %}" })],
    ["a foreach iteration", def([{ foreach: "f", in: "[1]", steps: [{ do: "x", value: 1, as: "x" }] }], { output: "{% $exists($x) %}" })],
    ["a compensation", def([{ do: "a", value: 1, compensate: [{ do: "x", value: 1, as: "x" }] }, { compensate: "now" }], { output: "{% $exists($x) %}" })],
  ] as const)("keeps the variables of %s to itself at run time", async ([, d]) => {
    const { outcome } = await runToEnd(params(d), "m", new JournalStep(() => undefined), host);
    expect(outcome).toEqual({ status: "complete", output: false });
  });

  it("lets switch cases, try and repeat write into the enclosing scope", async () => {
    const d = def(
      [
        { switch: "s", cases: [{ when: "true", steps: [{ do: "a", value: 1, as: "a" }] }] },
        { try: "t", steps: [{ do: "b", value: 2, as: "b" }], catch: [{ steps: [] }] },
        { repeat: "r", max: 2, until: "$attempt = 1", steps: [{ do: "c", value: "{% $attempt %}", as: "c" }] },
      ],
      { output: "{% [$a, $b, $c] %}" },
    );
    const { outcome } = await runToEnd(params(d), "m", new JournalStep(() => undefined), host);
    expect(outcome).toEqual({ status: "complete", output: [1, 2, 1] });
  });

  it("raises ExpressionError at the node's path when $secret names nothing, and never journals a secret", async () => {
    const d = def([{ foreach: "f", in: "[1]", steps: [{ do: "read", value: "{% $secret('MISSING') %}" }] }]);
    const step = new JournalStep(() => undefined);
    const { outcome } = await runToEnd(params(d), "m", step, { ...host, env: { PRESENT: "x" } });
    expect(outcome).toMatchObject({ status: "errored", error: { name: "ExpressionError", node: "f[0]/read" } });
    expect(JSON.stringify(outcome)).toMatch(/no secret or var of that name/);
    // Journaled as a final error (no retries), so a replay raises it again without re-running.
    expect(step.bodyRuns.get("do:f[0]/read#1")).toBe(1);
    expect(step.journal.size).toBe(1);
  });

  it.for([
    ["rendered by JSONata", "{% $pad('', 1100000, 'x') %}"],
    ["a literal", "x".repeat(1_100_000)],
  ] as const)("raises OutputTooLarge for a step result over 1 MiB %s, journaled so it is not re-run", async ([, value]) => {
    const d = def([{ do: "small", value: { a: [1, "two"] }, as: "small" }, { do: "big", value }]);
    const step = new JournalStep(() => undefined);
    const { outcome } = await runToEnd(params(d), "m", step, host);
    expect(outcome).toMatchObject({ status: "errored", error: { name: "OutputTooLarge", node: "big" } });
    expect(step.bodyRuns.get("do:big#1")).toBe(1);
    expect(JSON.parse(JSON.stringify([...step.journal.values()][0]))).toMatchObject({ value: { a: [1, "two"] } });
  });

  it("names every engine call by the node's template and loop indices", async () => {
    const d = def([{ foreach: "f", in: "[1, 2]", steps: [{ repeat: "r", max: 2, until: "$attempt = 1", steps: [{ do: "x", value: 1 }, { sleep: "s", for: "1s" }] }] }]);
    const step = new JournalStep(() => undefined);
    await runToEnd(params(d), "m", step, host);
    expect([...step.journal.keys()]).toEqual([
      "do:f[0]/r[0]/x#1", "sleep:f[0]/r[0]/s#1", "do:f[0]/r[1]/x#1", "sleep:f[0]/r[1]/s#1",
      "do:f[1]/r[0]/x#1", "sleep:f[1]/r[0]/s#1", "do:f[1]/r[1]/x#1", "sleep:f[1]/r[1]/s#1",
    ]);
  });
});

describe("http results and the response headers", () => {
  // Headers are read into the result only when it can show them; these must all see them.
  it.for([
    ["no result (the whole response)", undefined, { status: 200, headers: { "content-type": "application/json", "x-tag": "t1" }, body: { n: 1 } }],
    ["a header by path", "{% $response.headers.'x-tag' %}", "t1"],
    ["the whole response", "{% $response %}", { status: 200, headers: { "content-type": "application/json", "x-tag": "t1" }, body: { n: 1 } }],
    ["a function of the response", "{% $count($keys($response.headers)) %}", 2],
    ["an expression evaluated from a string", "{% $eval('$resp' & 'onse.headers.`x-tag`') %}", "t1"],
    ["the status, without headers", "{% $response.status %}", 200],
    ["the body, without headers", "{% $response.body.n %}", 1],
  ] as const)("%s", async ([, result, expected]) => {
    const d = def([{ http: "call", url: "https://api.example.com/x", ...(result === undefined ? {} : { result }), as: "r" }], { output: "{% $r %}" });
    const effects = (base: Effects): Effects => ({ ...base, fetch: async () => Response.json({ n: 1 }, { headers: { "X-Tag": "t1" } }) });
    const step = new JournalStep(() => undefined);
    step.beginRun();
    expect(await runInstance(params(d), "h", step, host, { effects })).toEqual(expected);
  });

  it("keeps the headers of a failed call for $error.response, whatever the result reads", async () => {
    const d = def([{ try: "t", steps: [{ http: "call", url: "https://api.example.com/x", result: "{% $response.status %}" }], catch: [{ steps: [{ set: "s", values: { tag: "{% $error.response.headers.'x-tag' %}" } }] }] }], { output: "{% $tag %}" });
    const effects = (base: Effects): Effects => ({ ...base, fetch: async () => Response.json({ no: 1 }, { status: 404, headers: { "X-Tag": "gone" } }) });
    const step = new JournalStep(() => undefined);
    step.beginRun();
    expect(await runInstance(params(d), "h", step, host, { effects })).toBe("gone");
  });
});

describe("the effects seam", () => {
  const d = validateDefinitionText(
    `name: seam
steps:
  - foreach: items
    in: "[1, 2]"
    steps:
      - http: call
        url: "https://api.example.com/items/{% $item %}"
        result: "{% $response.body.n * 10 %}"
  - do: relay
    action: circuit.call
    with: { service: s, url: "http://127.0.0.1:1/x" }
    retries: { limit: 0, delay: 1 second }
    as: relay
output: "{% $relay %}"
`,
    "seam.yaml",
  ).definition!;

  it("routes every fetch, step and action of a node through it, keyed by the node's identity", async () => {
    const seen: string[] = [];
    const mock = (base: Effects): Effects => ({
      ...base,
      do: (at, name, config, fn) => {
        seen.push(`do ${at?.node.id ?? "-"} ${name}`);
        return base.do(at, name, config, fn);
      },
      // The http node's call answered by the test, by node identity: no network is touched.
      fetch: async (at, url) => {
        seen.push(`fetch ${at.node.id} [${at.indices.join(",")}] ${url}`);
        return Response.json({ n: Number(url.split("/").pop()) });
      },
      action: async (at, name) => {
        seen.push(`action ${at.node.id} ${name}`);
        return { mocked: name };
      },
    });
    const step = new JournalStep(() => undefined);
    step.beginRun();
    const out = await runInstance(params(d), "seam", step, host, { effects: mock });
    expect(out).toEqual({ mocked: "circuit.call" });
    expect(step.journal.get("do:items[1]/call#1")).toEqual({ ok: true, value: 20 });
    expect(seen).toEqual([
      "do /steps/0/steps/0 items[0]/call",
      "fetch /steps/0/steps/0 [0] https://api.example.com/items/1",
      "do /steps/0/steps/0 items[1]/call",
      "fetch /steps/0/steps/0 [1] https://api.example.com/items/2",
      "do /steps/1 relay",
      "action /steps/1 circuit.call",
    ]);
  });

  it("gives actions the node's fetch with the http node's safety: a private host is refused, not called", async () => {
    const fetched: string[] = [];
    const kv = new Map<string, string>();
    const env = { KV: { get: async (k: string) => (kv.has(k) ? JSON.parse(kv.get(k)!) : null), put: async (k: string, v: string) => void kv.set(k, v), delete: async (k: string) => void kv.delete(k) } };
    const mock = (base: Effects): Effects => ({ ...base, fetch: async (_at, url) => (fetched.push(url), new Response("{}")) });
    const { outcome } = await runToEnd(params(d), "seam2", new JournalStep(() => undefined), { ...host, env }, undefined);
    expect(outcome.status).toBe("errored");
    // Without the seam's mock, the http node reached the host's fetch (which refuses here);
    // with it, the action still refuses 127.0.0.1 before any fetch.
    const step = new JournalStep(() => undefined);
    step.beginRun();
    await expect(runInstance(params(d), "seam3", step, { ...host, env }, { effects: mock })).rejects.toThrow(/circuit\.call: The host 127\.0\.0\.1 is not a public internet address/);
    expect(fetched).toEqual(["https://api.example.com/items/1", "https://api.example.com/items/2"]);
  });
});

describe("history mapped onto the model", () => {
  // Events shaped as the engine's subscribe() yields them (workers-types WorkflowInstanceEvent).
  const saga = def([
    { http: "charge", url: "https://pay.example.com", compensate: [{ http: "refund", url: "https://pay.example.com/refund" }] },
    { foreach: "items", in: "[1, 2]", steps: [{ sleep: "nap", for: "1s" }] },
  ]);
  let t = Date.UTC(2026, 10, 22);
  const ev = (type: string, extra: Record<string, unknown> = {}) => ({ instanceId: "i", eventId: 0, timestamp: (t += 1000), type, ...extra }) as never;

  it("sums states per node, marks a node compensated, hides sensitive outputs, and says what it waits for", async () => {
    const { buildHistory } = await import("../../src/api/history.js");
    const h = buildHistory(
      [
        ev("workflow_started", { params: { definition: saga } }),
        ev("step_started", { stepName: "charge-1", config: { sensitive: "output" } }),
        ev("attempt_started", { stepName: "charge-1", attempt: 1 }),
        ev("step_completed", { stepName: "charge-1", output: { card: "4242" } }),
        ev("sleep_started", { stepName: "items[0]/nap-1", durationMs: 1000 }),
        ev("sleep_completed", { stepName: "items[0]/nap-1" }),
        ev("sleep_started", { stepName: "items[1]/nap-1", durationMs: 60_000 }),
        ev("step_started", { stepName: "charge/compensate/refund-1" }),
        ev("step_completed", { stepName: "charge/compensate/refund-1", output: { refunded: true } }),
      ],
      undefined,
    );
    expect(h.nodes.map((n) => [n.path, n.step, n.state])).toEqual([
      ["/steps/0", "charge", "compensated"],
      ["/steps/1/steps/0", "items[0]/nap", "complete"],
      ["/steps/1/steps/0", "items[1]/nap", "sleeping"],
      ["/steps/0/compensate/0", "charge/compensate/refund", "complete"],
    ]);
    expect(h.events.find((e) => e.type === "step_completed" && e.step === "charge")).not.toHaveProperty("output");
    expect(h.events.find((e) => e.step === "charge/compensate/refund" && e.type === "step_completed")?.output).toEqual({ refunded: true });
    expect(h.waitingFor).toEqual({ until: new Date(t - 2000 + 60_000).toISOString(), since: new Date(t - 2000).toISOString() });
  });
});

describe("the picture of a definition", () => {
  const edgesOf = (d: Definition): string[] => {
    const g = graphOf(modelOf(d));
    return g.edges.map((e) => `${e.from} ${e.dashed ? "-.->" : "-->"} ${e.to}${e.label ? ` [${e.label}]` : ""}`);
  };

  it.for([
    ["a sequence", def([{ do: "a", value: 1 }, { do: "b", value: 2 }]), ["start --> /steps/0", "/steps/0 --> /steps/1", "/steps/1 --> end"]],
    [
      "a switch: each case with its condition, the default, all meeting after it",
      def([{ switch: "s", cases: [{ when: "$x", steps: [{ do: "a", value: 1 }] }], default: [{ do: "b", value: 1 }] }, { do: "after", value: 1 }]),
      ["start --> /steps/0", "/steps/0 --> /steps/0/cases/0/steps/0 [$x]", "/steps/0 --> /steps/0/default/0 [default]", "/steps/0/cases/0/steps/0 --> /steps/1", "/steps/0/default/0 --> /steps/1", "/steps/1 --> end"],
    ],
    [
      "a switch without default: an else edge",
      def([{ switch: "s", cases: [{ when: "$x", steps: [{ do: "a", value: 1 }] }] }]),
      ["start --> /steps/0", "/steps/0 --> /steps/0/cases/0/steps/0 [$x]", "/steps/0/cases/0/steps/0 --> end", "/steps/0 --> end [else]"],
    ],
    [
      "a loop: its body, the way back, done",
      def([{ foreach: "f", in: "[1]", steps: [{ do: "a", value: 1 }] }]),
      ["start --> /steps/0", "/steps/0 --> /steps/0/steps/0 [each]", "/steps/0/steps/0 --> /steps/0", "/steps/0 --> end [done]"],
    ],
    [
      "branches meeting at a join",
      def([{ parallel: "p", branches: { l: [{ do: "a", value: 1 }], r: [{ do: "b", value: 1 }] } }]),
      ["start --> /steps/0", "/steps/0 --> /steps/0/branches/l/0 [l]", "/steps/0/branches/l/0 --> /steps/0/join", "/steps/0 --> /steps/0/branches/r/0 [r]", "/steps/0/branches/r/0 --> /steps/0/join", "/steps/0/join --> end"],
    ],
    [
      "a try: handlers dashed with their errors",
      def([{ try: "t", steps: [{ do: "a", value: 1 }], catch: [{ errors: ["HttpError"], steps: [{ do: "h", value: 1 }] }] }]),
      ["start --> /steps/0", "/steps/0 --> /steps/0/steps/0", "/steps/0 -.-> /steps/0/catch/0/steps/0 [catch HttpError]", "/steps/0/steps/0 --> end", "/steps/0/catch/0/steps/0 --> end"],
    ],
    [
      "a compensation (dashed undo), a child workflow, and a fail that ends the flow",
      def([{ do: "a", value: 1, compensate: [{ do: "u", value: 0 }] }, { workflow: "c", definition: "other" }, { fail: "no", message: "x" }]),
      ["start --> /steps/0", "/steps/0 -.-> /steps/0/compensate/0 [undo]", "/steps/0 --> /steps/1", "/steps/1 -.-> workflow:other [start, wait]", "/steps/1 --> /steps/2"],
    ],
  ] as const)("draws %s", ([, d, expected]) => {
    expect(edgesOf(d)).toEqual(expected);
  });

  it("draws every model node once, under its path, in Mermaid, DOT and SVG", () => {
    const g = graphOf(model);
    const paths = g.nodes.filter((n) => n.path !== null).map((n) => n.path);
    expect(paths.sort()).toEqual(model.nodes.map((m) => m.id).sort());
    const mermaid = toMermaid(g);
    expect(mermaid.split("\n")[0]).toBe("flowchart TD");
    expect(mermaid.match(/^ {2}n\d+[[({>]/gm)).toHaveLength(g.nodes.length);
    expect(mermaid.match(/-->|-\.->/g)).toHaveLength(g.edges.length);
    const dot = toDot(g, "m");
    expect(dot).toMatch(/^digraph "m" \{/);
    expect(dot.match(/ -> /g)).toHaveLength(g.edges.length);
    const svg = toSvg(g);
    const drawn = [...svg.matchAll(/data-node="([^"]+)"/g)].map((m) => m[1]);
    for (const m of model.nodes) expect(drawn).toContain(m.id);
    expect(svg.match(/<g class="node"/g)).toHaveLength(g.nodes.length);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  });
});

describe("logs", () => {
  it("writes one structured JSON line per step attempt (instanceId, node, attempt, durationMs, outcome) and one at the end", async () => {
    const d = def([{ do: "act", action: "circuit.call", with: { service: "s", url: "https://x.example.com" }, retries: { limit: 1, delay: "1 second", backoff: "constant" } }]);
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => void lines.push(s);
    try {
      let calls = 0;
      const flaky = (base: Effects): Effects => ({ ...base, action: async () => (++calls === 1 ? Promise.reject(new Error("busy")) : { ok: true }) });
      const step = new JournalStep(() => undefined);
      step.beginRun();
      await runInstance(params(d), "log-1", step, host, { effects: flaky });
    } finally {
      console.log = log;
    }
    const json = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json).toEqual([
      expect.objectContaining({ message: "step attempt", instanceId: "log-1", node: "/steps/0", step: "act", attempt: 1, outcome: "retry", error: "busy", retryInMs: 1000, durationMs: expect.any(Number) }),
      expect.objectContaining({ message: "step attempt", attempt: 2, outcome: "ok" }),
      expect.objectContaining({ message: "instance ended", outcome: "complete", instanceId: "log-1" }),
    ]);
  });
});

describe("retries.maxDelay", () => {
  it("gives the engine a delay function that grows by the backoff up to the cap (and tells the engine constant)", async () => {
    const { stepConfig } = await import("../../src/interpreter/config.js");
    const c = stepConfig({ retries: { limit: 5, delay: "1 second", backoff: "exponential", maxDelay: "5 seconds" } }, undefined);
    expect(c.retries?.backoff).toBe("constant");
    const delay = c.retries!.delay as (i: { ctx: { attempt: number } }) => number;
    expect([1, 2, 3, 4, 5].map((attempt) => delay({ ctx: { attempt } }))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(stepConfig({ retries: { limit: 1, delay: "1 second" } }, undefined).retries?.delay).toBe(1000);
  });
});

describe("$callbackUrl", () => {
  it("fails the step with a message naming CALLBACK_SECRET when the Worker has none", async () => {
    const d = def([{ do: "make", value: "{% $callbackUrl('done') %}" }]);
    const { outcome } = await runToEnd(params(d), "cb", new JournalStep(() => undefined), { ...host, env: { PUBLIC_URL: "https://x.example.com" } });
    expect(outcome).toMatchObject({ status: "errored", error: { name: "ExpressionError", node: "make" } });
    expect(JSON.stringify(outcome)).toContain("CALLBACK_SECRET");
  });

  it("signs the instance, the event type and an expiry; any change to the token is refused", async () => {
    const { callbackUrl, verifyCallback } = await import("../../src/interpreter/callbacks.js");
    const env = { CALLBACK_SECRET: "0123456789abcdef0123", PUBLIC_URL: "https://x.example.com/" };
    const url = await callbackUrl(env, "inst-1", "go", "1 hour", 1_000_000);
    const token = url.slice("https://x.example.com/callbacks/".length);
    // The claim, and a nonce of its own: each URL made is a token of its own (delivered once).
    expect(await verifyCallback(env, token, 1_000_000)).toEqual({ i: "inst-1", t: "go", e: 1000 + 3600, n: expect.stringMatching(/^[\w-]{12}$/) });
    expect(await callbackUrl(env, "inst-1", "go", "1 hour", 1_000_000)).not.toBe(url);
    expect(await verifyCallback(env, token, 1_000_000 + 3601_000)).toBeUndefined();
    expect(await verifyCallback({ ...env, CALLBACK_SECRET: "another-secret-0123456" }, token, 1_000_000)).toBeUndefined();
    const [payload, sig] = token.split(".");
    const forged = btoa(JSON.stringify({ i: "inst-2", t: "go", e: 9_999_999_999 })).replace(/=+$/, "");
    expect(await verifyCallback(env, `${forged}.${sig}`, 1_000_000)).toBeUndefined();
    expect(await verifyCallback(env, `${payload}.${sig}x`, 1_000_000)).toBeUndefined();
  });
});

describe("log levels", () => {
  it("FLOWDSL_LOG=errors keeps retries, failures and ends; off keeps nothing", async () => {
    const { logAttempt, logEnd } = await import("../../src/interpreter/log.js");
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => void lines.push(s);
    try {
      const a = { instanceId: "i", node: "/steps/0", step: "s", attempt: 1, durationMs: 1 };
      for (const level of ["errors", "off"]) {
        logAttempt({ FLOWDSL_LOG: level }, { ...a, outcome: "ok" });
        logAttempt({ FLOWDSL_LOG: level }, { ...a, outcome: "retry", error: "busy", retryInMs: 10 });
        logEnd({ FLOWDSL_LOG: level }, { instanceId: "i", workflow: "w", outcome: "complete" });
      }
    } finally {
      console.log = log;
    }
    expect(lines.map((l) => (JSON.parse(l) as { outcome: string }).outcome)).toEqual(["retry", "complete"]);
  });
});

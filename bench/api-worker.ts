// The starts benchmark's Worker: flowdsl's own API, plus routes that start an instance with
// the definition's binding directly, the way hand-written code would (with the same params, and
// with or without an id of its own). Both are reached over HTTP from Node, one request per start.
import worker from "../src/index.js";
import type { Env } from "../src/env.js";
import type { InstanceParams } from "../src/interpreter/context.js";
import { DEFINITIONS } from "../src/generated/definitions.js";
import { recordRow } from "../src/api/registry.js";
import { lastFirstStep } from "./events.js";

export { DefinitionWorkflow } from "../src/entrypoint.js";

export default {
  async fetch(req: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    // A definition of `n` do steps on the workflow of earlier versions (FLOW), with its registry
    // row, so GET /instances/:id/history can be timed on a long instance.
    const long = /^\/bench\/long\/(\d+)$/.exec(new URL(req.url).pathname);
    if (long) {
      const n = Number(long[1]);
      const definition = { name: "long", steps: Array.from({ length: n }, (_, i) => ({ do: `s${i}`, value: i })) } as unknown as InstanceParams["definition"];
      const instance = await env.FLOW!.create({ params: { name: "long", hash: "bench", definition, input: {} } });
      await recordRow(env.DB, { id: instance.id, name: "long", hash: "bench", created: Date.now(), parent: null, binding: "FLOW" });
      return Response.json({ id: instance.id }, { status: 201 });
    }
    // A runaway instance (bench/fuel.ts): a tail loop far past the default fuel, in a step, with its registry row.
    if (new URL(req.url).pathname === "/bench/runaway") {
      const definition = { name: "runaway", steps: [{ do: "spin", value: "{% ($f := function($i){ $i < $input.n ? $f($i+1) : $i }; $f(0)) %}" }] } as unknown as InstanceParams["definition"];
      const instance = await env.FLOW!.create({ params: { name: "runaway", hash: "bench", definition, input: { n: 1e12 } } });
      await recordRow(env.DB, { id: instance.id, name: "runaway", hash: "bench", created: Date.now(), parent: null, binding: "FLOW" });
      return Response.json({ id: instance.id }, { status: 201 });
    }
    // When the last of a round's instances (POSTed ids) had completed its first step.
    const running = /^\/bench\/running\/([a-z0-9-]+)$/.exec(new URL(req.url).pathname);
    if (running) {
      const d = DEFINITIONS[running[1]!];
      if (!d) return new Response("no such definition", { status: 404 });
      return Response.json({ at: await lastFirstStep(env[d.binding] as Workflow, (await req.json()) as string[]) });
    }
    const own = /^\/bench\/own\/(api|api-no-registry|direct)$/.exec(new URL(req.url).pathname);
    if (own) return Response.json({ ms: await ownWork(own[1]!, env, ctx) });
    // The API with a D1 that answers at once (an experiment: the registry write's share of a start).
    if (new URL(req.url).pathname === "/bench/api-nodb/hello") {
      const statement = { bind: () => statement, run: async () => ({}), first: async () => null, all: async () => ({ results: [] }) };
      const instantDb = { prepare: () => statement, batch: async () => [] } as unknown as D1Database;
      return worker.fetch(new Request(new URL("/workflows/hello", req.url), req), { ...env, DB: instantDb }, ctx);
    }
    const m = /^\/bench\/direct(-id|-grouped)?\/([a-z0-9-]+)$/.exec(new URL(req.url).pathname);
    if (!m) return worker.fetch(req, env, ctx);
    const d = DEFINITIONS[m[2]!];
    if (!d) return new Response("no such definition", { status: 404 });
    const input = await req.json();
    if (m[1] === "-grouped") {
      const id = crypto.randomUUID();
      await groupedCreate(env[d.binding] as Workflow<InstanceParams>, id, { name: d.name, hash: d.hash, input } as InstanceParams);
      return Response.json({ id }, { status: 201 });
    }
    // /bench/direct-id/: with an id of the caller's, as the API passes one (the engine then checks that it is new).
    const instance = await (env[d.binding] as Workflow<InstanceParams>).create({ ...(m[1] ? { id: crypto.randomUUID() } : {}), params: { name: d.name, hash: d.hash, input } });
    return Response.json({ id: instance.id }, { status: 201 });
  },
};

interface Waiting {
  id: string;
  params: InstanceParams;
  done: (e?: unknown) => void;
}
const waiting = new Map<Workflow<InstanceParams>, Waiting[]>();
const leading = new Set<Workflow<InstanceParams>>();

/**
 * An experiment for the API (bench/notes.md, Starts): the creates this isolate makes at the
 * same moment, grouped into one createBatch while an earlier one is under way (group commit,
 * as the registry's rows are), each with an id of the caller's.
 */
async function groupedCreate(w: Workflow<InstanceParams>, id: string, params: InstanceParams): Promise<void> {
  const queue = waiting.get(w) ?? [];
  waiting.set(w, queue);
  const mine = new Promise<void>((resolve, reject) => queue.push({ id, params, done: (e) => (e === undefined ? resolve() : reject(e instanceof Error ? e : new Error(String(e)))) }));
  if (leading.has(w)) return mine;
  leading.add(w);
  try {
    while (queue.length > 0) {
      const batch = queue.splice(0, 100);
      try {
        const r = await w.createBatch({ instances: batch.map((b) => ({ id: b.id, params: b.params })) });
        const failed = new Map(r.errors.map((e) => [e.id, e.message]));
        for (const b of batch) b.done(failed.has(b.id) ? new Error(failed.get(b.id)) : undefined);
      } catch (e) {
        for (const b of batch) b.done(e);
      }
    }
  } finally {
    leading.delete(w);
  }
  return mine;
}

/**
 * A start's own work in this isolate, the engine's create answered at once: flowdsl's API
 * (routing, the token, the body, the input schema, the registry row in D1), the same without
 * the registry (a D1 that answers at once), or what hand-written code does (read the body,
 * create). Milliseconds per start, 300 starts with IN_FLIGHT at a time (as the throughput
 * rounds run them, so the registry's group commit groups rows as it does there), after 50.
 */
const IN_FLIGHT = 20;
async function ownWork(kind: string, env: Env, ctx: ExecutionContext): Promise<number> {
  const d = DEFINITIONS.hello!;
  const engine = { create: async (o: { id?: string }) => ({ id: o.id ?? crypto.randomUUID() }) };
  const statement = { bind: () => statement, run: async () => ({}), first: async () => null, all: async () => ({ results: [] }) };
  const instantDb = { prepare: () => statement, batch: async () => [] } as unknown as D1Database;
  const e = { ...env, DB: kind === "api-no-registry" ? instantDb : env.DB, [d.binding]: engine } as Env;
  const once = async (i: number): Promise<void> => {
    const req = new Request("http://bench/workflows/hello", { method: "POST", headers: { authorization: `Bearer ${env.API_TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ name: `n${i}` }) });
    if (kind === "direct") {
      const input = await req.json();
      const instance = await engine.create({ params: { name: d.name, hash: d.hash, input } } as never);
      Response.json({ id: instance.id }, { status: 201 });
      return;
    }
    const res = await worker.fetch(req, e, ctx);
    if (res.status !== 201) throw new Error(`the API answered ${res.status}: ${await res.text()}`);
  };
  const many = async (n: number): Promise<void> => {
    let next = 0;
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < n) await once(next++);
    }));
  };
  await many(50);
  const n = 300;
  const t0 = performance.now();
  await many(n);
  return (performance.now() - t0) / n;
}

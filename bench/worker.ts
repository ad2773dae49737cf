// The benchmark Worker: the interpreter and the hand-written Workflows side by side on one
// local engine; the bench script starts instances and polls them over HTTP.
import { DefinitionWorkflow } from "../src/entrypoint.js";
import type { DefinitionTable } from "../src/definition/pinned.js";
import { HandForeach, HandHttp, HandOne, HandSequential } from "./hand-written.js";
import { BENCH_DEFINITIONS } from "./definitions.js";
import { readEvents } from "../src/api/history.js";
import { JournalStep } from "../test/replay-harness.js";
import { runInstance } from "../src/interpreter/run.js";
import { ACTIONS } from "../src/actions/index.js";

/** The interpreter with the bench's definitions built in, found by name and hash as in production. */
export class BenchDefinitionWorkflow extends DefinitionWorkflow {
  protected override definitions(): DefinitionTable {
    return BENCH_DEFINITIONS;
  }
}

export { HandForeach, HandHttp, HandOne, HandSequential };

type Flows = Record<"FLOW_SEQ" | "FLOW_FOREACH" | "FLOW_HTTP" | "HAND_SEQ" | "HAND_FOREACH" | "HAND_HTTP" | "HAND_SEQ_B" | "FLOW_ONE" | "HAND_ONE", Workflow>;

/**
 * The interpreter's own work in this isolate, without the engine: a case's definition run on
 * the replay harness's journaling step, its http calls answered at once. Milliseconds per
 * instance, the model and expressions already warm (as in a running Worker).
 */
async function ownWork(name: keyof typeof BENCH_DEFINITIONS, input: unknown): Promise<number> {
  const ok = new Response("ok");
  const host = { env: { FLOWDSL_LOG: "off", ALLOW_PRIVATE_HOSTS: "true" }, instanceId: "own", fetch: async () => ok.clone(), actions: ACTIONS };
  const d = BENCH_DEFINITIONS[name];
  const once = async (): Promise<void> => {
    const step = new JournalStep(() => undefined, { clone: true });
    step.beginRun();
    await runInstance({ name, hash: d.hash, definition: d.definition, input }, "own", step as never, host as never);
  };
  for (let i = 0; i < 20; i++) await once();
  const n = 100;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await once();
  return (performance.now() - t0) / n;
}

export default {
  async fetch(req: Request, env: Flows): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/bench/own") {
      const base = url.searchParams.get("base") ?? "http://127.0.0.1:1/bench";
      return Response.json({
        a: await ownWork("bench-seq", {}),
        b: await ownWork("bench-foreach", { items: Array.from({ length: 500 }, (_, i) => i) }),
        c: await ownWork("bench-http", { base }),
      });
    }
    const m = /^\/bench\/(start|status|duration|wait)\/(\w+)(?:\/(.+))?$/.exec(url.pathname);
    if (!m) return new Response("not found", { status: 404 });
    const binding = env[m[2] as keyof Flows];
    if (!binding) return new Response("no such workflow", { status: 404 });
    if (m[1] === "start") {
      const params = await req.json();
      const instance = await binding.create({ params });
      return Response.json({ id: instance.id });
    }
    if (m[1] === "wait") {
      // Told of each event as the engine records it (no polling, which would re-read every log
      // in this isolate while the instance runs); answers with the engine's first-to-last time.
      const sub = await (await binding.get(m[3]!)).subscribe();
      const times: number[] = [];
      let end = "";
      try {
        for (;;) {
          const next = await sub.next();
          if (next.done) break;
          const e = next.value as { type: string; timestamp: number };
          times.push(e.timestamp);
          if (e.type === "workflow_completed" || e.type === "workflow_errored" || e.type === "workflow_terminated") {
            end = e.type;
            break;
          }
        }
      } finally {
        sub[Symbol.dispose]();
      }
      return Response.json({ end, ms: Math.max(...times) - Math.min(...times) });
    }
    if (m[1] === "duration") {
      // The engine's own clock: from the instance's first event to its last (no polling in it).
      const events = await readEvents(await binding.get(m[3]!));
      const times = events.map((e) => e.timestamp);
      return Response.json({ ms: Math.max(...times) - Math.min(...times), events: events.length });
    }
    const s = await (await binding.get(m[3]!)).status();
    return Response.json({ status: s.status, output: s.output ?? null, error: s.error ?? null });
  },
};

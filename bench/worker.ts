// The benchmark Worker: the interpreter and the hand-written Workflows side by side on one
// local engine; the bench script starts instances and waits for them over HTTP.
import { WorkflowEntrypoint } from "cloudflare:workers";
import { DefinitionWorkflow } from "../src/entrypoint.js";
import type { WorkflowEvent, WorkflowStep, WorkflowStepConfig } from "cloudflare:workers";
import type { DefinitionTable } from "../src/definition/pinned.js";
import { HandForeach, HandHttp, HandOne, HandSequential } from "./hand-written.js";
import { BENCH_DEFINITIONS } from "./definitions.js";
import { readEvents } from "../src/api/history.js";
import { JournalStep } from "../test/replay-harness.js";
import { firstEvent } from "./events.js";

/** The interpreter with the bench's definitions built in, found by name and hash as in production. */
export class BenchDefinitionWorkflow extends DefinitionWorkflow {
  protected override definitions(): DefinitionTable {
    return BENCH_DEFINITIONS;
  }
}

export { HandForeach, HandHttp, HandOne, HandSequential };

type RunFn = (event: unknown, step: unknown) => Promise<unknown>;
/**
 * Both kinds of a case on one workflow: the local engine gives every workflow an isolate of its
 * own, whose speed is its own (the A/A control, one class on two workflows, has measured 0.95 to
 * 1.04), so the engine cases run each kind on the same workflow. The class runs the hand-written
 * code when its params say `hand: true` and the interpreter otherwise, the way one class may
 * back many workflows (`event.workflowName`); the choice is one property read for either kind.
 */
function both(Hand: { prototype: { run: RunFn } }) {
  return class extends BenchDefinitionWorkflow {
    override run(event: Parameters<BenchDefinitionWorkflow["run"]>[0], step: WorkflowStep): Promise<unknown> {
      return (event.payload as { hand?: boolean }).hand ? Hand.prototype.run.call(this, event, step) : super.run(event, step);
    }
  };
}
export const BothSequential = both(HandSequential as never);
export const BothForeach = both(HandForeach as never);
export const BothHttp = both(HandHttp as never);
export { HandBody, HandLayers } from "./variants.js";

type Flows = Record<"BOTH_SEQ" | "BOTH_FOREACH" | "BOTH_HTTP" | "FLOW_SEQ" | "FLOW_FOREACH" | "FLOW_HTTP" | "HAND_SEQ" | "HAND_FOREACH" | "HAND_HTTP" | "HAND_SEQ_B" | "FLOW_ONE" | "HAND_ONE" | "FLOW_SEQC50" | "FLOW_SEQC10" | "HAND_BODY" | "HAND_LAYERS" | "FLOW_MIX" | "HAND_MIX" | "HAND_MIX_AWAIT" | "HAND_MIX_BODY" | "HAND_MIX_JSON" | "HAND_MIX_CTX" | "FLOW_MIX2" | "HAND_MIX2" | "FLOW_MIXH" | "HAND_MIXH" | "HAND_MIXH_INIT" | "HAND_MIXH_URL" | "HAND_MIX_SPIN" | "HAND_MIXH_RES", Workflow>;

type Case = "a" | "b" | "c";

const HAND: Record<Case, new (ctx: ExecutionContext, env: unknown) => { run(event: unknown, step: unknown): Promise<unknown> }> = {
  a: HandSequential as never,
  b: HandForeach as never,
  c: HandHttp as never,
};

/**
 * What one kind costs in this isolate when the engine is taken away: the Workflow class the
 * engine runs (the interpreter's entrypoint, or the hand-written class, constructed as the
 * runtime does) called `n` times with the params it gets on the engine (the request's body) on
 * the replay harness's journaling step,
 * which copies every result as the engine's serialization would. Fetches are answered in the
 * isolate at once (both kinds call the global fetch). The engine's own share is the same for
 * both kinds (the bench checks that they ask it for the same), so interpreted − hand-written is
 * all the interpreter adds to an instance. Milliseconds per instance on the isolate's clock;
 * the bench also reads workerd's CPU time around the request.
 */
async function isolateWork(c: Case, kind: "interp" | "hand", n: number, payload: unknown, ctx: ExecutionContext, env: unknown): Promise<number> {
  const wf = kind === "interp" ? (new BenchDefinitionWorkflow(ctx, env as never) as unknown as { run(event: unknown, step: unknown): Promise<unknown> }) : new HAND[c](ctx, env);
  const realFetch = globalThis.fetch;
  const ok = new Response("ok");
  globalThis.fetch = async () => ok.clone();
  try {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const step = new JournalStep(() => undefined, { clone: true });
      step.beginRun();
      await wf.run({ payload, timestamp: new Date(), instanceId: "own", workflowName: "bench" }, step);
    }
    return (performance.now() - t0) / n;
  } finally {
    globalThis.fetch = realFetch;
  }
}

export default {
  async fetch(req: Request, env: Flows, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/bench/own") {
      const c = (url.searchParams.get("case") ?? "a") as Case;
      const kind = url.searchParams.get("kind") === "hand" ? "hand" : "interp";
      return Response.json({ ms: await isolateWork(c, kind, Number(url.searchParams.get("n") ?? 20), await req.json(), ctx, env) });
    }
    const m = /^\/bench\/(start|status|wait|events)\/(\w+)(?:\/(.+))?$/.exec(url.pathname);
    if (!m) return new Response("not found", { status: 404 });
    const binding = env[m[2] as keyof Flows];
    if (!binding) return new Response("no such workflow", { status: 404 });
    if (m[1] === "start") {
      const params = await req.json();
      const instance = await binding.create({ params });
      return Response.json({ id: instance.id });
    }
    if (m[1] === "wait") {
      // Only the terminal event crosses to this Worker while the instance runs (a subscription
      // told of every event makes one RPC into the instance per event, and status polling
      // re-reads all its logs); its first event is read once it has ended. The time is the
      // engine's own, from the instance's first event to its last.
      const handle = await binding.get(m[3]!);
      const last = await firstEvent(handle, { filter: ["workflow_completed", "workflow_errored", "workflow_terminated"] });
      const first = await firstEvent(handle);
      return Response.json({ end: last?.type ?? "", ms: (last?.timestamp ?? 0) - (first?.timestamp ?? 0) });
    }
    if (m[1] === "events") {
      // The whole history, for checking that both kinds ask the engine for the same.
      return Response.json(await readEvents(await binding.get(m[3]!)));
    }
    const s = await (await binding.get(m[3]!)).status();
    return Response.json({ status: s.status, output: s.output ?? null, error: s.error ?? null });
  },
};

/**
 * The interpreter with every even-numbered step's closure swapped for a hand-written one
 * returning the same value (constant-step definitions only): the two closures then run in the
 * same instance, step after step, at the same machine speed (bench/_gaps.ts).
 */
export class BenchMixWorkflow extends BenchDefinitionWorkflow {
  override async run(event: Readonly<WorkflowEvent<never>>, step: WorkflowStep): Promise<unknown> {
    const mixed = {
      do(name: string, a: unknown, b?: unknown): Promise<unknown> {
        const i = Number(name.slice(1));
        if (i % 2 === 0) return step.do(name, async () => ({ i, sum: i }));
        return b === undefined ? step.do(name, a as () => Promise<{ i: number }>) : step.do(name, a as WorkflowStepConfig, b as () => Promise<{ i: number }>);
      },
    };
    return super.run(event as never, mixed as unknown as WorkflowStep);
  }
}

/**
 * The interpreter, each of its steps followed by a plain step issued right here: the gap before
 * an `x` step is the step call alone, the gap before the next `d` step adds the interpreter's way
 * back through its loop to the next call (bench/_gaps.ts).
 */
export class BenchMix2Workflow extends BenchDefinitionWorkflow {
  override async run(event: Readonly<WorkflowEvent<never>>, step: WorkflowStep): Promise<unknown> {
    const mixed = {
      async do(name: string, a: unknown, b?: unknown): Promise<unknown> {
        const r = await (b === undefined ? step.do(name, a as () => Promise<{ i: number }>) : step.do(name, a as WorkflowStepConfig, b as () => Promise<{ i: number }>));
        await step.do(`x${name}`, async () => ({ ok: 1 }));
        return r;
      },
    };
    return super.run(event as never, mixed as unknown as WorkflowStep);
  }
}
/** Its hand-written control: the same pairs of steps from a plain loop. */
export class HandMix2 extends WorkflowEntrypoint<Record<string, unknown>, { count?: number }> {
  override async run(event: Readonly<WorkflowEvent<{ count?: number }>>, step: WorkflowStep): Promise<unknown> {
    const n = event.payload.count ?? 50;
    for (let i = 0; i < n; i++) {
      await step.do(`d${i}`, async () => ({ i, sum: i }));
      await step.do(`xd${i}`, async () => ({ ok: 1 }));
    }
    return { acc: 1 };
  }
}

/** Hand-written 50 steps, the odd ones with a variant closure (`odd`), the even ones plain. */
function handMix(odd: (i: number, sum: number, env: Record<string, unknown>) => (ctx?: { attempt?: number }) => Promise<{ i: number; sum: number }>) {
  return class extends WorkflowEntrypoint<Record<string, unknown>, { count?: number }> {
    override async run(event: Readonly<WorkflowEvent<{ count?: number }>>, step: WorkflowStep): Promise<unknown> {
      const n = event.payload.count ?? 50;
      for (let i = 0; i < n; i++) await step.do(`d${i}`, i % 2 === 0 ? async () => ({ i, sum: i }) : odd(i, i, this.env));
      return { acc: 1 };
    }
  };
}
/** The step-level A/A control: even and odd steps with the same plain closure. */
export const HandMix = handMix((i, sum) => async () => ({ i, sum }));
/** Odd steps await once before returning. */
export const HandMixAwait = handMix((i, sum) => async () => {
  await null;
  return { i, sum };
});
/** Odd steps do durableStep's body pieces around the value (attempt, Date.now, env read), with or without the JSON round trip. */
const bodyPieces = (json: boolean) =>
  handMix((i, sum, env) => {
    let attempts = 0;
    return async (sctx) => {
      attempts++;
      const attempt = sctx?.attempt ?? attempts;
      const t0 = Date.now();
      const r = json ? (JSON.parse(JSON.stringify({ i, sum })) as { i: number; sum: number }) : { i, sum };
      if (env.FLOWDSL_LOG !== "off") console.log(attempt, t0);
      return r;
    };
  });
export const HandMixBody = bodyPieces(true);
/**
 * Odd steps do a fixed piece of JavaScript first (eight small objects through JSON: ~8 µs a call
 * run back to back in Node, ~40 µs once every 2 ms): what plain JS costs between engine calls.
 */
export const HandMixSpin = handMix((i, sum) => async () => {
  const a: Array<{ k: number; s: string }> = [];
  for (let k = 0; k < 8; k++) a.push({ k, s: `x${k}${i}` });
  const n = (JSON.parse(JSON.stringify(a)) as unknown[]).length;
  return { i, sum: sum + n - n };
});
/** Odd steps only copy their result through JSON (plainResult's round trip). */
export const HandMixJson = handMix((i, sum) => async () => JSON.parse(JSON.stringify({ i, sum })) as { i: number; sum: number });
/** The same without the JSON round trip. */
export const HandMixCtx = bodyPieces(false);

/** The hand-written http step of case (c). */
const handCall = (base: string, i: number) => async (): Promise<number> => {
  const res = await fetch(`${base}/ping?i=${i}`);
  await res.text();
  if (res.status >= 500) throw new Error(`answered ${res.status}`);
  return res.status;
};

/**
 * Case (c) with every even-numbered call's closure swapped for the hand-written one (same step
 * name, same result): the interpreter's http step against the hand-written one, in one instance.
 */
export class BenchMixHttpWorkflow extends BenchDefinitionWorkflow {
  override async run(event: Readonly<WorkflowEvent<never>>, step: WorkflowStep): Promise<unknown> {
    const base = (event.payload as { input: { base: string } }).input.base;
    const mixed = {
      do(name: string, a: unknown, b?: unknown): Promise<unknown> {
        const i = Number(name.slice(1));
        if (i % 2 === 0) return step.do(name, handCall(base, i));
        return b === undefined ? step.do(name, a as () => Promise<number>) : step.do(name, a as WorkflowStepConfig, b as () => Promise<number>);
      },
    };
    return super.run(event as never, mixed as unknown as WorkflowStep);
  }
}
/** Hand-written (c), the odd calls' closure given by `odd` (bench/step-gaps.ts compares them with the even ones). */
function handMixHttp(odd: (base: string, i: number) => () => Promise<number>) {
  return class extends WorkflowEntrypoint<Record<string, unknown>, { base: string; count?: number }> {
    override async run(event: Readonly<WorkflowEvent<{ base: string; count?: number }>>, step: WorkflowStep): Promise<unknown> {
      const n = event.payload.count ?? 50;
      for (let i = 0; i < n; i++) await step.do(`h${i}`, (i % 2 === 1 ? odd : handCall)(event.payload.base, i));
      return n;
    }
  };
}
/** Its control: the same closure on odd and even calls. */
export const HandMixHttp = handMixHttp(handCall);
/** Odd calls fetch with the interpreter's init (method, an empty Headers, no body, manual redirects). */
export const HandMixHttpInit = handMixHttp((base, i) => async () => {
  const res = await fetch(`${base}/ping?i=${i}`, { method: "GET", headers: new Headers(), body: undefined, redirect: "manual" });
  await res.text();
  if (res.status >= 500) throw new Error(`answered ${res.status}`);
  return res.status;
});
/** Odd calls read the answer as the interpreter does (Location, Content-Type, the body parsed as JSON, a response object). */
export const HandMixHttpRes = handMixHttp((base, i) => async () => {
  const res = await fetch(`${base}/ping?i=${i}`);
  if (res.headers.get("location") && res.status >= 300 && res.status < 400) throw new Error("redirected");
  const type = res.headers.get("content-type") ?? "";
  if (type !== "" && !/^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded|yaml))/i.test(type)) throw new Error("binary");
  const text = await res.text();
  let body: unknown = text;
  if (type.includes("json") || /^\s*[[{]/.test(text)) body = JSON.parse(text) as unknown;
  const response = { status: res.status, headers: {}, body };
  if (response.status >= 500) throw new Error(`answered ${res.status}`);
  return response.status;
});
/** Odd calls build the URL as the interpreter does (a URL object, the query appended, then a string). */
export const HandMixHttpUrl = handMixHttp((base, i) => async () => {
  const url = new URL(`${base}/ping`);
  url.searchParams.append("i", String(i));
  const res = await fetch(url.toString());
  await res.text();
  if (res.status >= 500) throw new Error(`answered ${res.status}`);
  return res.status;
});

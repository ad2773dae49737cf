// The Worker `flowdsl test` runs on the local engine (docs/testing.md). It is not part of the
// deployed Worker: one workflow (FLOWDSL_TEST) runs every case's definition, pinned in the
// params as usual, through the interpreter with the case's effects (src/testing/effects.ts).
// The runner in Node sends a case to POST /run and gets back the outcome and the trace.
import { WorkflowEntrypoint } from "cloudflare:workers";
import type { WorkflowEvent, WorkflowStep } from "cloudflare:workers";
import type { RunnableParams, StepLike } from "../interpreter/context.js";
import { runInstance } from "../interpreter/run.js";
import { ACTIONS } from "../actions/index.js";
import { decodeErrorMessage } from "../interpreter/errors.js";
import type { ErrorInfo } from "../interpreter/errors.js";
import { emptyTrace, testEffects } from "./effects.js";
import type { TestPlan, Trace } from "./effects.js";

// Only handlers and classes may be exported from a Worker module: constants stay local.
const TEST_BINDING = "FLOWDSL_TEST";
export type TestParams = RunnableParams & { test: TestPlan };

/** Traces by instance id: the workflow runs in this isolate, beside the fetch handler. */
const traces = new Map<string, Trace>();
const traceOf = (id: string): Trace => {
  let t = traces.get(id);
  if (!t) {
    t = emptyTrace();
    traces.set(id, t);
  }
  return t;
};

export class TestWorkflow extends WorkflowEntrypoint<Record<string, unknown>, TestParams> {
  override async run(event: Readonly<WorkflowEvent<TestParams>>, step: WorkflowStep): Promise<unknown> {
    const id = event.instanceId;
    const trace = traceOf(id);
    trace.runs++;
    const ran = new Set(trace.ran);
    const plan = event.payload.test;
    const start = event.timestamp.getTime();
    return runInstance(
      event.payload,
      id,
      step as unknown as StepLike,
      {
        env: this.env,
        instanceId: id,
        sendSelf: async (type, payload) => (await (this.env as Env)[TEST_BINDING].get(id)).sendEvent({ type, payload }),
        // Never reached: the case's effects answer every request from its mocks.
        fetch: () => Promise.reject(new Error("flowdsl test: no network")),
        actions: ACTIONS,
        children: {
          // Children are mocked (an unmocked one fails the case before its step runs).
          lookup: (name) => ({ definition: { name, steps: [{ do: "mocked child", value: null }] }, hash: "mock" }),
          create: async () => {},
          notify: async () => {},
          parentRef: () => ({ id, binding: TEST_BINDING }),
        },
      },
      {
        effects: (base) => testEffects(base, plan, trace, start),
        onNode: (m) => {
          if (ran.has(m.id)) return;
          ran.add(m.id);
          trace.ran.push(m.id);
        },
      },
    );
  }
}

export interface CaseResult {
  status: "complete" | "errored" | "terminated" | "timeout";
  output?: unknown;
  error?: ErrorInfo;
  trace: Trace;
}

type Env = Record<string, unknown> & { [TEST_BINDING]: Workflow<TestParams> };
const FINAL = new Set(["complete", "errored", "terminated"]);

async function settle(env: Env, id: string, timeoutMs: number): Promise<CaseResult> {
  const handle = await env[TEST_BINDING].get(id);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await handle.status();
    if (FINAL.has(s.status)) {
      const message = s.error?.message ?? "";
      const error = s.status === "errored" ? (decodeErrorMessage(message) ?? { name: s.error?.name ?? "Error", message, node: "" }) : undefined;
      return { status: s.status as CaseResult["status"], ...(s.status === "complete" ? { output: s.output ?? null } : {}), ...(error ? { error } : {}), trace: traceOf(id) };
    }
    if (Date.now() > deadline) {
      await handle.terminate().catch(() => {});
      return { status: "timeout", trace: traceOf(id) };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const path = new URL(req.url).pathname;
    if (req.method !== "POST") return new Response("POST /run or /restart", { status: 405 });
    const body = (await req.json()) as { id: string; params?: TestParams; timeoutMs: number; from?: { name: string; count: number; type: "do" | "sleep" | "waitForEvent" }; events?: Array<{ type: string; payload: unknown }>; kept?: string[] };
    if (path === "/run" && body.params) {
      traces.set(body.id, emptyTrace());
      await env[TEST_BINDING].create({ id: body.id, params: body.params });
      return Response.json(await settle(env, body.id, body.timeoutMs));
    }
    if (path === "/restart" && body.from) {
      // A crash after every step before `from`: the engine keeps their results and replays.
      const t = traceOf(body.id);
      t.bodyRuns = {};
      // Steps from `from` on run again and take their answers again.
      const kept = new Set(body.kept ?? []);
      t.answers = t.answers.filter((a) => kept.has(a.key));
      const runs = t.runs;
      const handle = await env[TEST_BINDING].get(body.id);
      await handle.restart({ from: body.from });
      // The status reads the old outcome until the replay begins.
      const deadline = Date.now() + body.timeoutMs;
      while (t.runs === runs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      // Events the waits from here on took were spent; they come again, as after a real crash
      // they would still be waiting to be delivered.
      for (const e of body.events ?? []) await handle.sendEvent(e);
      return Response.json(await settle(env, body.id, body.timeoutMs));
    }
    return new Response("not found", { status: 404 });
  },
};

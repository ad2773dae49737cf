// What `flowdsl test` puts between a definition and the outside world (docs/testing.md): the
// case's mocks and events, plugged into the interpreter's effects seam, and test time.
// The same code runs inside the test Worker on the local engine; node code never knows.
//
// Test time: sleeps, event arrivals and wait timeouts are timers on a virtual clock. A timer
// fires only when nothing else can happen (no step, fetch or action in flight), earliest
// first, so a race between `sleep: 3 days` and an event that arrives at once is won by the
// event, and a wait with no event times out "at once" only when nothing else is due before.
import type { Effects, NodeRef } from "../interpreter/effects.js";
import { FlowError } from "../interpreter/errors.js";
import { instantiate } from "../model/steps.js";
import type { Answer } from "../generated/test.js";

export type { Answer };

/** A case, resolved against the definition's model: mocks by node id (JSON pointer). */
export interface TestPlan {
  mocks: Record<string, Answer[]>;
  events: Array<{ type: string; payload: unknown; afterMs: number }>;
}

/** What one instance did, collected across its replays. */
export interface Trace {
  /** Node ids that were reached (their `if` held). */
  ran: string[];
  /** Step-body runs per node id. */
  calls: Record<string, number>;
  /** Calls that had no mock: `{ node, what }`. */
  unmocked: Array<{ node: string; what: string }>;
  /** Every engine step in the order first asked for: name, occurrence, API. */
  steps: Array<{ name: string; count: number; type: "do" | "sleep" | "waitForEvent" }>;
  /** Step-body runs per step key (`name#count`), for the replay check. */
  bodyRuns: Record<string, number>;
  /** Which event each wait took: step key → index into the plan's events. */
  waits: Record<string, number>;
  /** How many times run() began (the first run and each replay after a restart). */
  runs: number;
  /** Every mock answer taken, in order: by which node, in which step (`name#count`). */
  answers: Array<{ node: string; key: string }>;
}

export const emptyTrace = (): Trace => ({ ran: [], calls: {}, unmocked: [], steps: [], bodyRuns: {}, waits: {}, runs: 0, answers: [] });

/** Virtual time for one run(): timers fire earliest first, only when nothing is in flight. */
export class TestClock {
  now = 0;
  private timers: Array<{ at: number; seq: number; fire: () => void }> = [];
  private seq = 0;
  private inFlight = 0;
  private armed = false;

  /** Resolves when test time reaches `at` (ms from the run's start). */
  until(at: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at, seq: this.seq++, fire: resolve });
      this.arm();
    });
  }

  after(ms: number): Promise<void> {
    return this.until(this.now + ms);
  }

  /** Marks `p` as work in flight: no timer fires until it settles. */
  async busy<T>(p: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await p();
    } finally {
      this.inFlight--;
      this.arm();
    }
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    // A macrotask: every continuation already queued (JSONata, node code) runs first.
    setTimeout(() => {
      this.armed = false;
      if (this.inFlight > 0 || this.timers.length === 0) return;
      let first = 0;
      for (let i = 1; i < this.timers.length; i++) {
        const t = this.timers[i]!;
        const f = this.timers[first]!;
        if (t.at < f.at || (t.at === f.at && t.seq < f.seq)) first = i;
      }
      const [t] = this.timers.splice(first, 1);
      this.now = Math.max(this.now, t!.at);
      t!.fire();
      this.arm();
    }, 0);
  }
}

const unmocked = (at: NodeRef, what: string, trace: Trace): FlowError => {
  const node = instantiate(at.node.path, at.indices);
  trace.unmocked.push({ node, what });
  return new FlowError({ name: "UNMOCKED_CALL", node, message: `${what} has no mock in this case; tests never reach the network. Add \`${at.node.name}:\` under the case's \`mocks:\`.` });
};

const answerAt = (answers: readonly Answer[], i: number): Answer => answers[Math.min(i, answers.length - 1)]!;

function errorOf(a: Answer): { name?: string; message: string; retryable: boolean } | undefined {
  if (a.error === undefined) return undefined;
  if (typeof a.error === "string") return { message: a.error, retryable: false };
  return { ...(a.error.name !== undefined ? { name: a.error.name } : {}), message: a.error.message ?? "mocked failure", retryable: a.error.retryable ?? false };
}

/** An http answer as the Response a server would give. */
function responseOf(a: Answer): Response {
  const headers = new Headers();
  for (const [k, v] of Object.entries(a.headers ?? {})) if (v !== undefined) headers.set(k, v);
  let body: string | null = null;
  if (a.body !== undefined && a.body !== null) {
    if (typeof a.body === "string") body = a.body;
    else {
      body = JSON.stringify(a.body);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
  }
  const status = a.status ?? 200;
  return new Response(status === 204 || status === 304 ? null : body, { status, headers });
}

/**
 * The case's effects over the engine's: mocks answer http, actions and children; events and
 * timeouts follow test time; every step body is counted. One per run() (replays start over).
 */
export function testEffects(base: Effects, plan: TestPlan, trace: Trace, start: number): Effects {
  const clock = new TestClock();
  const occurrences = new Map<string, number>();
  /** Events that arrived and no wait took yet, by type (indices into the plan's events). */
  const arrived = new Map<string, number[]>();
  /** Waits that began and have no event yet, by type, oldest first. */
  const waiters = new Map<string, Array<{ resolve: (i: number) => void; done: boolean }>>();
  /** Which event each wait (by step name) took: a race's loser may hand it back. */
  const taken = new Map<string, { type: string; index: number }>();
  const arrive = (type: string, index: number): void => {
    const w = waiters.get(type)?.find((x) => !x.done);
    if (w) {
      w.done = true;
      waiters.get(type)!.splice(waiters.get(type)!.indexOf(w), 1);
      w.resolve(index);
    } else arrived.set(type, [...(arrived.get(type) ?? []), index]);
  };
  // Every event arrives at its test time (`after` the start).
  plan.events.forEach((e, i) => void clock.until(e.afterMs).then(() => arrive(e.type, i)));
  /** The step each node (under its loop indices) is running now. */
  const running = new Map<string, string>();
  /**
   * A node's answers go to its requests in order, across attempts and loop iterations (a poll
   * sees "draft" then "issued"); the last repeats. Taken answers live in the trace, so a
   * replay's cached steps take none and a re-run step takes the same ones again.
   */
  const take = (at: NodeRef, answers: readonly Answer[]): Answer => {
    const id = at.node.id;
    let i = 0;
    for (const a of trace.answers) if (a.node === id) i++;
    trace.answers.push({ node: id, key: running.get(slot(at)) ?? "" });
    return answerAt(answers, i);
  };
  const known = new Set(trace.steps.map((s) => `${s.name}#${s.count}`));
  /** The step's key (name#occurrence, as the engine counts); `engine` when the engine is asked. */
  const ask = (name: string, type: Trace["steps"][number]["type"]): { key: string; engine: () => void } => {
    const count = (occurrences.get(name) ?? 0) + 1;
    occurrences.set(name, count);
    const key = `${name}#${count}`;
    // Only steps the engine journals are places a replay can restart from.
    const engine = (): void => {
      if (known.has(key)) return;
      known.add(key);
      trace.steps.push({ name, count, type });
    };
    return { key, engine };
  };
  const slot = (at: NodeRef): string => (at.indices.length === 0 ? at.node.id : `${at.node.id}[${at.indices.join(",")}]`);

  return {
    do(at, name, config, fn) {
      const { key, engine } = ask(name, "do");
      if (at && at.node.kind === "workflow" && !plan.mocks[at.node.id]) return Promise.reject(unmocked(at, `Child workflow "${at.node.name}"`, trace));
      engine();
      const body = (ctx?: { attempt?: number }) => {
        trace.bodyRuns[key] = (trace.bodyRuns[key] ?? 0) + 1;
        if (at) {
          trace.calls[at.node.id] = (trace.calls[at.node.id] ?? 0) + 1;
          running.set(slot(at), key);
        }
        return fn(ctx);
      };
      const done = clock.busy(() => base.do(at, name, config, body));
      if (at && at.node.kind === "waitForEvent" && name.endsWith("/claim")) {
        // A race's loser handed its event back to the instance (src/interpreter/races.ts):
        // it arrives again, for the next wait of its type.
        return done.then((r) => {
          const t = taken.get(name.slice(0, -"/claim".length));
          if (t && (r as { forwarded?: boolean } | null)?.forwarded) arrive(t.type, t.index);
          return r;
        });
      }
      return done;
    },
    async sleep(at, name, ms) {
      const { engine } = ask(name, "sleep");
      await clock.after(ms);
      engine();
      return clock.busy(() => base.sleep(at, name, ms));
    },
    async sleepUntil(at, name, until) {
      const { engine } = ask(name, "sleep");
      await clock.until(until.getTime() - start);
      engine();
      return clock.busy(() => base.sleepUntil(at, name, until));
    },
    async waitForEvent<T>(at: NodeRef, name: string, opts: { type: string; timeout: number }): Promise<{ payload: T }> {
      const { key, engine } = ask(name, "waitForEvent");
      if (at.node.kind === "workflow") {
        // The child's outcome: its mock, at once.
        const a = take(at, plan.mocks[at.node.id] ?? [{}]);
        const err = errorOf(a);
        const payload = err ? { status: "errored", error: { name: err.name ?? "Failed", message: err.message } } : { status: "complete", output: a.output ?? null };
        return { payload: payload as T };
      }
      // Like the engine: a wait takes the first event of its type that has arrived, or the
      // first to arrive before its timeout. Waits take events in the order they began.
      const pool = arrived.get(opts.type);
      let index = pool && pool.length > 0 ? pool.shift() : undefined;
      if (index === undefined) {
        index = await new Promise<number | undefined>((resolve) => {
          const w = { resolve, done: false };
          const list = waiters.get(opts.type) ?? [];
          list.push(w);
          waiters.set(opts.type, list);
          void clock.after(opts.timeout).then(() => {
            if (w.done) return;
            w.done = true;
            list.splice(list.indexOf(w), 1);
            resolve(undefined);
          });
        });
      }
      if (index === undefined) throw new Error(`Execution timed out after ${opts.timeout}ms (no "${opts.type}" event in this case)`);
      trace.waits[key] = index;
      taken.set(name, { type: opts.type, index });
      engine();
      // The engine holds the case's events (sent before the start, in order of arrival).
      return clock.busy(() => base.waitForEvent<T>(at, name, opts));
    },
    fetch(at, url, init) {
      const answers = at.node.kind === "http" ? plan.mocks[at.node.id] : undefined;
      if (!answers) return Promise.reject(unmocked(at, `${init.method ?? "GET"} ${url.replace(/\?.*$/, "")}`, trace));
      const a = take(at, answers);
      const err = errorOf(a);
      if (err) return Promise.reject(new TypeError(err.message));
      return Promise.resolve(responseOf(a));
    },
    async action(at, name, args, ctx) {
      const answers = plan.mocks[at.node.id];
      if (!answers) return base.action(at, name, args, ctx);
      const a = take(at, answers);
      const err = errorOf(a);
      if (!err) return a.result ?? null;
      // A retryable failure is any exception (the engine retries it); otherwise a named, final one.
      if (err.retryable) throw new Error(err.message);
      throw new FlowError({ name: err.name ?? "ActionError", node: ctx.stepName, message: err.message });
    },
  };
}

// A fake WorkflowStep that journals like Cloudflare's engine (results cached by step name
// plus occurrence), and can kill run() right after its k-th new journal entry. Used by the
// replay test and by the interpreter benchmark.
import type { Host, RunnableParams, StepConfig, StepLike } from "../src/interpreter/context.js";
import { runInstance } from "../src/interpreter/run.js";
import { decodeErrorMessage } from "../src/interpreter/errors.js";

/** Shaped like an engine abort, so the interpreter neither catches nor compensates it. */
export class Crash extends Error {
  constructor() {
    super("Aborting engine: replay harness crash");
  }
}

type Entry = { ok: true; value: unknown } | { ok: false; message: string };

export class JournalStep implements StepLike {
  readonly journal = new Map<string, Entry>();
  /** Successful body executions per journal key (must stay 1). */
  readonly bodyRuns = new Map<string, number>();
  /** Keys requested during the current run, in order. */
  requested: string[] = [];
  private occurrences = new Map<string, number>();
  private newEntries = 0;
  private crashAfter: number | undefined;
  private dead = false;

  /** `clone: false` skips emulating serialization (for measuring the interpreter alone). */
  constructor(
    private readonly events: (type: string) => unknown,
    private readonly opts: { clone?: boolean } = {},
  ) {}

  private copy<T>(v: T): T {
    return this.opts.clone === false ? v : structuredClone(v);
  }

  /** Starts a new run() of the same instance, optionally crashing after `crashAfter` new entries. */
  beginRun(crashAfter?: number): void {
    this.occurrences.clear();
    this.requested = [];
    this.newEntries = 0;
    this.crashAfter = crashAfter;
    this.dead = false;
  }

  private key(kind: string, name: string): string {
    const n = (this.occurrences.get(kind + name) ?? 0) + 1;
    this.occurrences.set(kind + name, n);
    const key = `${kind}:${name}#${n}`;
    this.requested.push(key);
    return key;
  }

  private record(key: string, entry: Entry): void {
    if (this.dead) throw new Crash();
    this.journal.set(key, entry);
    this.newEntries++;
    if (this.crashAfter !== undefined && this.newEntries >= this.crashAfter) {
      this.dead = true;
      throw new Crash();
    }
  }

  private cached(key: string): Entry | undefined {
    if (this.dead) throw new Crash();
    return this.journal.get(key);
  }

  async do<T>(name: string, configOrFn: StepConfig | ((ctx?: { attempt?: number }) => Promise<T>), maybeFn?: (ctx?: { attempt?: number }) => Promise<T>): Promise<T> {
    const config: StepConfig = typeof configOrFn === "function" ? {} : configOrFn;
    const fn = (typeof configOrFn === "function" ? configOrFn : maybeFn)!;
    const key = this.key("do", name);
    const hit = this.cached(key);
    if (hit) {
      if (hit.ok) return this.copy(hit.value) as T;
      throw new Error(hit.message);
    }
    const limit = config.retries?.limit ?? 5;
    let lastError = "";
    for (let attempt = 1; attempt <= limit + 1; attempt++) {
      try {
        const value = await fn({ attempt });
        if (this.dead) throw new Crash();
        const plain = this.copy(value);
        this.bodyRuns.set(key, (this.bodyRuns.get(key) ?? 0) + 1);
        this.record(key, { ok: true, value: plain });
        return this.copy(plain) as T;
      } catch (e) {
        if (e instanceof Crash || this.dead) throw e instanceof Crash ? e : new Crash();
        lastError = e instanceof Error ? e.message : String(e);
      }
    }
    this.record(key, { ok: false, message: lastError });
    throw new Error(lastError);
  }

  async sleep(name: string): Promise<void> {
    const key = this.key("sleep", name);
    if (!this.cached(key)) this.record(key, { ok: true, value: null });
  }

  async sleepUntil(name: string): Promise<void> {
    const key = this.key("sleepUntil", name);
    if (!this.cached(key)) this.record(key, { ok: true, value: null });
  }

  async waitForEvent<T>(name: string, opts: { type: string; timeout: number }): Promise<{ payload: T }> {
    const key = this.key("waitForEvent", name);
    let hit = this.cached(key);
    if (!hit) {
      const payload = this.events(opts.type);
      hit = payload === undefined ? { ok: false, message: `Execution timed out after ${opts.timeout}ms` } : { ok: true, value: payload };
      this.record(key, hit);
    }
    if (!hit.ok) throw new Error(hit.message);
    return { payload: this.copy(hit.value) as T };
  }
}

export type Outcome = { status: "complete"; output: unknown } | { status: "errored"; error: unknown };

/** Runs an instance to its end on `step`, crashing after `crashAfter` new entries and replaying until it ends. */
export async function runToEnd(params: RunnableParams, id: string, step: JournalStep, host: Host, crashAfter?: number): Promise<{ outcome: Outcome; runs: string[][] }> {
  const runs: string[][] = [];
  let crash = crashAfter;
  for (;;) {
    step.beginRun(crash);
    crash = undefined;
    try {
      const output = await runInstance(params, id, step, host);
      runs.push(step.requested);
      return { outcome: { status: "complete", output }, runs };
    } catch (e) {
      runs.push(step.requested);
      if (e instanceof Crash) continue;
      const message = e instanceof Error ? e.message : String(e);
      return { outcome: { status: "errored", error: decodeErrorMessage(message) ?? message }, runs };
    }
  }
}

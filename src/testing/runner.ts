// Runs test suites on the local Workflows engine (docs/testing.md): wrangler's test harness
// starts the test Worker (src/testing/worker.ts) with the project's bindings; each case is one
// instance, its sleeps and retry delays switched off through the engine's own introspection
// (disableSleeps, disableRetryDelays) and its events handed to the engine before it starts.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseJsonc } from "jsonc-parser";
import equal from "fast-deep-equal";
import type { TestCode } from "../errors.js";
import type { ResolvedCase, TestSuite } from "./file.js";
import type { CaseResult } from "./worker.js";
import { namePath } from "./file.js";

export interface Failure {
  code: TestCode;
  message: string;
}

export interface CaseReport {
  file: string;
  definition: string;
  name: string;
  line: number;
  passed: boolean;
  failures: Failure[];
  durationMs: number;
  status: CaseResult["status"] | "not run";
  /** Node ids reached. */
  ran: string[];
  /** Crash points replayed (--replay). */
  replayed?: number;
}

export interface RunnerOptions {
  cwd: string;
  replay?: boolean;
  /** Cases in flight at once (default 6). */
  concurrency?: number;
  onCase?: (r: CaseReport) => void;
}

/** The flowdsl package: two levels up from src/testing, or from the CLI's cached bundle. */
export function packageRoot(): string {
  const here = fileURLToPath(import.meta.url);
  const cache = here.indexOf("/node_modules/.cache/flowdsl/");
  return cache >= 0 ? here.slice(0, cache) : join(here, "../../..");
}

/** Bindings the test Worker keeps from the project's wrangler.jsonc (not its workflows, routes or crons). */
const KEPT = ["vars", "kv_namespaces", "d1_databases", "r2_buckets", "queues", "ai", "analytics_engine_datasets", "services", "compatibility_date", "compatibility_flags"];

export function testWorkerConfig(cwd: string): Record<string, unknown> {
  const file = join(cwd, "wrangler.jsonc");
  const user = existsSync(file) ? ((parseJsonc(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>) : {};
  const config: Record<string, unknown> = { compatibility_date: "2026-11-01", compatibility_flags: ["nodejs_compat"] };
  for (const k of KEPT) if (user[k] !== undefined) config[k] = user[k];
  const queues = user.queues as { producers?: unknown } | undefined;
  if (queues) config.queues = queues.producers ? { producers: queues.producers } : undefined;
  return {
    ...config,
    name: "flowdsl-test",
    main: join(packageRoot(), "src/testing/worker.ts"),
    vars: { ...((user.vars as Record<string, unknown> | undefined) ?? {}), FLOWDSL_LOG: "off" },
    workflows: [{ name: "flowdsl-test", binding: "FLOWDSL_TEST", class_name: "TestWorkflow" }],
  };
}

interface Harness {
  /** Runs the case to its end; `then` may restart it before the instance is let go. */
  run<T>(id: string, c: ResolvedCase, suite: TestSuite, then: (r: CaseResult, restart: Restart) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type Restart = (from: { name: string; count: number; type: "do" | "sleep" | "waitForEvent" }, events: Array<{ type: string; payload: unknown }>, kept: string[]) => Promise<CaseResult>;

async function startHarness(cwd: string): Promise<Harness> {
  // wrangler prints its own progress; the runner reports the cases.
  process.env.WRANGLER_LOG ??= "error";
  const { createTestHarness } = await import("wrangler");
  const server = createTestHarness({ root: cwd, workers: [{ config: testWorkerConfig(cwd) as never }] });
  await server.listen();
  const worker = server.getWorker();
  const post = async (path: string, body: unknown): Promise<CaseResult> => {
    const r = await worker.fetch(`http://flowdsl.test${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    if (!r.ok) throw new Error(`the test Worker answered ${r.status}: ${await r.text()}`);
    return (await r.json()) as CaseResult;
  };
  return {
    async run(id, c, suite, then) {
      // The introspector holds the instance: disposing of it removes the instance.
      const intro = await worker.introspectWorkflowInstance("FLOWDSL_TEST", id);
      try {
        await intro.modify(async (m) => {
          await m.disableSleeps();
          await m.disableRetryDelays();
          // In order of arrival: the engine hands out events of a type first come, first served.
          for (const e of [...c.plan.events].sort((a, b) => a.afterMs - b.afterMs)) await m.mockEvent({ type: e.type, payload: e.payload });
        });
        const r = await post("/run", { id, timeoutMs: c.timeoutMs, params: { name: suite.name, hash: suite.hash, definition: suite.definition, input: c.input, test: c.plan } });
        return await then(r, (from, events, kept) => post("/restart", { id, from, events, kept, timeoutMs: c.timeoutMs }));
      } finally {
        await intro.dispose();
      }
    },
    close: () => server.close(),
  };
}

/** Where two JSON values first differ, in words. */
export function firstDifference(actual: unknown, expected: unknown, path = ""): string | undefined {
  if (equal(actual, expected)) return undefined;
  const here = path || "(the whole value)";
  if (typeof actual !== "object" || typeof expected !== "object" || actual === null || expected === null || Array.isArray(actual) !== Array.isArray(expected)) {
    return `at ${here}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
      if (i >= actual.length) return `at ${path}[${i}]: expected ${JSON.stringify(expected[i])}, the list ends (${actual.length} items)`;
      if (i >= expected.length) return `at ${path}[${i}]: unexpected ${JSON.stringify(actual[i])} (expected ${expected.length} items)`;
      const d = firstDifference(actual[i], expected[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  for (const k of Object.keys(e)) {
    if (!(k in a)) return `at ${path}.${k}: expected ${JSON.stringify(e[k])}, missing`;
    const d = firstDifference(a[k], e[k], `${path}.${k}`);
    if (d) return d;
  }
  for (const k of Object.keys(a)) if (!(k in e)) return `at ${path}.${k}: unexpected ${JSON.stringify(a[k])}`;
  return undefined;
}

/** Every expectation the result does not meet. */
export function check(c: ResolvedCase, r: CaseResult): Failure[] {
  const f: Failure[] = [];
  const ex = c.expect;
  for (const u of r.trace.unmocked) f.push({ code: "UNMOCKED_CALL", message: `${u.node}: ${u.what} has no mock in this case. Add a mock for it under \`mocks:\`.` });
  if (r.status === "timeout") {
    f.push({ code: "CASE_TIMEOUT", message: `the instance had not ended after ${c.timeoutMs} ms` });
    return f;
  }
  if (r.status !== ex.status) {
    const why = r.error ? ` (${r.error.name} at ${r.error.node || "the instance"}: ${r.error.message})` : "";
    f.push({ code: "EXPECT_STATUS", message: `expected status ${ex.status}, got ${r.status}${why}` });
  } else if (ex.output && r.status === "complete") {
    const d = firstDifference(r.output ?? null, ex.output.value);
    if (d) f.push({ code: "EXPECT_OUTPUT", message: `output ${d}` });
  }
  if (ex.error && r.status === "errored") {
    const e = r.error ?? { name: "", message: "", node: "" };
    if (e.name !== ex.error.name) f.push({ code: "EXPECT_ERROR", message: `expected error ${ex.error.name}, got ${e.name}: ${e.message}` });
    else if (ex.error.message !== undefined && !e.message.includes(ex.error.message)) f.push({ code: "EXPECT_ERROR", message: `the error's message ${JSON.stringify(e.message)} does not contain ${JSON.stringify(ex.error.message)}` });
    else if (ex.error.node !== undefined && e.node !== ex.error.node) f.push({ code: "EXPECT_ERROR", message: `expected the error at ${ex.error.node}, it was raised at ${e.node}` });
  }
  for (const x of ex.calls) {
    const n = r.trace.calls[x.node.id] ?? 0;
    if (n !== x.count) f.push({ code: "EXPECT_CALLS", message: `${x.key}: expected ${x.count} call${x.count === 1 ? "" : "s"}, got ${n}` });
  }
  const ran = new Set(r.trace.ran);
  for (const x of ex.ran) if (!ran.has(x.node.id)) f.push({ code: "EXPECT_RAN", message: `${x.key} (${namePath(x.node)}) never ran` });
  for (const x of ex.notRan) if (ran.has(x.node.id)) f.push({ code: "EXPECT_NOT_RAN", message: `${x.key} (${namePath(x.node)}) ran` });
  return f;
}

/**
 * A crash right after each step but the last: the engine restarts from the next step with the
 * earlier results kept. The case's expectations must still hold (its `calls` aside: a step
 * cut short by a crash runs again, as it would on Cloudflare), and no kept step may run again.
 */
export async function replayCase(restart: Restart, c: ResolvedCase, first: CaseResult): Promise<{ failures: Failure[]; replayed: number }> {
  const steps = first.trace.steps;
  const waits = first.trace.waits;
  for (let k = 1; k < steps.length; k++) {
    const from = steps[k]!;
    const last = steps[k - 1]!;
    const events = steps
      .slice(k)
      .map((s) => waits[`${s.name}#${s.count}`])
      .flatMap((i) => (i === undefined ? [] : [c.plan.events[i]!]))
      .map((e) => ({ type: e.type, payload: e.payload }));
    const kept = steps.slice(0, k).map((s) => `${s.name}#${s.count}`);
    const r = await restart(from, events, kept);
    const label = `a crash after step "${last.name}"${last.count > 1 ? ` (#${last.count})` : ""}`;
    const unmet = check(c, r).filter((f) => f.code !== "EXPECT_CALLS");
    if (unmet.length > 0) return { failures: unmet.map((f) => ({ code: "REPLAY_DIVERGED", message: `after ${label}: ${f.code} ${f.message}` })), replayed: k };
    const before = new Set(steps.slice(0, k).filter((s) => s.type === "do").map((s) => `${s.name}#${s.count}`));
    const again = Object.keys(r.trace.bodyRuns).filter((key) => before.has(key));
    if (again.length > 0) return { failures: [{ code: "REPLAY_RERAN_STEP", message: `after ${label} the finished step${again.length > 1 ? "s" : ""} ${again.join(", ")} ran again` }], replayed: k };
  }
  return { failures: [], replayed: Math.max(0, steps.length - 1) };
}

/** Cases that run actions on the local bindings share their state: those run one at a time. */
function touchesBindings(suite: TestSuite, c: ResolvedCase): boolean {
  return suite.model.nodes.some((n) => n.kind === "do" && "action" in n.node && n.node.action !== undefined && n.node.action !== "log" && !c.plan.mocks[n.id]);
}

export async function runSuites(suites: TestSuite[], opts: RunnerOptions): Promise<CaseReport[]> {
  const jobs = suites.flatMap((suite) => suite.cases.map((c, index) => ({ suite, c, index })));
  if (jobs.length === 0) return [];
  const h = await startHarness(opts.cwd);
  const reports: CaseReport[] = new Array(jobs.length);
  // Instance ids are predictable (`test-<definition>-<case>`), so are outputs built from
  // $workflow.id; each run has a fresh engine, so they never collide with an earlier run's.
  const files = new Map<string, Set<string>>();
  for (const s of suites) files.set(s.name, (files.get(s.name) ?? new Set()).add(s.file));
  const fileIndex = (s: TestSuite): string => (files.get(s.name)!.size > 1 ? `-f${[...files.get(s.name)!].indexOf(s.file) + 1}` : "");
  const runOne = async (j: number): Promise<void> => {
    const { suite, c, index } = jobs[j]!;
    const t0 = Date.now();
    const id = `test-${suite.name}${fileIndex(suite)}-${index + 1}`;
    let report: CaseReport;
    try {
      report = await h.run(id, c, suite, async (r, restart) => {
        let failures = check(c, r);
        let replayed: number | undefined;
        if (opts.replay && failures.length === 0) {
          const rep = await replayCase(restart, c, r);
          failures = rep.failures;
          replayed = rep.replayed;
        }
        return { file: suite.file, definition: suite.name, name: c.name, line: c.line, passed: failures.length === 0, failures, durationMs: Date.now() - t0, status: r.status, ran: r.trace.ran, ...(replayed !== undefined ? { replayed } : {}) };
      });
    } catch (e) {
      report = { file: suite.file, definition: suite.name, name: c.name, line: c.line, passed: false, failures: [{ code: "TEST_RUNNER_FAILED", message: e instanceof Error ? e.message : String(e) }], durationMs: Date.now() - t0, status: "not run", ran: [] };
    }
    reports[j] = report;
    opts.onCase?.(report);
  };
  try {
    const parallel = jobs.map((_, j) => j).filter((j) => !touchesBindings(jobs[j]!.suite, jobs[j]!.c));
    const serial = jobs.map((_, j) => j).filter((j) => touchesBindings(jobs[j]!.suite, jobs[j]!.c));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < parallel.length) await runOne(parallel[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 6, parallel.length) }, worker));
    for (const j of serial) await runOne(j);
  } finally {
    await h.close();
  }
  return reports;
}

// Where an instance's time goes, step by step (bench/notes.md, "Step by step"). Runs arms of
// bench/wrangler.bench.jsonc in rotating rounds and reads every instance's event history: its
// timestamps split each step into the gap before it (the workflow's loop and the step call) and
// its callback's round trip (attempt started → attempt completed). Across instances these are
// as noisy as whole instances, so the MIX arms run two kinds of step in one instance, where
// both see the same machine speed, and the script prints the difference between the two kinds:
// FLOW_MIX2 / HAND_MIX2 a `d` step against the plain `xd` step issued right after it, FLOW_MIX /
// HAND_MIX* odd steps (the variant closure) against even ones (plain). Each difference is pooled
// over all steps, with a 95% bootstrap interval over instances; steps over 15 ms are left out.
// `npx tsx bench/step-gaps.ts [rounds] ARM ...`; STEP_GAPS_RAW=file keeps the histories.
// `npm run bench` takes its "steps" rows from here (stepRows).
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { startMockServer } from "../test/mock-server.js";
import { bootstrapInterval, withBenchDev } from "./engine.js";
import { ARM_PARAMS } from "./definitions.js";
import type { Row } from "./stats.js";

interface Event {
  type: string;
  timestamp: number;
  stepName?: string;
}

/** A step's gap before it or its callback's time, pooled per class of step: [sum, count] each. */
type Pool = Map<string, [number, number]>;
const MAX_STEP_MS = 15;

/** Which class a step belongs to: `x`/`d` in the MIX2 arms, odd/even otherwise. */
function classOf(stepName: string, mix2: boolean): string {
  if (mix2) return stepName.startsWith("x") ? "x" : "d";
  return Number(/^[dh](\d+)/.exec(stepName)?.[1] ?? 0) % 2 === 1 ? "odd" : "even";
}

function gaps(events: Event[], mix2: boolean): { before: Pool; callback: Pool } {
  const before: Pool = new Map();
  const callback: Pool = new Map();
  const add = (p: Pool, k: string, ms: number): void => {
    if (ms > MAX_STEP_MS) return;
    const e = p.get(k) ?? [0, 0];
    p.set(k, [e[0] + ms, e[1] + 1]);
  };
  let done: number | undefined;
  let attempt = 0;
  for (const e of events) {
    const k = classOf(e.stepName ?? "", mix2);
    if (e.type === "step_started" && done !== undefined) add(before, k, e.timestamp - done);
    else if (e.type === "attempt_started") attempt = e.timestamp;
    else if (e.type === "attempt_completed") add(callback, k, e.timestamp - attempt);
    else if (e.type === "step_completed") done = e.timestamp;
  }
  return { before, callback };
}

/** Mean of class `a` minus mean of class `b`, pooled over the instances given. */
function pooledDifference(pools: Pool[], a: string, b: string): number {
  const mean = (k: string): number => {
    let sum = 0;
    let n = 0;
    for (const p of pools) {
      const [s, c] = p.get(k) ?? [0, 0];
      sum += s;
      n += c;
    }
    return sum / n;
  };
  return mean(a) - mean(b);
}

function report(arm: string, histories: Event[][]): string {
  const mix2 = arm.endsWith("MIX2");
  const g = histories.map((h) => gaps(h, mix2));
  const [a, b] = mix2 ? ["d", "x"] : ["odd", "even"];
  const cell = (pools: Pool[]): string => {
    const d = pooledDifference(pools, a, b);
    const [lo, hi] = bootstrapInterval(pools, (s) => pooledDifference(s, a, b));
    return `${d >= 0 ? "+" : ""}${d.toFixed(3)} ms (${lo.toFixed(3)}..${hi.toFixed(3)})`;
  };
  return `${arm.padEnd(15)} ${histories.length} instances, ${a} − ${b}: gap before the step ${cell(g.map((x) => x.before))}, callback ${cell(g.map((x) => x.callback))}`;
}

/** Runs the arms in rotating rounds on one engine (round 0 warms them) and returns every instance's history per arm. */
export async function runArms(rounds: number, names: string[]): Promise<Record<string, Event[][]>> {
  for (const a of names) if (!(a in ARM_PARAMS)) throw new Error(`unknown arm ${a}; one of ${Object.keys(ARM_PARAMS).join(", ")}`);
  // The http arms (FLOW_MIXH, HAND_MIXH …) call this server; their params say $BASE.
  const mock = await startMockServer();
  const paramsOf = (arm: string): string => JSON.stringify(ARM_PARAMS[arm]).replaceAll("$BASE", `http://127.0.0.1:${mock.port}/bench`);
  try {
    return await withBenchDev("flowdsl-gaps-", async (url) => {
      const histories: Record<string, Event[][]> = Object.fromEntries(names.map((n) => [n, []]));
      // The order rotates so no arm always follows the same one.
      for (let r = 0; r <= rounds; r++) {
        for (let j = 0; j < names.length; j++) {
          const a = names[(r + j) % names.length]!;
          const { id } = (await (await fetch(`${url}/bench/start/${a}`, { method: "POST", body: paramsOf(a) })).json()) as { id: string };
          const w = (await (await fetch(`${url}/bench/wait/${a}/${id}`)).json()) as { end: string };
          if (w.end !== "workflow_completed") throw new Error(`${a} ${id} ended ${w.end}`);
          const events = (await (await fetch(`${url}/bench/events/${a}/${id}`)).json()) as Event[];
          if (r > 0) histories[a]!.push(events);
        }
      }
      return histories;
    });
  } finally {
    await mock.close();
  }
}

/** Mean time of a step of class k, from the previous step's completion to its own (its gap included). */
function meanStepMs(histories: Event[][], mix2: boolean, k: string): number {
  let sum = 0;
  let n = 0;
  for (const h of histories) {
    let done: number | undefined;
    for (const e of h) {
      if (e.type !== "step_completed") continue;
      if (done !== undefined && classOf(e.stepName ?? "", mix2) === k && e.timestamp - done <= MAX_STEP_MS * 2) {
        sum += e.timestamp - done;
        n++;
      }
      done = e.timestamp;
    }
  }
  return sum / n;
}

/**
 * The bench's step-level rows: an interpreted step against a plain (hand-written) one in the
 * same instance, so both see the same machine speed, less the same difference in the control
 * arm (two plain steps), as a share of the plain step's time: 1 + Δ / step.
 */
export async function stepRows(rounds: number): Promise<Row[]> {
  const cases = [
    { flow: "FLOW_MIX2", control: "HAND_MIX2", label: "a constant `do` step: the interpreted step against a plain step issued right after it in the same instance (FLOW_MIX2), the loop back to the next step call and the callback" },
    { flow: "FLOW_MIXH", control: "HAND_MIXH", label: "an `http` step (case c): the interpreted call against the hand-written one in the same instance, every other step (FLOW_MIXH), the callback (both are called from the same loop)" },
  ];
  const h = await runArms(rounds, cases.flatMap((c) => [c.flow, c.control]));
  return cases.map((c) => {
    const mix2 = c.flow.endsWith("MIX2");
    const [a, b] = mix2 ? ["d", "x"] : ["odd", "even"];
    const total = (evs: Event[][]): number => {
      const g = evs.map((x) => gaps(x, mix2));
      return pooledDifference(g.map((x) => x.before), a, b) + pooledDifference(g.map((x) => x.callback), a, b);
    };
    const control = total(h[c.control]!);
    const step = meanStepMs(h[c.flow]!, mix2, b);
    const d = total(h[c.flow]!) - control;
    const [lo, hi] = bootstrapInterval(h[c.flow]!, (s) => total(s) - control);
    const ratio = 1 + d / step;
    return {
      group: "steps",
      measure: `${c.label}: ${d >= 0 ? "+" : ""}${d.toFixed(3)} ms a step (95% interval ${lo.toFixed(3)}..${hi.toFixed(3)}; the control arm's own difference ${control >= 0 ? "+" : ""}${control.toFixed(3)} ms taken off) against the plain step's ${step.toFixed(2)} ms; ${h[c.flow]!.length} instances each, rotating with the control: 1 + Δ / step`,
      value: `ratio ${ratio.toFixed(3)} (${(1 + lo / step).toFixed(3)}–${(1 + hi / step).toFixed(3)})`,
      target: "≤ 1.02",
      ok: ratio <= 1.02,
    };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rounds = Number(process.argv[2] ?? 60);
  const names = process.argv.slice(3);
  if (names.length === 0) throw new Error("name the arms: npx tsx bench/step-gaps.ts [rounds] FLOW_MIX2 HAND_MIX2 …");
  const histories = await runArms(rounds, names);
  if (process.env.STEP_GAPS_RAW) writeFileSync(process.env.STEP_GAPS_RAW, JSON.stringify(histories));
  for (const a of names) console.log(report(a, histories[a]!));
}

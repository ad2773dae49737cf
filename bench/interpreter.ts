// (2) The interpreter alone (Node, the replay harness's journaling fake step, no engine):
// µs per node on a 1,000-node definition's first run, and a replay with every step cached.
// (3) JSONata: µs per template evaluation, and proof each expression compiles once.
import { JournalStep } from "../test/replay-harness.js";
import { runInstance } from "../src/interpreter/run.js";
import type { Host } from "../src/interpreter/context.js";
import { ACTIONS } from "../src/actions/index.js";
import { expressionCompileCount, renderTemplate } from "../src/expressions/template.js";
import { sequential } from "./definitions.js";
import { median, type Row } from "./stats.js";

/** Runs per figure: each is milliseconds, and this 2-core machine is noisy, so take many. */
const ITERATIONS = 100;
const host: Host = { env: { FLOWDSL_LOG: "off" }, instanceId: "bench", fetch: (i, n) => fetch(i, n), actions: ACTIONS };

export async function benchInterpreter(runs: number): Promise<Row[]> {
  const definition = sequential(500); // 1,001 nodes: 500 do, 501 set
  const nodes = definition.steps.length;
  const params = { name: "bench-seq", hash: "b", definition, input: {} };
  const compilesBefore = expressionCompileCount();
  const cold = await firstRun(params);
  const compiledOnce = expressionCompileCount() - compilesBefore;
  const first: number[] = [];
  const replay: number[] = [];
  for (let r = 0; r < Math.max(runs, ITERATIONS); r++) {
    const step = new JournalStep(() => undefined, { clone: false });
    step.beginRun();
    let t0 = performance.now();
    await runInstance(params, "bench", step, host);
    first.push(performance.now() - t0);
    step.beginRun();
    t0 = performance.now();
    await runInstance(params, "bench", step, host);
    replay.push(performance.now() - t0);
  }
  const compilesAfter = expressionCompileCount() - compilesBefore;
  // A replay in which 1,000 durable steps are all cached (1,000 do nodes).
  const doOnly = { name: "bench-do", hash: "b", input: {}, definition: { name: "bench-do", steps: Array.from({ length: 1000 }, (_, i) => ({ do: `d${i}`, value: { i, at: "{% $now() %}" } })) } as unknown as typeof definition };
  const doStep = new JournalStep(() => undefined, { clone: false });
  doStep.beginRun();
  await runInstance(doOnly, "bench", doStep, host);
  const doReplay: number[] = [];
  for (let r = 0; r < Math.max(runs, ITERATIONS); r++) {
    doStep.beginRun();
    const t0 = performance.now();
    await runInstance(doOnly, "bench", doStep, host);
    doReplay.push(performance.now() - t0);
  }
  const dr = median(doReplay);
  const f = median(first);
  const rp = median(replay);
  return [
    { group: "interpreter", measure: `first run of a ${nodes}-node do/set definition (expressions compiled), per node`, value: `${((f * 1000) / nodes).toFixed(1)} µs`, target: "≤ 10 µs", ok: (f * 1000) / nodes <= 10 },
    { group: "interpreter", measure: `the same in a fresh isolate (compiling ${compiledOnce} expressions), per node`, value: `${((cold * 1000) / nodes).toFixed(1)} µs`, target: "—", ok: null },
    { group: "interpreter", measure: "replay of a 1,000-step definition with every step cached, whole run", value: `${dr.toFixed(2)} ms`, target: "≤ 2 ms", ok: dr <= 2 },
    { group: "interpreter", measure: `replay of the ${nodes}-node do/set definition (500 steps cached, 501 sets re-evaluated), whole run`, value: `${rp.toFixed(2)} ms`, target: "≤ 5 ms", ok: rp <= 5 },
    { group: "jsonata", measure: `expressions compiled across ${Math.max(runs, ITERATIONS) * 2 + 1} runs of that definition`, value: `${compilesAfter}`, target: `= ${compiledOnce} (once per isolate)`, ok: compilesAfter === compiledOnce },
  ];
}

async function firstRun(params: Parameters<typeof runInstance>[0]): Promise<number> {
  const step = new JournalStep(() => undefined, { clone: false });
  step.beginRun();
  const t0 = performance.now();
  await runInstance(params, "bench", step, host);
  return performance.now() - t0;
}

export async function benchJsonata(): Promise<Row[]> {
  const template = { total: "{% $sum($input.items.price) %}", label: "order {% $input.id %} for {% $input.customer.name %}", count: "{% $count($input.items) %}" };
  const bindings = { input: { id: "o-1", customer: { name: "Ada" }, items: Array.from({ length: 10 }, (_, i) => ({ price: i + 0.5 })) } };
  for (let i = 0; i < 2000; i++) await renderTemplate(template, bindings);
  const before = expressionCompileCount();
  const n = 20_000;
  const samples: number[] = [];
  for (let s = 0; s < 5; s++) {
    const t0 = performance.now();
    for (let i = 0; i < n / 5; i++) await renderTemplate(template, bindings);
    samples.push(((performance.now() - t0) * 1000) / (n / 5));
  }
  const compiled = expressionCompileCount() - before;
  return [
    { group: "jsonata", measure: "template with 4 expressions (sum, interpolation, count), per evaluation", value: `${median(samples).toFixed(1)} µs`, target: "—", ok: null },
    { group: "jsonata", measure: `compilations during ${n} evaluations of already-seen expressions`, value: `${compiled}`, target: "= 0", ok: compiled === 0 },
  ];
}

// The benchmark definitions, generated: the same steps as bench/hand-written.ts.
import type { Definition } from "../src/interpreter/context.js";

/** `pairs` do nodes each followed by a set node (2 × pairs nodes, plus the initial set). */
export function sequential(pairs: number): Definition {
  const steps: unknown[] = [{ set: "init", values: { acc: 0 } }];
  for (let i = 0; i < pairs; i++) {
    steps.push({ do: `d${i}`, value: { i, sum: `{% $acc + ${i} %}` }, as: "v" });
    steps.push({ set: `s${i}`, values: { acc: "{% $v.sum %}" } });
  }
  return { name: "bench-seq", steps, output: { acc: "{% $acc %}" } } as unknown as Definition;
}

export function foreach(concurrency: number): Definition {
  return {
    name: "bench-foreach",
    steps: [{ foreach: "items", in: "$input.items", concurrency, steps: [{ do: "process", value: { n: "{% $item * 2 %}" } }], as: "results" }],
    output: "{% $results %}",
  } as unknown as Definition;
}

export function http(count: number): Definition {
  const steps = Array.from({ length: count }, (_, i) => ({ http: `h${i}`, url: "{% $input.base %}/ping", query: { i }, result: "{% $response.status %}" }));
  return { name: "bench-http", steps, output: count } as unknown as Definition;
}

/** `count` do nodes with constant values: the interpreter's step path without expressions (a finished bisection, bench/notes.md). */
export function constantSteps(count: number): Definition {
  return { name: `bench-seqc${count}`, steps: Array.from({ length: count }, (_, i) => ({ do: `d${i}`, value: { i, sum: i } })), output: { acc: 1 } } as unknown as Definition;
}

/** The engine cases' definitions, as a Worker has its definitions built in (name → hash, definition). */
export const BENCH_DEFINITIONS = {
  "bench-seq": { hash: "bench-seq-50", definition: sequential(50) },
  "bench-foreach": { hash: "bench-foreach-10", definition: foreach(10) },
  "bench-http": { hash: "bench-http-50", definition: http(50) },
  "bench-seqc50": { hash: "bench-seqc50", definition: constantSteps(50) },
  "bench-seqc10": { hash: "bench-seqc10", definition: constantSteps(10) },
  "bench-one": { hash: "bench-one-1", definition: { name: "bench-one", steps: [{ do: "one", value: { ok: true } }] } as unknown as Definition },
};
/** Params of an interpreted bench instance: pinned by name and hash, like the API's. */
export const benchParams = (name: keyof typeof BENCH_DEFINITIONS, input: unknown) => ({ name, hash: BENCH_DEFINITIONS[name].hash, input });

/**
 * Params of every workflow the bisection experiments ran (bench/notes.md) and
 * bench/step-gaps.ts use, by binding: interpreted arms pinned by name and hash, hand-written a count.
 */
export const ARM_PARAMS: Record<string, unknown> = {
  HAND_SEQ: { count: 50 },
  HAND_SEQ_B: { count: 50 },
  HAND_BODY: { count: 50 },
  HAND_LAYERS: { count: 50 },
  HAND_MIX: { count: 50 },
  HAND_MIX_AWAIT: { count: 50 },
  HAND_MIX_BODY: { count: 50 },
  HAND_MIX_JSON: { count: 50 },
  HAND_MIX_SPIN: { count: 50 },
  HAND_MIX_CTX: { count: 50 },
  HAND_MIX2: { count: 50 },
  FLOW_SEQ: benchParams("bench-seq", {}),
  FLOW_SEQC50: benchParams("bench-seqc50", {}),
  FLOW_SEQC10: benchParams("bench-seqc10", {}),
  FLOW_MIX: benchParams("bench-seqc50", {}),
  FLOW_MIX2: benchParams("bench-seqc50", {}),
  // One step: what an instance costs beyond its steps (the run's set-up and end).
  FLOW_ONE: benchParams("bench-one", {}),
  HAND_ONE: {},
  // $BASE: the scripts put their mock server's URL here.
  FLOW_MIXH: benchParams("bench-http", { base: "$BASE" }),
  HAND_MIXH: { base: "$BASE", count: 50 },
  HAND_MIXH_INIT: { base: "$BASE", count: 50 },
  HAND_MIXH_URL: { base: "$BASE", count: 50 },
  HAND_MIXH_RES: { base: "$BASE", count: 50 },
};

// A CPU profile of the interpreter alone (Node, the replay harness's step): where the time of
// a first run and of a cached replay goes, or of a first run of the engine cases (a), (b), (c)
// (fetches answered at once). `npx tsx bench/profile-interpreter.ts [first|replay|a|b|c]` prints
// the top frames by self time.
import { Session } from "node:inspector/promises";
import { JournalStep } from "../test/replay-harness.js";
import { runInstance } from "../src/interpreter/run.js";
import type { Host } from "../src/interpreter/context.js";
import { ACTIONS } from "../src/actions/index.js";
import { foreach, http, sequential } from "./definitions.js";

const mode = process.argv[2] ?? "replay";
// A light stand-in for the answer (undici's Response would dominate the profile; workerd's is native).
const pongHeaders = new Headers({ "content-type": "application/json" });
const answered = (): Promise<Response> => Promise.resolve({ status: 200, headers: pongHeaders, text: () => Promise.resolve('{"ok":true}') } as unknown as Response);
const host: Host = { env: { FLOWDSL_LOG: "off", ALLOW_PRIVATE_HOSTS: "true" }, instanceId: "bench", fetch: mode === "c" ? answered : (i, n) => fetch(i, n), actions: ACTIONS };
const cases: Record<string, { definition: ReturnType<typeof sequential>; input: unknown }> = {
  first: { definition: sequential(500), input: {} },
  replay: { definition: { name: "bench-do", steps: Array.from({ length: 1000 }, (_, i) => ({ do: `d${i}`, value: { i, at: "{% $now() %}" } })) } as unknown as ReturnType<typeof sequential>, input: {} },
  a: { definition: sequential(50), input: {} },
  b: { definition: foreach(10), input: { items: Array.from({ length: 500 }, (_, i) => i) } },
  c: { definition: http(50), input: { base: "http://127.0.0.1:9" } },
};
const chosen = cases[mode];
if (!chosen) throw new Error(`mode: one of ${Object.keys(cases).join(", ")}`);
const { definition } = chosen;
const params = { name: definition.name, hash: "b", definition, input: chosen.input };
const step = new JournalStep(() => undefined, { clone: false });
step.beginRun();
await runInstance(params, "bench", step, host);
const once = async (): Promise<void> => {
  const s = mode !== "replay" ? new JournalStep(() => undefined, { clone: false }) : step;
  s.beginRun();
  await runInstance(params, "bench", s, host);
};
for (let i = 0; i < 50; i++) await once();
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 50 });
await session.post("Profiler.start");
const t0 = performance.now();
const N = 300;
for (let i = 0; i < N; i++) await once();
const ms = (performance.now() - t0) / N;
const { profile } = await session.post("Profiler.stop");
const self = new Map<string, number>();
const counts = new Map<number, number>();
profile.samples!.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (profile.timeDeltas![i] ?? 0)));
for (const n of profile.nodes) {
  const k = `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
  self.set(k, (self.get(k) ?? 0) + (counts.get(n.id) ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log(`${mode}: ${ms.toFixed(2)} ms per run (profiled)`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);

// Interleaved rounds of several workflows on one local engine, each arm's time against the
// first arm's in the same round: for finding which piece of the interpreter's step call costs
// what on the engine (bench/notes.md, "What is not yet explained").
// `npx tsx bench/bisect-engine.ts [rounds] [ARM ...]`; an arm is a binding of
// bench/wrangler.bench.jsonc. Default: HAND_SEQ FLOW_SEQC50 HAND_BODY HAND_LAYERS FLOW_SEQ.
import { writeFileSync } from "node:fs";
import { medianInterval, timeInstance, withBenchDev } from "./engine.js";
import { median } from "./stats.js";
import { ARM_PARAMS as ARMS } from "./definitions.js";

const rounds = Number(process.argv[2] ?? 41);
const arms = process.argv.length > 3 ? process.argv.slice(3) : ["HAND_SEQ", "FLOW_SEQC50", "HAND_BODY", "HAND_LAYERS", "FLOW_SEQ"];
for (const a of arms) if (!(a in ARMS)) throw new Error(`unknown arm ${a}; one of ${Object.keys(ARMS).join(", ")}`);
// The http arms call a mock server that only bench/step-gaps.ts starts.
for (const a of arms) if (JSON.stringify(ARMS[a]).includes("$BASE")) throw new Error(`${a} calls a local server: run it with bench/step-gaps.ts`);

await withBenchDev("flowdsl-bisect-", async (url, pid) => {
  const ms: Record<string, number[]> = Object.fromEntries(arms.map((a) => [a, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(arms.map((a) => [a, []]));
  // Round 0 warms every arm; the order rotates so no arm always follows the same one.
  for (let r = 0; r <= rounds; r++) {
    for (let j = 0; j < arms.length; j++) {
      const a = arms[(r + j) % arms.length]!;
      const t = await timeInstance(url, a, ARMS[a], pid);
      if (r > 0) {
        ms[a]!.push(t.ms);
        cpu[a]!.push(t.cpu);
      }
    }
  }
  // BISECT_RAW=file keeps every instance's wall and CPU time, for looking at their distribution.
  if (process.env.BISECT_RAW) writeFileSync(process.env.BISECT_RAW, JSON.stringify({ ms, cpu }));
  const base = ms[arms[0]!]!;
  console.log(`${rounds} rounds; each arm against ${arms[0]} in the same round (median ratio, 95% interval of the median)`);
  for (const a of arms) {
    const ratios = ms[a]!.map((x, i) => x / base[i]!);
    console.log(`${a.padEnd(12)} ${median(ms[a]!).toFixed(0).padStart(5)} ms  ratio ${median(ratios).toFixed(3)}  ${medianInterval(ratios)}`);
  }
});

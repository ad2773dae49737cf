// `race`: branches run concurrently; the first to succeed wins (an extension for the seeds'
// race pattern). Hand-written `Promise.race` over steps is not replay-safe: on a replay every
// finished step answers from the journal at once, so another branch may "win". Here the
// winner is journaled in its own step (`<race>/winner`), so every replay takes the same branch.
import type { RaceNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { isEngineAbort } from "../interpreter/errors.js";
import { extraStepOf } from "../model/steps.js";
import { branchChildren, refOf, startBranches } from "./shared.js";
import { raceKey, raceRun } from "../interpreter/races.js";

/** The winner step records a decision already made: nothing to retry, nothing slow. */
const WINNER_CONFIG = { retries: { limit: 0, delay: 0 }, timeout: 60_000 };

export const raceNode: NodeKind<RaceNode> = {
  kind: "race",
  picture: () => ({ shape: "fork", flow: "fork", label: "first wins" }),
  durable: false,
  extraSteps: () => [{ role: "winner", suffix: "winner", api: "do" }],
  children: (n) => branchChildren(n.branches),
  expressions: () => [],
  async run(_n, frame, run) {
    // Its waits read this record when they claim an event (src/interpreter/races.ts).
    const state = raceRun(frame.state, raceKey(frame.node, frame.indices));
    const { names, results: branches } = startBranches(frame, run);
    const first = await new Promise<{ index: number; value: unknown } | { failures: unknown[] }>((resolve, reject) => {
      const failures: unknown[] = new Array(names.length);
      let failed = 0;
      branches.forEach((p, index) =>
        p.then(
          (value) => resolve({ index, value }),
          (e: unknown) => {
            if (isEngineAbort(e)) return reject(e);
            failures[index] = e;
            if (++failed === names.length) resolve({ failures });
          },
        ),
      );
    });
    if ("failures" in first) throw first.failures.find((f) => f !== undefined);
    state.deciding = true;
    // On a replay the journal answers, and may name another branch than the one first here.
    const decided = (await frame.state.effects.do(refOf(frame), extraStepOf(frame, "winner"), WINNER_CONFIG, async () => ({ winner: names[first.index]!, result: first.value }))) as { winner: string; result: unknown };
    state.deciding = false;
    state.winner = names.indexOf(decided.winner);
    return decided;
  },
};

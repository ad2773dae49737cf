// The saga's compensation stack (SPEC §3.11). Registration happens as durable nodes succeed,
// and replays rebuild it identically, so "at most once" follows from the steps' journal.
import type { Compensation, Frame } from "./context.js";
import type { Runner } from "../nodes/types.js";
import { FlowError, toFlowError } from "./errors.js";
import { stepName } from "./names.js";

/** Newest first: by order key, which follows the definition (and item index) not timing. */
function newestFirst(a: Compensation, b: Compensation): number {
  const n = Math.max(a.order.length, b.order.length);
  for (let i = 0; i < n; i++) {
    const x = a.order[i] ?? -1;
    const y = b.order[i] ?? -1;
    if (x !== y) return y - x;
  }
  return 0;
}

/** Runs every pending compensation, newest first; returns the node paths compensated. */
export async function runPendingCompensations(frame: Frame, runner: Runner): Promise<string[]> {
  const state = frame.state;
  const pending = state.compensations.filter((c) => !c.done).sort(newestFirst);
  const done: string[] = [];
  const wasCompensating = state.compensating;
  state.compensating = true;
  try {
    for (let i = 0; i < pending.length; i++) {
      const c = pending[i]!;
      c.done = true;
      const nodePath = stepName(c.path);
      try {
        await runner.steps(c.steps, { state, path: [...c.path, "compensate"], order: c.order, scope: { ...c.scope } });
      } catch (e) {
        const fe = toFlowError(e, nodePath);
        if (!fe) throw e;
        const notRun = pending.slice(i + 1).map((p) => stepName(p.path));
        throw new FlowError({
          name: "CompensationFailed",
          node: fe.info.node || nodePath,
          message: `compensation of "${nodePath}" failed (${fe.info.name}: ${fe.info.message})${notRun.length ? `; not run: ${notRun.join(", ")}` : ""}`,
        });
      }
      done.push(nodePath);
    }
  } finally {
    state.compensating = wasCompensating;
  }
  return done;
}

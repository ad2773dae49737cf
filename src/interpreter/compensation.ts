// The saga's compensation stack (docs/reference.md, "Compensation"). Registration happens as
// durable nodes succeed, and replays rebuild it identically, so "at most once" follows from the
// steps' journal. flowdsl keeps its own list rather than the engine's per-step `rollback`:
// compensations are lists of nodes (durable steps of their own, with retries, events and
// children), run newest first also when a `compensate` node asks mid-run, and a `try` may
// catch a failure without compensating.
import type { Compensation, Order, RunState } from "./context.js";
import { FlowError, toFlowError } from "./errors.js";
import { instantiate } from "../model/steps.js";
import { runList } from "./run.js";

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

const pathOf = (c: Compensation): string => instantiate(c.node.path, c.indices);

/** Runs every pending compensation, newest first; returns the node paths compensated. */
export async function runPendingCompensations(state: RunState): Promise<string[]> {
  const pending = state.compensations.filter((c) => !c.done).sort(newestFirst);
  const done: string[] = [];
  const wasCompensating = state.compensating;
  state.compensating = true;
  try {
    for (let i = 0; i < pending.length; i++) {
      const c = pending[i]!;
      c.done = true;
      const nodePath = pathOf(c);
      try {
        await runList(c.list, { state, node: c.node, indices: c.indices, order: orderOf(c.order), scope: { ...c.scope } });
      } catch (e) {
        const fe = toFlowError(e, nodePath);
        if (!fe) throw e;
        const notRun = pending.slice(i + 1).map(pathOf);
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

function orderOf(key: readonly number[]): Order {
  let o: Order = undefined;
  for (const ord of key) o = { up: o, ord };
  return o;
}

// `foreach`: steps per item, `concurrency` at a time, results collected in item order (SPEC §3.7).
import type { ForeachNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { evaluateExpressionField, renderTemplate } from "../expressions/template.js";
import { FlowError, isEngineAbort } from "../interpreter/errors.js";
import { stepName } from "../interpreter/names.js";

/** More items than this in one foreach is a mistake (each is at least one step; an instance has a step budget). */
export const MAX_FOREACH_ITEMS = 10_000;

export const foreachNode: NodeKind<ForeachNode> = {
  kind: "foreach",
  durable: false,
  children: (n) => [{ at: ["steps"], steps: n.steps ?? [], segments: [], loop: true }],
  expressions: (n) => [
    { at: ["in"], value: n.in, mode: "expression" as const, inStep: false },
    ...(n.collect !== undefined ? [{ at: ["collect"], value: n.collect, mode: "template" as const, inStep: false }] : []),
  ],
  declares: (n) => [
    ...(n.each ? [{ name: n.each, at: ["each"] }] : []),
    ...(n.index ? [{ name: n.index, at: ["index"] }] : []),
  ],
  async run(n, frame, run) {
    const name = stepName(frame.path);
    const raw = await evaluateExpressionField(n.in, frame.scope);
    const items = raw === null ? [] : Array.isArray(raw) ? raw : [raw];
    if (items.length > MAX_FOREACH_ITEMS) throw new FlowError({ name: "ExpressionError", node: name, message: `foreach over ${items.length} items; at most ${MAX_FOREACH_ITEMS}. Split the work into child workflows.` });
    const each = n.each ?? "item";
    const index = n.index ?? "index";
    const last = frame.path[frame.path.length - 1]!;
    const parentPath = frame.path.slice(0, -1);
    const iteration = async (i: number): Promise<unknown> => {
      const scope = { ...frame.scope, [each]: items[i], [index]: i };
      const f = { state: frame.state, path: [...parentPath, `${last}[${i}]`], order: [...frame.order, i], scope };
      const result = await run.steps(n.steps, f);
      return n.collect === undefined ? result : renderTemplate(n.collect, { ...scope, result });
    };
    const concurrency = Math.max(1, n.concurrency ?? 1);
    // A pool: a free slot takes the next item in index order. Items start in index order, so
    // the lowest failing index is started in every run, and raising the lowest-index failure
    // gives the same error on every replay. After a failure no new item starts.
    const launched: Array<Promise<{ ok: true; v: unknown } | { ok: false; e: unknown }>> = [];
    let next = 0;
    let failed = false;
    const slot = async (): Promise<void> => {
      while (!failed && next < items.length) {
        const i = next++;
        const p = iteration(i).then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e }));
        launched[i] = p;
        if (!(await p).ok) failed = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, slot));
    const results = await Promise.all(launched);
    // Engine control flow (pause, terminate, a crash) outranks any ordinary failure.
    const abort = results.find((r) => !r.ok && isEngineAbort(r.e));
    if (abort && !abort.ok) throw abort.e;
    const firstFailure = results.find((r) => !r.ok);
    if (firstFailure && !firstFailure.ok) throw firstFailure.e;
    return results.map((r) => (r.ok ? r.v : null));
  },
};

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
    // Iteration i starts only once iterations 0..i-concurrency have all succeeded. That
    // depends on outcomes, never on timing, so a replay starts exactly the same iterations.
    const launched: Array<Promise<{ ok: true; v: unknown } | { ok: false; e: unknown }>> = [];
    let failed = false;
    for (let i = 0; i < items.length && !failed; i++) {
      if (i >= concurrency) {
        const settled = await launched[i - concurrency]!;
        if (!settled.ok) failed = true;
        if (failed) break;
      }
      launched.push(iteration(i).then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e })));
    }
    const results = await Promise.all(launched);
    // Engine control flow (pause, terminate, a crash) outranks any ordinary failure.
    const abort = results.find((r) => !r.ok && isEngineAbort(r.e));
    if (abort && !abort.ok) throw abort.e;
    const firstFailure = results.find((r) => !r.ok);
    if (firstFailure && !firstFailure.ok) throw firstFailure.e;
    return results.map((r) => (r.ok ? r.v : null));
  },
};

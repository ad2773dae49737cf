// `foreach`: steps per item, `concurrency` at a time, results collected in item order (docs/reference.md, Nodes).
import type { ForeachNode } from "../generated/workflow.js";
import type { NodeKind } from "./types.js";
import { evaluateExpressionField, renderTemplate } from "../expressions/template.js";
import { FlowError, isEngineAbort } from "../interpreter/errors.js";
import { stepOf } from "../model/steps.js";
import { arrayBound } from "../model/budget.js";

/** More items than this in one foreach is a mistake (each is at least one step; an instance has a step budget). */
export const MAX_FOREACH_ITEMS = 10_000;

export const foreachNode: NodeKind<ForeachNode> = {
  kind: "foreach",
  picture: () => ({ shape: "loop", flow: "loop", label: "each" }),
  durable: false,
  children: (n) => [{ edge: "body", at: ["steps"], steps: n.steps ?? [], segments: [], loop: true, scope: "isolated", binds: [n.each ?? "item", n.index ?? "index"] }],
  expressions: (n) => [
    { at: ["in"], value: n.in, mode: "expression" as const, inStep: false },
    // collect sees the iteration's scope (loop variables and the body's writes) and $result.
    ...(n.collect !== undefined ? [{ at: ["collect"], value: n.collect, mode: "template" as const, inStep: false, sees: ["result"], seesBody: true }] : []),
  ],
  // The fewest of: `max`, a literal list's length, the input schema's maxItems; else the maximum.
  loopBound(n, input) {
    const candidates: Array<{ bound: number; why: string }> = [];
    if (typeof n.max === "number") candidates.push({ bound: n.max, why: `foreach "${n.foreach}": max ${n.max}` });
    const fromIn = typeof n.in === "string" ? arrayBound(n.in, input) : undefined;
    if (fromIn) candidates.push({ bound: fromIn.bound, why: `foreach "${n.foreach}": ${fromIn.why}` });
    return candidates.sort((a, b) => a.bound - b.bound)[0] ?? { bound: MAX_FOREACH_ITEMS, why: `foreach "${n.foreach}": no bound (a literal list, maxItems in the input schema, or max), so the foreach maximum ${MAX_FOREACH_ITEMS}` };
  },
  declares: (n) => [
    ...(n.each ? [{ name: n.each, at: ["each"], scope: "children" as const }] : []),
    ...(n.index ? [{ name: n.index, at: ["index"], scope: "children" as const }] : []),
  ],
  async run(n, frame, run) {
    const name = stepOf(frame);
    const body = frame.node.edges[0]!.list;
    const raw = await evaluateExpressionField(n.in, frame.scope);
    const items = raw === null ? [] : Array.isArray(raw) ? raw : [raw];
    if (items.length > MAX_FOREACH_ITEMS) throw new FlowError({ name: "ExpressionError", node: name, message: `foreach over ${items.length} items; at most ${MAX_FOREACH_ITEMS}. Split the work into child workflows.` });
    if (n.max !== undefined && items.length > n.max) throw new FlowError({ name: "ExpressionError", node: name, message: `foreach over ${items.length} items; this node's \`max\` is ${n.max}. Raise \`max\` (and check the step budget) or split the work.` });
    const each = n.each ?? "item";
    const index = n.index ?? "index";
    const iteration = async (i: number): Promise<unknown> => {
      const scope = { ...frame.scope, [each]: items[i], [index]: i };
      const result = await run.steps(body, frame, i, { scope, index: i });
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

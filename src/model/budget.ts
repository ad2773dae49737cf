// The step budget (docs/reference.md, "Step budget"): the most steps one instance can run, as
// Cloudflare counts them. The engine counts every `step.do` call (the local engine's
// `lifetimeStepCounter` counts `do` only; Cloudflare's limits page says sleeps do not count),
// so `do`, `http` and a child's start count one each, a race's winner one, a child reporting to
// its parent one; sleeps and event waits count nothing. Loops multiply their bodies by their
// bound, a switch takes its largest case, a try its steps plus its largest handler, a parallel
// or race the sum of its branches, and compensations count where their node does.
import type { ExprNode } from "jsonata";
import type { ModelList, ModelNode } from "./model.js";
import { compile, expressionSource } from "../expressions/template.js";

/** Cloudflare's production maximum for `limits.steps` (wrangler warns past it). */
export const ENGINE_MAX_STEPS = 25_000;
/** The engine's limit when a workflow sets no `limits.steps`. */
export const DEFAULT_MAX_STEPS = 10_000;
/** The Workers Free plan's limit. */
export const FREE_PLAN_MAX_STEPS = 1_024;
export const isOverEngineMax = (steps: number): boolean => steps > ENGINE_MAX_STEPS;
export const isOverDefault = (steps: number): boolean => steps > DEFAULT_MAX_STEPS;
export const isOverFreePlan = (steps: number): boolean => steps > FREE_PLAN_MAX_STEPS;

/** One loop a row sits in, with its bound and where the bound comes from. */
export interface LoopBound {
  node: ModelNode;
  bound: number;
  why: string;
}

/** One node's contribution on the worst path: its own steps times its loops. */
export interface BudgetRow {
  node: ModelNode;
  /** Steps per execution (1 for do/http/workflow start, 1 for a race's winner). */
  steps: number;
  loops: LoopBound[];
  total: number;
}

export interface Budget {
  total: number;
  rows: BudgetRow[];
  /** The step a child instance takes to report to its parent. */
  notifyParent: number;
}

interface InputSchemaLike {
  properties?: Record<string, unknown>;
  items?: unknown;
  maxItems?: unknown;
}

export function stepBudget(root: ModelList, input: unknown): Budget {
  const rows = listRows(root, [], input);
  const notifyParent = 1;
  return { total: rows.reduce((n, r) => n + r.total, 0) + notifyParent, rows, notifyParent };
}

const sum = (rows: BudgetRow[]): number => rows.reduce((n, r) => n + r.total, 0);

function listRows(list: ModelList, loops: LoopBound[], input: unknown): BudgetRow[] {
  return list.nodes.flatMap((m) => nodeRows(m, loops, input));
}

function row(node: ModelNode, steps: number, loops: LoopBound[]): BudgetRow {
  return { node, steps, loops, total: loops.reduce((n, l) => n * l.bound, steps) };
}

/**
 * A node's rows on its worst path, from its edges alone: cases and the default are
 * alternatives (the largest counts), a try's steps run and then at most one handler (the
 * largest), a loop body runs `bound` times, and every other list (branches, compensation) runs
 * once each.
 */
function nodeRows(m: ModelNode, loops: LoopBound[], input: unknown): BudgetRow[] {
  const own = m.steps.filter((s) => s.api === "do").length;
  const rows: BudgetRow[] = own > 0 ? [row(m, own, loops)] : [];
  const worst = (lists: ModelList[]): BudgetRow[] => {
    let best: BudgetRow[] = [];
    for (const l of lists) {
      const r = listRows(l, loops, input);
      if (sum(r) > sum(best)) best = r;
    }
    return best;
  };
  const alternatives = m.edges.filter((e) => e.edge === "case" || e.edge === "default").map((e) => e.list);
  const handlers = m.edges.filter((e) => e.edge === "catch").map((e) => e.list);
  for (const e of m.edges) {
    if (e.edge === "case" || e.edge === "default" || e.edge === "catch") continue;
    const inner = e.loop ? [...loops, { node: m, ...(m.loopBound?.(input) ?? { bound: 1, why: `${m.kind} "${m.name}"` }) }] : loops;
    rows.push(...listRows(e.list, inner, input));
  }
  return [...rows, ...worst(alternatives), ...worst(handlers)];
}

/** The bound a literal list or the input schema's `maxItems` puts on an expression's array. */
export function arrayBound(text: string, input: unknown): { bound: number; why: string } | undefined {
  let ast: ExprNode;
  try {
    ast = compile(expressionSource(text).expr).ast();
  } catch {
    return undefined;
  }
  const a = ast as unknown as { type: string; value?: unknown; expressions?: Array<{ type: string; value?: unknown }>; steps?: Array<{ type: string; value?: unknown }> };
  // A literal list: [a, b, c] (no ranges, which could be long).
  if (a.type === "unary" && a.value === "[" && Array.isArray(a.expressions) && a.expressions.every((e) => !(e.type === "binary" && e.value === ".."))) {
    return { bound: a.expressions.length, why: `a literal list of ${a.expressions.length}` };
  }
  // $input.a.b: the input schema's maxItems at that path.
  if (a.type === "path" && Array.isArray(a.steps) && a.steps[0]?.type === "variable" && a.steps[0].value === "input" && a.steps.slice(1).every((s) => s.type === "name")) {
    const names = a.steps.slice(1).map((s) => String(s.value));
    let schema = input as InputSchemaLike | undefined;
    for (const name of names) schema = schema?.properties?.[name] as InputSchemaLike | undefined;
    if (schema && typeof schema.maxItems === "number") return { bound: schema.maxItems, why: `maxItems ${schema.maxItems} of $input.${names.join(".")}` };
  }
  return undefined;
}

/** "create invoice ×1; charge[{i}]/notify ×1 × 10000 (…)" lines, largest first. */
export function describeRows(rows: BudgetRow[], limit = rows.length): string[] {
  return [...rows]
    .sort((a, b) => b.total - a.total)
    .slice(0, limit)
    .map((r) => `${r.node.path.text}: ${r.total}${r.loops.length > 0 ? ` (${r.steps} × ${r.loops.map((l) => `${l.bound} [${l.why}]`).join(" × ")})` : ""}`);
}

// Expression fuel (docs/reference.md, "Hostile input"): an evaluation is bounded by the steps
// it takes, counted by JSONata's own `__evaluate_entry` hook, never by a clock.
import type { Bindings } from "./values.js";

/**
 * Expression fuel (docs/reference.md, "Hostile input"). JSONata's `timeout` reads Date.now(),
 * which a deployed Worker does not advance during CPU work, so an evaluation is bounded by the
 * work it does instead: every evaluation step (JSONata's `__evaluate_entry` hook) burns one unit.
 * The count depends only on the expression and its data, so a replay fails at the same step.
 */
export const DEFAULT_EXPRESSION_STEPS = 1_000_000;
export const MIN_EXPRESSION_STEPS = 1_000;
export const MAX_EXPRESSION_STEPS = 10_000_000;
export const isExpressionStepsInRange = (n: number): boolean => Number.isInteger(n) && n >= MIN_EXPRESSION_STEPS && n <= MAX_EXPRESSION_STEPS;
/**
 * Steps between two yields to the event loop (about a millisecond of work; bench/notes.md has
 * why 1,000 and not 5,000 or 10,000): an expression that
 * burns its fuel leaves the isolate to the API and to other instances this often.
 */
export const FUEL_SLICE_STEPS = 1_000;
/** The scope key that carries a definition's own `limits.expressionSteps`: a symbol, so never a variable and never serialized. */
export const EXPRESSION_STEPS: unique symbol = Symbol("flowdsl.expressionSteps");

export interface Fuel {
  left: number;
  readonly limit: number;
}
/** The binding that hands an evaluation its fuel: a name no JSONata variable can spell. */
export const FUEL_BINDING = " fuel";
/** Where the hook keeps the fuel on JSONata's per-evaluation frame once it has looked it up. */
const FUEL_SLOT = Symbol("flowdsl.fuel");
export const EVALUATE_ENTRY = Symbol.for("jsonata.__evaluate_entry");
const UNMETERED: Fuel = { left: Infinity, limit: Infinity };

export class OutOfFuel extends Error {
  constructor(readonly limit: number) {
    super(`the expression took more than ${limit} evaluation steps`);
  }
}

type EvaluationFrame = { base: { [FUEL_SLOT]?: Fuel }; lookup(name: string): unknown };
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** JSONata calls this before every evaluation step; `env.base` is that evaluation's own frame. */
export function burn(_node: unknown, _input: unknown, env: EvaluationFrame): Promise<void> | undefined {
  const base = env.base;
  let fuel = base[FUEL_SLOT];
  if (fuel === undefined) {
    fuel = (env.lookup(FUEL_BINDING) as Fuel | undefined) ?? UNMETERED;
    base[FUEL_SLOT] = fuel;
  }
  if (--fuel.left < 0) throw new OutOfFuel(fuel.limit);
  return fuel.left % FUEL_SLICE_STEPS === 0 ? yieldToEventLoop() : undefined;
}

/** The fuel limit a scope carries (a definition's `limits.expressionSteps`), else the default. */
export function fuelLimitOf(bindings: Bindings): number {
  const own = (bindings as { [EXPRESSION_STEPS]?: unknown })[EXPRESSION_STEPS];
  return typeof own === "number" ? own : DEFAULT_EXPRESSION_STEPS;
}

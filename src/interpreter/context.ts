// What the interpreter needs from its surroundings, kept as interfaces so the same code
// runs on Cloudflare's engine (src/entrypoint.ts) and on the Node replay harness.
import type { FlowdslWorkflowDefinition, Retries } from "../generated/workflow.js";
import type { Bindings } from "../expressions/template.js";
import type { ActionRegistry } from "../actions/types.js";
import type { ModelList, ModelNode } from "../model/model.js";
import type { Effects } from "./effects.js";
import type { TerminateTarget } from "./terminate.js";

export type Definition = FlowdslWorkflowDefinition;
export type Scope = Record<string, unknown>;

export interface StepConfig {
  /** `delay` is a function (the engine's dynamic delay) when `maxDelay` caps the backoff. */
  retries?: { limit: number; delay: number | ((input: { ctx: { attempt: number } }) => number); backoff?: NonNullable<Retries["backoff"]>; maxDelay?: number };
  timeout?: number;
  sensitive?: "output";
}

/** The subset of Cloudflare's WorkflowStep the interpreter uses. */
export interface StepLike {
  do<T>(name: string, fn: (ctx?: { attempt?: number }) => Promise<T>): Promise<T>;
  do<T>(name: string, config: StepConfig, fn: (ctx?: { attempt?: number }) => Promise<T>): Promise<T>;
  sleep(name: string, ms: number): Promise<void>;
  sleepUntil(name: string, at: Date): Promise<void>;
  waitForEvent<T>(name: string, opts: { type: string; timeout: number }): Promise<{ payload: T }>;
}

/**
 * Params of every instance (docs/reference.md, "Versions"): the definition is pinned by name and
 * hash (src/definition/pinned.ts finds it); params from earlier versions and tests carry it.
 */
export interface InstanceParams {
  name: string;
  hash: string;
  definition?: Definition;
  input: unknown;
  /** Set on child instances: where to report the outcome (binding absent: the legacy FLOW). */
  parent?: { id: string; event: string; binding?: string };
}

/** Params with the pinned definition found: what the interpreter runs. */
export type RunnableParams = InstanceParams & { definition: Definition };

export interface ChildHost {
  /** Latest definition of that name, as built into the Worker. */
  lookup(name: string): { definition: Definition; hash: string } | undefined;
  /** Creates the instance (running `definition`); an instance that already exists with that id counts as created. */
  create(id: string, params: InstanceParams, definition: Definition): Promise<void>;
  /** Sends the child's outcome to its parent. */
  notify(parent: { id: string; binding?: string }, event: string, payload: unknown): Promise<void>;
  /** How a child reaches this instance: its id and workflow binding. */
  parentRef?(): { id: string; binding: string };
}

export interface Host {
  env: Record<string, unknown>;
  instanceId: string;
  fetch: typeof fetch;
  actions: ActionRegistry;
  children?: ChildHost;
  /** Where a terminate-with-compensation asked this instance to stop (read once per run, only for definitions with compensations). */
  terminateRequest?(): Promise<string | null>;
  /** Ends this instance as terminated, after its compensations ran. */
  terminateSelf?(): Promise<void>;
  /** Sends an event to this instance (a race's loser hands back an event it took). */
  sendSelf?(type: string, payload: unknown): Promise<void>;
}

/** Where a node sits in the run: a position key that follows the definition and loop indices. */
export type Order = { readonly up: Order; readonly ord: number } | undefined;

export function orderKey(o: Order): number[] {
  const out: number[] = [];
  for (let x = o; x; x = x.up) out.push(x.ord);
  return out.reverse();
}

export interface Compensation {
  /** The node that registered it, and the loop indices it ran under. */
  node: ModelNode;
  list: ModelList;
  indices: readonly number[];
  order: number[];
  scope: Scope;
  done: boolean;
}

export interface RunState {
  effects: Effects;
  host: Host;
  params: RunnableParams;
  workflow: { id: string; name: string; hash: string };
  compensations: Compensation[];
  /** Inside compensation steps nothing new is registered. */
  compensating: boolean;
  /** Read from the env once per run, not per step (plain JS between engine calls is dear: bench/notes.md). */
  allowPrivateHosts: boolean;
  /** FLOWDSL_LOG is not "off": step attempts may log. */
  logAttempts: boolean;
  /** A terminate-with-compensation in progress: where to stop. */
  terminate?: TerminateTarget;
  /** Observer of reached nodes (RunOptions.onNode). */
  onNode?: (node: ModelNode) => void;
  /** Races of this run by key, and engine calls in flight (src/interpreter/races.ts). */
  races?: Map<string, import("./races.js").RaceRun>;
  inflight?: Set<{ node: ModelNode; indices: readonly number[]; started: number }>;
}

/**
 * Where a node runs: the model node (its identity and templates), the loop indices that name
 * its steps, its order key (for newest-first compensation), and its scope.
 */
export interface Frame {
  state: RunState;
  node: ModelNode;
  indices: readonly number[];
  order: Order;
  scope: Scope;
}

export function bindingsOf(frame: Frame, extra?: Bindings): Bindings {
  return extra ? { ...frame.scope, ...extra } : frame.scope;
}

// The one seam for effects (Temporal's outbound interceptors): every engine step, outbound
// fetch and action call of a node goes through an Effects object, keyed by the node's model
// identity. The interpreter's default talks to Cloudflare's step and the host; a test runner
// or a history wraps it (`RunOptions.effects`) without touching node code.
import type { ActionContext } from "../actions/types.js";
import type { ModelNode } from "../model/model.js";
import type { Host, StepConfig, StepLike } from "./context.js";
import { own } from "../core/own.js";

/** Which node, under which loop indices, is asking. `null` for instance-level steps. */
export interface NodeRef {
  node: ModelNode;
  indices: readonly number[];
}

export type StepBody<T> = (ctx?: { attempt?: number }) => Promise<T>;

export interface Effects {
  do<T>(at: NodeRef | null, name: string, config: StepConfig | undefined, fn: StepBody<T>): Promise<T>;
  sleep(at: NodeRef, name: string, ms: number): Promise<void>;
  sleepUntil(at: NodeRef, name: string, until: Date): Promise<void>;
  waitForEvent<T>(at: NodeRef, name: string, opts: { type: string; timeout: number }): Promise<{ payload: T }>;
  /** One outbound request, redirects not followed (callers check each hop: src/interpreter/outbound.ts). */
  fetch(at: NodeRef, url: string, init: RequestInit): Promise<Response>;
  action(at: NodeRef, name: string, args: unknown, ctx: ActionContext): Promise<unknown>;
}

/** Effects on Cloudflare's engine (or anything shaped like its step) and the Worker's host. */
export function engineEffects(step: StepLike, host: Host): Effects {
  return {
    do: (_at, name, config, fn) => (config === undefined ? step.do(name, fn) : step.do(name, config, fn)),
    sleep: (_at, name, ms) => step.sleep(name, ms),
    sleepUntil: (_at, name, until) => step.sleepUntil(name, until),
    waitForEvent: (_at, name, opts) => step.waitForEvent(name, opts),
    fetch: (_at, url, init) => host.fetch(url, init),
    async action(_at, name, args, ctx) {
      const action = own(host.actions, name);
      if (!action) throw new UnknownAction(name);
      return action(args, ctx);
    },
  };
}

export class UnknownAction extends Error {
  constructor(readonly action: string) {
    super(`No action "${action}" is registered in this Worker.`);
  }
}

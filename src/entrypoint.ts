// The one WorkflowEntrypoint: every definition runs through the interpreter (docs/reference.md, Versions).
import { WorkflowEntrypoint } from "cloudflare:workers";
import type { WorkflowEvent, WorkflowStep } from "cloudflare:workers";
import type { Env } from "./env.js";
import type { ChildHost, InstanceParams, StepLike } from "./interpreter/context.js";
import { runInstance } from "./interpreter/run.js";
import { ACTIONS } from "./actions/index.js";
import { DEFINITIONS } from "./generated/definitions.js";
import { recordInstance } from "./api/registry.js";

export class DefinitionWorkflow extends WorkflowEntrypoint<Env, InstanceParams> {
  override async run(event: Readonly<WorkflowEvent<InstanceParams>>, step: WorkflowStep): Promise<unknown> {
    const env = this.env;
    const children: ChildHost = {
      lookup: (name) => DEFINITIONS[name],
      async create(id, params) {
        try {
          await env.FLOW.create({ id, params });
        } catch (e) {
          if (!/already exists/i.test(e instanceof Error ? e.message : String(e))) throw e;
        }
        await recordInstance(env.DB, { id, name: params.name, hash: params.hash, created: Date.now(), parent: event.instanceId });
      },
      async notify(parentId, type, payload) {
        const parent = await env.FLOW.get(parentId);
        await parent.sendEvent({ type, payload });
      },
    };
    return runInstance(event.payload, event.instanceId, step as unknown as StepLike, {
      env: env as unknown as Record<string, unknown>,
      instanceId: event.instanceId,
      fetch: (input, init) => fetch(input, init),
      actions: ACTIONS,
      children,
    });
  }
}

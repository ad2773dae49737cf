// The one WorkflowEntrypoint: every definition's workflow runs through the interpreter, which
// replays the definition pinned in the instance's params (docs/reference.md, Versions).
// `event.workflowName` says which Cloudflare workflow (which definition) this is; instances of
// the single workflow of earlier versions (binding FLOW) run here too.
import { WorkflowEntrypoint } from "cloudflare:workers";
import type { WorkflowEvent, WorkflowStep } from "cloudflare:workers";
import type { Env } from "./env.js";
import type { ChildHost, InstanceParams, StepLike } from "./interpreter/context.js";
import { runInstance } from "./interpreter/run.js";
import { ACTIONS } from "./actions/index.js";
import { DEFINITIONS } from "./generated/definitions.js";
import { recordRow, terminationRequest } from "./api/registry.js";
import { LEGACY_BINDING } from "./definition/entries.js";
import { isAlreadyExists } from "./api/instances.js";

export class DefinitionWorkflow extends WorkflowEntrypoint<Env, InstanceParams> {
  override async run(event: Readonly<WorkflowEvent<InstanceParams>>, step: WorkflowStep): Promise<unknown> {
    const env = this.env;
    const workflow = (binding: string): Workflow<InstanceParams> => {
      const w = env[binding] as Workflow<InstanceParams> | undefined;
      if (!w) throw new Error(`This Worker has no workflow binding ${binding}; deploy with npm run deploy.`);
      return w;
    };
    const children: ChildHost = {
      lookup: (name) => DEFINITIONS[name],
      // On the child definition's own workflow; the registry row first, as the API does.
      async create(id, params) {
        const d = DEFINITIONS[params.name];
        if (!d) throw new Error(`no definition "${params.name}" is built into this Worker`);
        // The row first: a retried step finds it (INSERT OR IGNORE) and the child is never without one.
        await recordRow(env.DB, { id, name: params.name, hash: params.hash, created: Date.now(), parent: event.instanceId, binding: d.binding });
        try {
          await workflow(d.binding).create({ id, params });
        } catch (e) {
          if (!isAlreadyExists(e)) throw e;
        }
      },
      async notify(parent, type, payload) {
        const handle = await workflow(parent.binding ?? LEGACY_BINDING).get(parent.id);
        await handle.sendEvent({ type, payload });
      },
      // Which binding reaches this instance: its own workflow's, or FLOW for an older instance.
      parentRef: () => ({ id: event.instanceId, binding: Object.values(DEFINITIONS).find((d) => d.workflow === event.workflowName)?.binding ?? LEGACY_BINDING }),
    };
    return runInstance(event.payload, event.instanceId, step as unknown as StepLike, {
      env: env as unknown as Record<string, unknown>,
      instanceId: event.instanceId,
      fetch: (input, init) => fetch(input, init),
      actions: ACTIONS,
      children,
      terminateRequest: () => terminationRequest(env.DB, event.instanceId),
      async terminateSelf() {
        const self = children.parentRef!();
        await (await workflow(self.binding).get(self.id)).terminate();
      },
      async sendSelf(type, payload) {
        const self = children.parentRef!();
        await (await workflow(self.binding).get(self.id)).sendEvent({ type, payload });
      },
    });
  }
}

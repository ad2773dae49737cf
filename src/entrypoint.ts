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
import { markStarted, recordRow, terminationRequest } from "./api/registry.js";
import { LEGACY_BINDING } from "./definition/entries.js";
import { isAlreadyExists } from "./api/instances.js";
import { pinnedDefinition } from "./definition/pinned.js";
import type { DefinitionTable } from "./definition/pinned.js";
import { own } from "./core/own.js";

export class DefinitionWorkflow extends WorkflowEntrypoint<Env, InstanceParams> {
  /** The definitions built into this Worker, by name (the benchmark's Worker brings its own). */
  protected definitions(): DefinitionTable {
    return DEFINITIONS;
  }

  override async run(event: Readonly<WorkflowEvent<InstanceParams>>, step: WorkflowStep): Promise<unknown> {
    const env = this.env;
    const table = this.definitions();
    const definition = await pinnedDefinition(env.DB, table, event.payload);
    if (!definition) throw new Error(`Definition ${event.payload.name} version ${event.payload.hash} is neither built into this Worker nor stored in D1 (flowdsl_definitions); it cannot run.`);
    const workflow = (binding: string): Workflow<InstanceParams> => {
      const w = own(env as unknown as Record<string, unknown>, binding) as Workflow<InstanceParams> | undefined;
      if (!w) throw new Error(`This Worker has no workflow binding ${binding}; deploy with npm run deploy.`);
      return w;
    };
    const children: ChildHost = {
      lookup: (name) => own(table, name),
      // On the child definition's own workflow; the registry row first, as the API does.
      async create(id, params, def) {
        const d = own(DEFINITIONS, params.name);
        if (!d) throw new Error(`no definition "${params.name}" is built into this Worker`);
        // The row first: a retried step finds it (INSERT OR IGNORE) and the child is never without one.
        await recordRow(env.DB, { id, name: params.name, hash: params.hash, created: Date.now(), parent: event.instanceId, binding: d.binding }, { name: params.name, hash: params.hash, definition: def });
        try {
          await workflow(d.binding).create({ id, params });
        } catch (e) {
          if (!isAlreadyExists(e)) throw e;
        }
        await markStarted(env.DB, [id]);
      },
      async notify(parent, type, payload) {
        const handle = await workflow(parent.binding ?? LEGACY_BINDING).get(parent.id);
        await handle.sendEvent({ type, payload });
      },
      // Which binding reaches this instance: its own workflow's, or FLOW for an older instance.
      parentRef: () => ({ id: event.instanceId, binding: Object.values(DEFINITIONS).find((d) => d.workflow === event.workflowName)?.binding ?? LEGACY_BINDING }),
    };
    return runInstance({ ...event.payload, definition }, event.instanceId, step as unknown as StepLike, {
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

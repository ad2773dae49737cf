// Helpers for tests on the real local Workflows engine.
import { env } from "cloudflare:workers";
import { introspectWorkflowInstance } from "cloudflare:test";
import type { WorkflowInstanceIntrospector } from "cloudflare:test";
import { loadDefinition } from "../../src/definition/load.js";
import type { Definition, InstanceParams } from "../../src/interpreter/context.js";
import type { Env } from "../../src/env.js";
import { DEFINITIONS } from "../../src/generated/definitions.js";

export const testEnv = env as unknown as Env & { MOCK_ORIGIN: string; KV: KVNamespace; BUCKET: R2Bucket; QUEUE: Queue; FLOW: Workflow<InstanceParams> };

/** A definition's own Cloudflare workflow (the build gives each one). */
export function workflowOf(name: string): Workflow<InstanceParams> {
  const d = DEFINITIONS[name];
  if (!d) throw new Error(`no definition ${name} is built`);
  return testEnv[d.binding] as Workflow<InstanceParams>;
}
export const origin = (): string => testEnv.MOCK_ORIGIN;

/** Parses a YAML definition (the node test suite validates every file in test/definitions). */
export function definition(yaml: string): Definition {
  const loaded = loadDefinition(yaml, "inline.yaml");
  if (loaded.diagnostics.length > 0) throw new Error(loaded.diagnostics.map((d) => d.message).join("; "));
  return loaded.value as Definition;
}

let counter = 0;
export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

export function paramsOf(def: Definition, input: unknown = {}): InstanceParams {
  return { name: def.name, hash: "test", definition: def, input };
}

/** Starts an instance with sleeps disabled unless told otherwise; returns its introspector. */
type Modifier = Parameters<Parameters<WorkflowInstanceIntrospector["modify"]>[0]>[0];
export async function start(def: Definition, input: unknown = {}, opts: { sleeps?: boolean; id?: string; modify?: (m: Modifier) => Promise<void> } = {}) {
  const id = opts.id ?? uniqueId(def.name);
  const intro = await introspectWorkflowInstance(testEnv.FLOW, id);
  await intro.modify(async (m) => {
    if (!opts.sleeps) await m.disableSleeps();
    await m.disableRetryDelays();
    if (opts.modify) await opts.modify(m);
  });
  await testEnv.FLOW.create({ id, params: paramsOf(def, input) });
  return { id, intro };
}

export async function script(answers: Record<string, Array<{ status: number; body?: unknown; headers?: Record<string, string>; times?: number; delayMs?: number }>>): Promise<void> {
  const r = await fetch(`${origin()}/__script`, { method: "POST", body: JSON.stringify(answers) });
  if (!r.ok) throw new Error("mock server script failed");
}

export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}
export async function calls(prefix: string): Promise<Call[]> {
  return (await (await fetch(`${origin()}/__calls?prefix=${encodeURIComponent(prefix)}`)).json()) as Call[];
}

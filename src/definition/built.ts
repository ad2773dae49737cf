// The shape of a definition as built into the Worker (scripts/build.ts writes them).
import type { FlowdslWorkflowDefinition } from "../generated/workflow.js";

export interface BuiltDefinition {
  name: string;
  description: string;
  hash: string;
  definition: FlowdslWorkflowDefinition;
  input: unknown;
  /** The definition's cron schedules, normalized. */
  schedules?: string[];
  /** Its Cloudflare workflow: the entry's name and the Worker's binding to it. */
  workflow: string;
  binding: string;
  /** The YAML as written (shown by the web page, with line numbers). */
  source: string;
  /** Worst-case steps of one instance (the model's step budget): the entry's `limits.steps` past the engine default. */
  steps: number;
}

export interface InputError {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** An ajv standalone validator: a function with `.errors` after a failed call. */
export type InputValidator = ((data: unknown) => boolean) & { errors?: InputError[] | null };

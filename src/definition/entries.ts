// Each definition is a Cloudflare Workflow of its own (docs/reference.md, "Workflows on
// Cloudflare"): one `workflows` entry per definition, all backed by the one interpreter
// class. This module names the entries and bindings and maps definition fields onto them;
// scripts/build.ts writes the generated wrangler config from it.
import { stableHash } from "../interpreter/names.js";
import { DEFAULT_MAX_STEPS, isOverDefault } from "../model/budget.js";

/** Cloudflare's limit on a workflow's name. */
export const MAX_WORKFLOW_NAME_LENGTH = 64;
export const isWorkflowNameTooLong = (n: string): boolean => n.length > MAX_WORKFLOW_NAME_LENGTH;
/** The class every generated entry names. */
export const WORKFLOW_CLASS = "DefinitionWorkflow";
/** The single entry of flowdsl before per-definition workflows; kept so old instances finish. */
export const LEGACY_BINDING = "FLOW";

/**
 * The workflow's name on Cloudflare: `<worker name>-<definition name>`. Workflow names are
 * unique per account, and the Worker's name keeps two flowdsl Workers apart. Past 64
 * characters the name keeps its start and ends in a stable hash.
 */
export function workflowName(workerName: string, definition: string): string {
  const full = `${workerName}-${definition}`;
  if (!isWorkflowNameTooLong(full)) return full;
  return `${full.slice(0, MAX_WORKFLOW_NAME_LENGTH - 9)}-${stableHash(full).slice(0, 8)}`;
}

/** The binding in the Worker: `FLOW_<NAME>` (`order-saga` → `FLOW_ORDER_SAGA`). */
export function bindingName(definition: string): string {
  return `FLOW_${definition.toUpperCase().replace(/-/g, "_")}`;
}

export interface EntrySource {
  name: string;
  concurrency?: number;
  retention?: { success?: string | number; error?: string | number };
  /** The definition's worst-case step count (the model's step budget). */
  steps: number;
}

export interface WorkflowEntry {
  name: string;
  binding: string;
  class_name: string;
  limits?: { steps: number };
  concurrency?: { limit: number };
  default_retention?: { success_retention?: string | number; error_retention?: string | number };
}

/**
 * The entry of one definition. `limits.steps` is set only past the engine's default (10,000),
 * to the worst case; `concurrency` and `retention` map onto the engine's own fields.
 */
export function entryOf(workerName: string, d: EntrySource): WorkflowEntry {
  return {
    name: workflowName(workerName, d.name),
    binding: bindingName(d.name),
    class_name: WORKFLOW_CLASS,
    ...(isOverDefault(d.steps) ? { limits: { steps: d.steps } } : {}),
    ...(d.concurrency !== undefined ? { concurrency: { limit: d.concurrency } } : {}),
    ...(d.retention
      ? {
          default_retention: {
            ...(d.retention.success !== undefined ? { success_retention: d.retention.success } : {}),
            ...(d.retention.error !== undefined ? { error_retention: d.retention.error } : {}),
          },
        }
      : {}),
  };
}

export { DEFAULT_MAX_STEPS };

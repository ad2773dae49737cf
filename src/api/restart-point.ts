// Where a restart starts (docs/reference.md, HTTP API): a node path or a step name, checked
// against the model of the definition the instance runs.
import { modelOf } from "../model/model.js";
import { instantiate, templateRegex } from "../model/steps.js";
import { ApiError } from "./errors.js";
import type { Definition } from "../interpreter/context.js";

/**
 * Where a restart starts: a node path (`/steps/2`, the first step in that node, loop indices 0)
 * or a step name (`charge[3]/notify`), checked against the definition's model.
 */
export function restartPoint(name: string, def: Definition | undefined, from: unknown): { name: string; type?: "do" | "sleep" | "waitForEvent" } {
  if (typeof from !== "string" || from === "") throw new ApiError(400, "UNKNOWN_NODE", "`from` is a node path (\"/steps/2\") or a step name (\"charge[3]/notify\").");
  if (!def) {
    // The version this instance runs is nowhere to be found: only a step name can be checked by the engine.
    if (from.startsWith("/")) throw new ApiError(400, "UNKNOWN_NODE", `The version of ${name} this instance runs is not available; give a step name, not a node path.`);
    return { name: from };
  }
  const model = modelOf(def);
  if (from.startsWith("/")) {
    const node = model.byId.get(from);
    if (!node) throw new ApiError(400, "UNKNOWN_NODE", `${name} has no node at ${from}.`);
    const first = model.nodes.find((m) => (m === node || m.id.startsWith(node.id + "/")) && m.steps.length > 0);
    if (!first) throw new ApiError(400, "UNKNOWN_NODE", `The node at ${from} runs no step to restart from.`);
    const step = first.steps[0]!;
    return { name: instantiate(step.template, new Array<number>(first.slots).fill(0)), type: step.api };
  }
  const step = model.nodes.flatMap((m) => m.steps).find((s) => templateRegex(s.template).test(from));
  if (!step) throw new ApiError(400, "UNKNOWN_NODE", `No step of ${name} is named "${from}".`);
  return { name: from, type: step.api };
}

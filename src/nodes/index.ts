// Every node kind, by its kind key.
import type { Node } from "../generated/workflow.js";
import { KINDS } from "./types.js";
import type { Kind, NodeKind } from "./types.js";
import { doNode } from "./do.js";
import { httpNode } from "./http.js";
import { sleepNode } from "./sleep.js";
import { waitForEventNode } from "./wait-for-event.js";
import { setNode } from "./set.js";
import { switchNode } from "./switch.js";
import { foreachNode } from "./foreach.js";
import { parallelNode } from "./parallel.js";
import { repeatNode } from "./repeat.js";
import { raceNode } from "./race.js";
import { tryNode } from "./try.js";
import { compensateNode } from "./compensate.js";
import { failNode } from "./fail.js";
import { workflowNode } from "./workflow.js";

export const NODE_KINDS: Record<Kind, NodeKind<never>> = {
  do: doNode,
  http: httpNode,
  sleep: sleepNode,
  waitForEvent: waitForEventNode,
  set: setNode,
  switch: switchNode,
  foreach: foreachNode,
  parallel: parallelNode,
  race: raceNode,
  repeat: repeatNode,
  try: tryNode,
  compensate: compensateNode,
  fail: failNode,
  workflow: workflowNode,
};

const KIND_SET: ReadonlySet<string> = new Set(KINDS);

/**
 * The kind keys present in a node map. `compensate` is also a field of durable nodes (a list
 * of steps); only with a string value (the node's name) is it the compensate node's kind key.
 */
export function kindKeys(node: object): Kind[] {
  return Object.keys(node).filter((k): k is Kind => KIND_SET.has(k) && (k !== "compensate" || typeof (node as Record<string, unknown>)[k] !== "object"));
}

/** Kinds per node object: a pinned definition never changes, and replays ask for every node. */
const kinds = new WeakMap<object, Kind | undefined>();

export function kindOf(node: Node | object): Kind | undefined {
  if (kinds.has(node)) return kinds.get(node);
  const keys = kindKeys(node);
  const kind = keys.length === 1 ? keys[0] : undefined;
  kinds.set(node, kind);
  return kind;
}

export { KINDS };
export type { Kind, NodeKind };

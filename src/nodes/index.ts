// Every node kind, by its kind key. The registry is a mapped type over the kinds, so each
// entry is checked against its own node type and the model dispatches without casts.
// A new kind is one line in KINDS and one in NODE_KINDS (docs/contributing.md).
import type { KindRegistry, NodeKind } from "./types.js";
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

export const KINDS = [
  "do",
  "http",
  "sleep",
  "waitForEvent",
  "set",
  "switch",
  "foreach",
  "parallel",
  "race",
  "repeat",
  "try",
  "compensate",
  "fail",
  "workflow",
] as const;
export type Kind = (typeof KINDS)[number];

export const NODE_KINDS: KindRegistry = {
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

/** A node's kind, when it has exactly one kind key. */
export function kindOf(node: object): Kind | undefined {
  const keys = kindKeys(node);
  return keys.length === 1 ? keys[0] : undefined;
}

export type { NodeKind };

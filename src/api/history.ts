// Instance history (docs/reference.md, "Instance history"): the engine's own event stream
// (`instance.subscribe()`), each event mapped onto the node of the definition's model that
// issued it, and summed per node. The model comes from the definition pinned in the
// instance's params (the `workflow_started` event carries them), so history stays right after
// the definition changed.
import type { Definition } from "../interpreter/context.js";
import { ERROR_ENVELOPE_KEY, isErrorEnvelope } from "../interpreter/errors.js";
import { modelOf } from "../model/model.js";
import type { DefinitionModel, ModelNode } from "../model/model.js";
import { templateRegex } from "../model/steps.js";

export type NodeState = "running" | "retrying" | "sleeping" | "waiting" | "complete" | "failed" | "compensated";

export interface HistoryEvent {
  type: string;
  time: string;
  step?: string;
  attempt?: number;
  error?: { name: string; message: string };
  output?: unknown;
  eventType?: string;
  durationMs?: number;
  /** The node this event belongs to, and its kind. */
  path?: string;
  kind?: string;
}

export interface NodeSummary {
  path: string;
  kind: string;
  name: string;
  step: string;
  state: NodeState;
  attempts: number;
  started: string;
  ended: string | null;
  error?: { name: string; message: string };
}

export type WaitingFor = { event: string; since: string } | { until: string; since: string };

export interface History {
  nodes: NodeSummary[];
  events: HistoryEvent[];
  waitingFor: WaitingFor | null;
}

/** Step names from the model's templates: `charge[{i}]/notify` → /^charge\[\d+\]\/notify$/. */
function matcher(model: DefinitionModel): (step: string) => { node: ModelNode; api: string } | undefined {
  const fixed = new Map<string, { node: ModelNode; api: string }>();
  const patterns: Array<{ re: RegExp; node: ModelNode; api: string }> = [];
  for (const node of model.nodes) {
    for (const s of node.steps) {
      if (s.template.fixed !== undefined) fixed.set(s.template.fixed, { node, api: s.api });
      else patterns.push({ re: templateRegex(s.template), node, api: s.api });
    }
  }
  return (step) => fixed.get(step) ?? patterns.find((p) => p.re.test(step));
}

/** The engine names a step's n-th call `<name>-<n>`. */
const stepOf = (stepName: string): string => /^(.*)-\d+$/.exec(stepName)?.[1] ?? stepName;

type EngineEvent = WorkflowInstanceEvent & Record<string, unknown>;

/** Maps engine events onto the model; `sensitive` steps never show their output. */
export function buildHistory(raw: EngineEvent[], fallback: Definition | undefined): History {
  const started = raw.find((e) => e.type === "workflow_started") as { params?: { definition?: Definition } } | undefined;
  const def = started?.params?.definition ?? fallback;
  const find = def ? matcher(modelOf(def)) : () => undefined;
  const sensitive = new Set<string>();
  const nodes = new Map<string, NodeSummary>();
  const events: HistoryEvent[] = [];
  let waitingFor: WaitingFor | null = null;
  const openWaits = new Map<string, WaitingFor>();

  for (const e of raw) {
    const time = new Date(e.timestamp).toISOString();
    const ev: HistoryEvent = { type: e.type, time };
    const stepName = typeof e.stepName === "string" ? e.stepName : undefined;
    if (stepName !== undefined) ev.step = stepOf(stepName);
    if (typeof e.attempt === "number") ev.attempt = e.attempt;
    if (e.error && typeof e.error === "object") ev.error = e.error as { name: string; message: string };
    if (typeof e.eventType === "string") ev.eventType = e.eventType;
    if (typeof e.durationMs === "number") ev.durationMs = e.durationMs;
    const config = e.config as { sensitive?: string } | undefined;
    if (e.type === "step_started" && stepName && config?.sensitive === "output") sensitive.add(stepName);
    if ("output" in e && e.output !== undefined && !(stepName && sensitive.has(stepName))) ev.output = e.output;
    if (e.type === "workflow_started" && "params" in e) ev.output = undefined;

    const hit = ev.step !== undefined ? find(ev.step) : undefined;
    if (hit && stepName) {
      ev.path = hit.node.id;
      ev.kind = hit.node.kind;
      const key = stepName;
      let n = nodes.get(key);
      if (!n) {
        n = { path: hit.node.id, kind: hit.node.kind, name: hit.node.name, step: ev.step!, state: "running", attempts: 0, started: time, ended: null };
        nodes.set(key, n);
      }
      switch (e.type) {
        case "attempt_started":
          n.attempts = Math.max(n.attempts, ev.attempt ?? n.attempts + 1);
          n.state = "running";
          break;
        case "attempt_errored":
          n.state = "retrying";
          if (ev.error) n.error = ev.error;
          break;
        case "step_completed":
        case "sleep_completed":
        case "wait_completed": {
          n.ended = time;
          // A final failure is journaled as the step's result (an error envelope): the node failed.
          const out = "output" in e ? (e as { output?: unknown }).output : undefined;
          if (isErrorEnvelope(out)) {
            const info = out[ERROR_ENVELOPE_KEY];
            n.state = "failed";
            n.error = { name: info.name, message: info.message };
          } else {
            n.state = "complete";
            delete n.error;
          }
          break;
        }
        case "step_errored":
        case "wait_timed_out":
          n.state = "failed";
          n.ended = time;
          if (e.type === "wait_timed_out") n.error = { name: "Timeout", message: "no event arrived in time" };
          break;
        case "sleep_started":
          n.state = "sleeping";
          openWaits.set(key, { until: new Date(e.timestamp + (ev.durationMs ?? 0)).toISOString(), since: time });
          break;
        case "wait_started":
          n.state = "waiting";
          openWaits.set(key, { event: ev.eventType ?? "", since: time });
          break;
      }
      if (e.type === "sleep_completed" || e.type === "wait_completed" || e.type === "wait_timed_out") openWaits.delete(key);
      // A compensation step that finished marks the node it undoes.
      if (e.type === "step_completed" && hit.node.inCompensation) {
        let owner: ModelNode | undefined = hit.node;
        while (owner && owner.inCompensation) owner = owner.parent;
        for (const s of nodes.values()) if (owner && s.path === owner.id && s.state === "complete") s.state = "compensated";
      }
    }
    events.push(ev);
  }
  const terminal = raw.some((e) => e.type === "workflow_completed" || e.type === "workflow_errored" || e.type === "workflow_terminated");
  if (!terminal) waitingFor = [...openWaits.values()].pop() ?? null;
  return { nodes: [...nodes.values()], events, waitingFor };
}

/** How long the history may stay silent before it counts as read to its end. */
export const HISTORY_IDLE_MS = 50;

/** Reads an instance's events from `cursor` to the end of what it has so far. */
export async function readEvents(handle: WorkflowInstance, cursor?: number): Promise<EngineEvent[]> {
  const sub = await handle.subscribe(cursor === undefined ? undefined : { cursor });
  const out: EngineEvent[] = [];
  try {
    for (;;) {
      const next = await Promise.race([sub.next(), new Promise<"idle">((r) => setTimeout(() => r("idle"), HISTORY_IDLE_MS))]);
      if (next === "idle" || next.done) break;
      out.push(next.value as EngineEvent);
    }
  } finally {
    sub[Symbol.dispose]();
  }
  return out;
}

/** Every event so far, then each new one as it happens, until the instance finishes. */
export function followHistory(handle: WorkflowInstance, def: Definition | undefined): Response {
  const seen: Parameters<typeof buildHistory>[0] = [];
  let sub: WorkflowInstanceSubscription | undefined;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      sub ??= await handle.subscribe();
      const next = await sub.next();
      if (next.done) {
        controller.enqueue(encoder.encode("event: end\ndata: {}\n\n"));
        sub[Symbol.dispose]();
        controller.close();
        return;
      }
      seen.push(next.value as (typeof seen)[number]);
      const mapped = buildHistory(seen, def).events.at(-1)!;
      controller.enqueue(encoder.encode(`id: ${next.value.eventId}\ndata: ${JSON.stringify(mapped)}\n\n`));
    },
    cancel() {
      sub?.[Symbol.dispose]();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" } });
}

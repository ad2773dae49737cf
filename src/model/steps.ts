// Step names from templates (docs/reference.md, "Step names"). A template is built once per
// node by the model; at run time only the loop indices are filled in.
import type { ExtraStep } from "../nodes/types.js";
import type { Frame } from "../interpreter/context.js";
import { isStepNameTooLong, shortenedStepName, stepName } from "../interpreter/names.js";

/** One segment of a step name: a node (or branch/catch/compensate) name, with a loop slot. */
export interface Segment {
  text: string;
  /** Index into the frame's loop indices: `charge[3]` when indices[slot] is 3. */
  slot?: number;
}

/** A step-name template: `charge[{i}]/notify`. */
export interface StepTemplate {
  segments: readonly Segment[];
  /** Display form with slots as {i}, {j}, {k} …: also the collision key. */
  text: string;
  /** The final step name when the template has no slot (most nodes): no work at run time. */
  fixed?: string;
}

/** Slot letters for display: {i} for the outermost loop, then {j}, {k} … */
const SLOT_NAMES = "ijklmnopqrstuvwxyzabcdefgh";
export const slotName = (slot: number): string => SLOT_NAMES[slot] ?? `s${slot}`;

export function template(segments: readonly Segment[]): StepTemplate {
  const text = segments.map((s) => (s.slot === undefined ? s.text : `${s.text}[{${slotName(s.slot)}}]`)).join("/");
  const fixed = segments.every((s) => s.slot === undefined) ? stepName(segments.map((s) => s.text)) : undefined;
  return fixed === undefined ? { segments, text } : { segments, text, fixed };
}

/** A template's step name for the given loop indices (shortened past the engine's limit). */
export function instantiate(t: StepTemplate, indices: readonly number[]): string {
  if (t.fixed !== undefined) return t.fixed;
  // Concatenated directly (every loop step names itself this way; no parts array to join).
  let name = "";
  const segs = t.segments;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (i > 0) name += "/";
    name += s.slot === undefined ? s.text : s.text + "[" + (indices[s.slot] ?? 0) + "]";
  }
  return isStepNameTooLong(name) ? shortenedStepName(name) : name;
}

const regexes = new WeakMap<StepTemplate, RegExp>();
/** The step names a template stands for: `charge[{i}]/notify` → /^charge\[\d+\]\/notify$/. */
export function templateRegex(t: StepTemplate): RegExp {
  let re = regexes.get(t);
  if (!re) {
    const quote = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    re = new RegExp(`^${t.segments.map((s) => quote(s.text) + (s.slot === undefined ? "" : "\\[\\d+\\]")).join("\\/")}$`);
    regexes.set(t, re);
  }
  return re;
}

/** The node's own step name for the frame's loop indices. */
export function stepOf(frame: Frame): string {
  return instantiate(frame.node.path, frame.indices);
}

/** The name path of a node, for error locations (`charge[3]/notify`). */
export const nodePathOf = stepOf;

/** The step name of one of the node's extra steps (`/winner`, `/wait`). */
export function extraStepOf(frame: Frame, role: ExtraStep["role"]): string {
  const s = frame.node.steps.find((x) => x.role === role);
  if (!s) throw new Error(`${frame.node.kind} node "${frame.node.name}" has no ${role} step`);
  return instantiate(s.template, frame.indices);
}


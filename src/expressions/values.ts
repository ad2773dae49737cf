// Values as expressions and the journal see them: bindings, JSONata truthiness, plain JSON.
import { setOwn } from "../core/own.js";

export type Bindings = Record<string, unknown>;

/** JSONata truthiness, as its boolean() function defines it. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.some(truthy);
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/**
 * Plain JSON: JSONata builds objects with a null prototype and marks arrays as sequences;
 * step results must serialize and compare as ordinary JSON. `undefined` (no match) is null.
 */
export function toPlain(v: unknown): unknown {
  if (v === undefined) return null;
  if (v === null || typeof v !== "object") {
    if (typeof v === "number" && !Number.isFinite(v)) return null;
    if (typeof v === "function") return null;
    return v;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) if (x !== undefined && typeof x !== "function") out.push(toPlain(x));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined && typeof x !== "function") setOwn(out, k, toPlain(x));
  }
  return out;
}

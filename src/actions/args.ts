// Argument checks shared by the actions: a bad argument fails at once (ActionFailure), since
// retrying cannot fix it.
import { ActionFailure } from "./types.js";
import { own } from "../core/own.js";

export type Args = Record<string, unknown>;

export function object(args: unknown, action: string): Args {
  if (!args || typeof args !== "object" || Array.isArray(args)) throw new ActionFailure(`${action}: \`with\` must be a map of arguments`);
  return args as Args;
}

export function string(a: Args, key: string, action: string, fallback?: string): string {
  const v = own(a, key) ?? fallback;
  if (typeof v !== "string" || v === "") throw new ActionFailure(`${action}: \`with.${key}\` must be a non-empty string`);
  return v;
}

export function optionalNumber(a: Args, key: string, action: string): number | undefined {
  const v = own(a, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new ActionFailure(`${action}: \`with.${key}\` must be a non-negative number`);
  return v;
}

/** A binding from env by name (default per action), checked to have the method the action calls. */
export function binding<T>(env: Record<string, unknown>, a: Args, fallback: string, method: string, action: string): T {
  const name = string(a, "binding", action, fallback);
  const b = own(env, name) as Record<string, unknown> | undefined;
  if (!b || typeof b[method] !== "function") throw new ActionFailure(`${action}: no binding "${name}" with ${method}() on this Worker. Add it to wrangler.jsonc or pass \`binding:\`.`);
  return b as T;
}

// Names from outside (definition names, event types, params keys, header names) are data: they
// are looked up as own entries only and stored as plain keys, so "constructor", "__proto__" or
// "hasOwnProperty" never reach Object.prototype (docs/reference.md, "Hostile input").

/** `o[k]` when `k` is o's own entry, else undefined: never an inherited member. */
export function own<T>(o: Readonly<Record<string, T>> | undefined, k: string): T | undefined {
  return o !== undefined && Object.hasOwn(o, k) ? o[k] : undefined;
}

/** Sets `o[k]` as an ordinary data property, "__proto__" included (plain assignment would change o's prototype). */
export function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}

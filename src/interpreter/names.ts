// Durable step names (docs/reference.md, Node identity and step names): derived from the node path only, never from data or time.

/** Cloudflare's limit (workers-sdk workflows-shared validators.ts). */
export const MAX_STEP_NAME_LENGTH = 256;
export const isStepNameTooLong = (name: string): boolean => name.length > MAX_STEP_NAME_LENGTH;
const HASH_SUFFIX_LENGTH = 17; // "~" + 16 hex

/** A stable 64-bit FNV-1a hash as 16 hex characters (sync, no crypto needed for naming). */
export function stableHash(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
    h2 ^= h2 >>> 15;
  }
  return h1.toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}

/** Joins path segments; a name over the limit keeps its start and gets a stable hash suffix. */
export function stepName(segments: readonly string[]): string {
  const name = segments.join("/");
  return isStepNameTooLong(name) ? shortenedStepName(name) : name;
}

/** A name over the limit: its start and a stable hash of the whole. */
export const shortenedStepName = (name: string): string => name.slice(0, MAX_STEP_NAME_LENGTH - HASH_SUFFIX_LENGTH) + "~" + stableHash(name);

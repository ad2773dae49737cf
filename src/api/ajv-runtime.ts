// Runtime helpers the build-time (ajv standalone) input validators call. Kept in one ESM
// module of ours because the CJS helpers ajv points at import differently under esbuild,
// Node and tsx.
import equal from "fast-deep-equal";
import { fullFormats } from "ajv-formats/dist/formats.js";

/** Length in Unicode code points, as JSON Schema's minLength/maxLength count. */
export function ucs2length(str: string): number {
  let length = 0;
  for (const _ of str) length++;
  return length;
}

export { equal, fullFormats };

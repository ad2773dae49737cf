// A definition's `input` must be a valid JSON Schema (2020-12): checked with ajv, in Node only.
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

let inputAjv: Ajv2020 | undefined;
/** Compiles the `input` schema with ajv; returns what is wrong, or undefined. */
export function checkInputSchema(input: unknown): string | undefined {
  if (!inputAjv) {
    inputAjv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(inputAjv);
  }
  // The meta-schema catches misspelt types and keywords of the wrong shape, without code
  // generation; only references and patterns need a compile to prove them (ajv resolves the
  // one and builds a RegExp from the other), which costs ten times as much.
  if (!inputAjv.validateSchema(input as object)) return inputAjv.errorsText(inputAjv.errors?.slice(0, 1), { dataVar: "input" });
  if (!needsCompile(input)) return undefined;
  try {
    inputAjv.compile(input as object);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const COMPILE_ONLY_KEYWORDS = new Set(["$ref", "$dynamicRef", "$recursiveRef", "pattern", "patternProperties", "$id", "$anchor", "$dynamicAnchor"]);
function needsCompile(schema: unknown): boolean {
  const stack: unknown[] = [schema];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (COMPILE_ONLY_KEYWORDS.has(k)) return true;
        stack.push(x);
      }
    }
  }
  return false;
}

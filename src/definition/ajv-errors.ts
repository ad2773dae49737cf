// Schema errors as diagnostics: ajv's errors mapped onto the rule that broke, at the YAML position,
// with a message that names the fix.
import type { ErrorObject } from "ajv";
import type { DefinitionCode } from "../errors.js";
import { KINDS } from "../nodes/index.js";
import type { JsonPath } from "../nodes/types.js";
import type { Kind } from "../nodes/index.js";
import type { Report } from "./report.js";
import { closest } from "./suggest.js";

type Schema = Record<string, unknown>;

export function mapAjvErrors(errors: ErrorObject[], base: JsonPath, report: Report, defName: Map<unknown, string>, kind?: Kind, subject = "definition"): void {
  const defOf = (e: ErrorObject): string => defName.get(e.parentSchema) ?? "";
  const anyOfAt = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath));
  const durationAt = new Set(errors.filter((e) => /uration$/.test(defOf(e))).map((e) => e.instancePath));
  const anyOfReported = new Set<string>();
  // A bad key (set.values, parallel.branches): ajv reports the pattern failure at the map's
  // path, so report it once, at the key, from the propertyNames error.
  const namesAt = new Set(errors.filter((e) => e.keyword === "propertyNames").map((e) => e.instancePath));
  for (const e of errors) {
    const rel = e.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~")).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const at = [...base, ...rel];
    const field = rel.length > 0 ? displayPath(rel) : kind ?? "definition";
    const isDuration = durationAt.has(e.instancePath);
    if (anyOfAt.has(e.instancePath) && e.keyword !== "anyOf") continue;
    if (e.keyword === "anyOf") {
      if (anyOfReported.has(e.instancePath)) continue;
      anyOfReported.add(e.instancePath);
    }
    switch (e.keyword) {
      case "anyOf":
        if (isDuration) report("INVALID_DURATION", `${JSON.stringify(e.data)} is not a duration. Write a number of ms, "10 seconds", "1 week", "30s", "5m", "24h" or "7d"${errors.some((x) => x.instancePath === e.instancePath && defOf(x) === "duration") ? ", or an expression {% %}" : ""}.`, at);
        else report("WRONG_TYPE", `\`${field}\` has the wrong form: ${e.message ?? ""}.`, at);
        break;
      case "required": {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        const what = kind && rel.length === 0 ? `${article(kind)} ${kind} node` : rel.length === 0 && base.length === 0 ? `A ${subject}` : `\`${field}\``;
        report("MISSING_FIELD", `${what} needs \`${missing}\`. Add it.`, at);
        break;
      }
      case "additionalProperties": {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        const known = Object.keys(((e.parentSchema as Schema | undefined)?.properties as Schema | undefined) ?? {});
        const hint = closest(extra, known);
        const owner = kind && rel.length === 0 ? `${article(kind).toLowerCase()} ${kind} node` : rel.length === 0 ? `a ${subject}` : `\`${field}\``;
        const isKind = (KINDS as readonly string[]).includes(extra);
        report("UNKNOWN_FIELD", `\`${extra}\` is not a field of ${owner}.${hint ? ` Did you mean \`${hint}\`?` : ""}${isKind ? "" : ` Known: ${known.join(", ")}.`}`, [...at, extra], { key: true });
        break;
      }
      case "type":
        report("WRONG_TYPE", `\`${field}\` must be ${(e.params as { type: string | string[] }).type.toString().replace(",", " or ")}, not ${describe(e.data)}.`, at);
        break;
      case "enum":
        report("INVALID_VALUE", `\`${field}\` is ${JSON.stringify(e.data)}; allowed: ${((e.params as { allowedValues: unknown[] }).allowedValues).join(", ")}.`, at);
        break;
      case "pattern":
      case "maxLength":
      case "minLength": {
        if (namesAt.has(e.instancePath)) break;
        const { code, rule } = patternCode(defOf(e), at, base.length === 0 && rel.length === 1 && rel[0] === "name", e.propertyName);
        if (code === "PATTERN_MISMATCH" || code === "OUT_OF_RANGE") report(e.keyword === "pattern" ? "PATTERN_MISMATCH" : "OUT_OF_RANGE", `\`${field}\` ${e.message ?? "is malformed"}.`, at);
        else report(code, `${JSON.stringify(e.propertyName ?? e.data)} is not valid: ${rule}`, e.propertyName !== undefined ? [...at, e.propertyName] : at, { key: e.propertyName !== undefined });
        break;
      }
      case "propertyNames": {
        const key = (e.params as { propertyName: string }).propertyName;
        const branches = rel[rel.length - 1] === "branches";
        report(branches ? "INVALID_NODE_NAME" : "INVALID_VARIABLE", `${JSON.stringify(key)} is not valid: ${branches ? "a branch name is 1-100 characters without /, [ or ]." : "a variable name is letters, digits and _, not starting with a digit."}`, [...at, key], { key: true });
        break;
      }
      default:
        report("OUT_OF_RANGE", `\`${field}\` ${e.message ?? "is out of range"}.`, at);
    }
  }
}

/** `cases[0].when`-style display of a JSON path relative to a node. */
function displayPath(rel: JsonPath): string {
  let out = "";
  for (const s of rel) out += typeof s === "number" ? `[${s}]` : out ? `.${s}` : s;
  return out || "value";
}

function patternCode(def: string, at: JsonPath, isWorkflowName: boolean, propertyName?: string): { code: DefinitionCode; rule: string } {
  if (isWorkflowName || at[at.length - 1] === "definition") return { code: "INVALID_NAME", rule: "a workflow name is lower-case letters, digits and -, starting with a letter, at most 63 characters." };
  if (def === "nodeName") return { code: "INVALID_NODE_NAME", rule: "a node name is 1-100 characters without /, [, ] or control characters." };
  if (def === "variable") return { code: "INVALID_VARIABLE", rule: "a variable name is letters, digits and _, not starting with a digit." };
  if (at[at.length - 1] === "event") return { code: "INVALID_EVENT_TYPE", rule: "an event type is letters, digits, _ and -, not starting with -, at most 100 characters." };
  if (propertyName !== undefined) return { code: "INVALID_VARIABLE", rule: "a name here is letters, digits and _." };
  return { code: "PATTERN_MISMATCH", rule: "" };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  return `${typeof v} ${JSON.stringify(v)}`;
}

function article(kind: string): string {
  return kind === "http" ? "An" : /^[aeiou]/.test(kind) ? "An" : "A";
}


// Regular expressions a definition may run (docs/reference.md, "Hostile input"). A pattern
// runs inside the JavaScript engine, where no expression fuel reaches it, so one with nested
// quantifiers (star height over 1, as `/^(a+)+$/`) could backtrack exponentially on a short
// hostile string. The validator refuses those; safe-regex2 (fastify's) decides the height.
import safeRegex from "safe-regex2";
import { regexLiterals } from "../expressions/template.js";
import type { RegexLiteral } from "../expressions/template.js";

/** safe-regex2 also counts repetitions; only the star height is our rule, so that count is unbounded. */
const NO_REPETITION_LIMIT = Number.MAX_SAFE_INTEGER;

export const isUnsafeRegex = (source: string): boolean => !safeRegex(source, { limit: NO_REPETITION_LIMIT });

/** The literals of an expression that the validator refuses. */
export function unsafeRegexes(expr: string): RegexLiteral[] {
  return regexLiterals(expr).filter((r) => isUnsafeRegex(r.source));
}

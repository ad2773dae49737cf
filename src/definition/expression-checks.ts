// The checks of one expression-bearing field: template syntax, JSONata syntax, unsafe regular
// expressions, $eval, and impure functions or $secret where the field runs on every replay.
import type { SourceMap } from "./load.js";
import type { ExprField, JsonPath } from "../nodes/types.js";
import { checkSyntax, expressionSource, IMPURE_FUNCTIONS, referencedVariables, templateExpressions } from "../expressions/template.js";
import { unsafeRegexes } from "./regex.js";
import type { Report } from "./report.js";

/** The JSONata expressions of a field, with their path inside it and their offset in the string. */
export function fieldExpressions(f: ExprField): Array<{ path: JsonPath; expr: string; offset: number; error?: string }> {
  if (f.mode === "expression") {
    if (typeof f.value !== "string") return [];
    const src = expressionSource(f.value);
    return [{ path: [], expr: src.expr, offset: src.offset }];
  }
  return [...templateExpressions(f.value)];
}

export function checkExpressionField(f: ExprField, here: JsonPath, map: SourceMap, report: Report): void {
  for (const e of fieldExpressions(f)) {
    const at = [...here, ...f.at, ...e.path];
    const offsetOf = (i: number): number | undefined => sourceOffset(map, at, e.offset + i);
    if (e.error) {
      report("TEMPLATE_SYNTAX", `${e.error}. Close the expression with %}.`, at, { offset: sourceOffset(map, at, e.offset) });
      continue;
    }
    const syntax = checkSyntax(e.expr);
    if (syntax) {
      report("EXPRESSION_SYNTAX", `JSONata ${syntax.code}: ${syntax.message}`, at, { offset: offsetOf(syntax.position) });
      continue;
    }
    const vars = referencedVariables(e.expr);
    const where = (name: string): number | undefined => {
      const i = e.expr.indexOf("$" + name);
      return i >= 0 ? offsetOf(i) : undefined;
    };
    for (const r of unsafeRegexes(e.expr)) {
      report("UNSAFE_REGEX", `The regular expression /${r.source}/ nests quantifiers (as in (a+)+), which can take exponential time on a short string. Rewrite it without a repeated group that itself repeats, e.g. /^a+$/ for /^(a+)+$/.`, at, { offset: offsetOf(r.start) });
    }
    if (vars.has("eval")) report("EVAL_FORBIDDEN", "$eval is forbidden: it evaluates text as an expression (injection). Write the expression out.", at, { offset: where("eval") });
    if (!f.inStep) {
      for (const fn of IMPURE_FUNCTIONS) {
        if (vars.has(fn)) report("IMPURE_EXPRESSION", `$${fn} gives a different value on every replay, and this field is evaluated on every replay. Compute it in a do node (value: "{% $${fn}() %}", as: ...) and use that variable here.`, at, { offset: where(fn) });
      }
      if (vars.has("secret")) report("SECRET_OUTSIDE_STEP", "$secret may only be read inside a do, http or workflow node, whose fields are evaluated inside the step. Move it there.", at, { offset: where("secret") });
    }
  }
}

/** Maps a character index of a scalar's value to its source offset (plain, quoted and block scalars). */
export function sourceOffset(map: SourceMap, at: JsonPath, index: number): number | undefined {
  const s = map.scalar(at);
  if (!s) return undefined;
  const type = s.node.type;
  const value = String(s.node.value);
  if (type === "BLOCK_LITERAL" || type === "BLOCK_FOLDED") {
    const before = value.slice(0, index);
    const line = before.split("\n").length - 1;
    const col = index - (before.lastIndexOf("\n") + 1);
    const lines = s.source.split("\n");
    const content = lines.slice(1);
    const indent = Math.min(...content.filter((l) => l.trim() !== "").map((l) => l.length - l.trimStart().length));
    let off = s.start + (lines[0]?.length ?? 0) + 1;
    for (let i = 0; i < line && i < content.length; i++) off += content[i]!.length + 1;
    return off + (Number.isFinite(indent) ? indent : 0) + col;
  }
  const quoted = type === "QUOTE_DOUBLE" || type === "QUOTE_SINGLE" ? 1 : 0;
  const firstLine = value.indexOf("\n");
  if (firstLine >= 0 && index > firstLine) return s.start + quoted;
  return s.start + quoted + index;
}

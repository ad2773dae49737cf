// The expressions layer (docs/reference.md, Expressions and templates): what the rest of flowdsl
// imports of it. Parsing (parse.ts), fuel (fuel.ts), analysis (analyze.ts), rendering
// (render.ts) and values (values.ts) each have a file of their own.
export { DEFAULT_EXPRESSION_STEPS, EXPRESSION_STEPS, FUEL_SLICE_STEPS, MAX_EXPRESSION_STEPS, MIN_EXPRESSION_STEPS, isExpressionStepsInRange } from "./fuel.js";
export { toPlain, truthy } from "./values.js";
export type { Bindings } from "./values.js";
export { JSONATA_MAX_SEQUENCE, JSONATA_MAX_STACK, checkSyntax, compile, expressionCompileCount, expressionSource, parseTemplateString } from "./parse.js";
export type { ExpressionSyntaxError, ParsedString, TemplatePart } from "./parse.js";
export { IMPURE_FUNCTIONS, JSONATA_FUNCTIONS, freeVariables, referencedVariables, regexLiterals, templateExpressions } from "./analyze.js";
export type { RegexLiteral, VariableRef } from "./analyze.js";
export { ExpressionFailure, evaluate, evaluateExpressionField, renderTemplate, renderTemplateNow } from "./render.js";

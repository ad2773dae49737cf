// The one catalogue of stable error codes, shared by the CLI, the build, the API and the
// interpreter. Codes never change meaning; messages may be reworded. docs/errors.md lists them.

export const DEFINITION_CODES = {
  FILE_EMPTY: "The file has no definition in it. Start from `name:` and `steps:`.",
  FILE_TOO_LARGE: "The file is larger than a definition may be. Split it into child workflows.",
  FILE_NOT_TEXT: "The file is not UTF-8 text (binary data or a NUL byte). Save it as UTF-8 YAML.",
  FILE_UNREADABLE: "The file could not be read. Check the path and its permissions.",
  YAML_SYNTAX: "The YAML does not parse. Fix the syntax at the position shown.",
  YAML_DUPLICATE_KEY: "A key appears twice in one map. Remove or rename one of them.",
  YAML_TAB_INDENT: "Tabs indent this line. YAML indents with spaces only.",
  YAML_ALIAS_LIMIT: "Aliases expand past the safe limit (an alias bomb). Write the values out or use fewer aliases.",
  YAML_TOO_DEEP: "The YAML nests deeper than allowed. Flatten it or move parts into child workflows.",
  YAML_MULTI_DOCUMENT: "The file holds several YAML documents. Put one definition in each file.",
  NOT_A_MAPPING: "A definition is a map with `name:` and `steps:` at the top, not a list or a scalar.",
  MISSING_FIELD: "A required field is missing. Add it.",
  UNKNOWN_FIELD: "This field is not part of the node or map. Remove it or fix its spelling.",
  WRONG_TYPE: "The value has the wrong type. Use the type named in the message.",
  INVALID_VALUE: "The value is not one of those allowed. Use one named in the message.",
  OUT_OF_RANGE: "The value is outside its allowed range. Use a value within it.",
  PATTERN_MISMATCH: "The value does not have the required form.",
  INVALID_NAME: "A workflow name is lower-case letters, digits and -, starting with a letter, at most 63 characters.",
  INVALID_NODE_NAME: "A node name is 1-100 characters without /, [ or ].",
  INVALID_VARIABLE: "A variable name is letters, digits and _, not starting with a digit.",
  INVALID_EVENT_TYPE: "An event type is letters, digits, _ and -, at most 100 characters.",
  INVALID_DURATION: 'A duration is a number of ms, "10 seconds", "1 week" or "30s", "5m", "24h", "7d".',
  UNKNOWN_KIND: "A node needs exactly one kind key (do, http, sleep, waitForEvent …); the message lists them all.",
  MULTIPLE_KINDS: "A node has exactly one kind key. Split it into one node per kind.",
  NAME_MISMATCH: "`name` must equal the file stem. Rename the file or the workflow.",
  DUPLICATE_NAME: "Sibling nodes need distinct names (step names derive from them). Rename one.",
  RESERVED_VARIABLE: "This variable name is reserved. Choose another name.",
  EXPRESSION_SYNTAX: "The JSONata expression does not parse. Fix it at the position shown.",
  IMPURE_EXPRESSION: "This function is not deterministic and this field is re-evaluated on every replay. Compute it in a do node and refer to its `as` variable.",
  SECRET_OUTSIDE_STEP: "$secret may only be read inside a step (do, http, workflow). Move it into such a node.",
  EVAL_FORBIDDEN: "$eval is forbidden (expression injection). Write the expression out.",
  UNSAFE_REGEX: "A regular expression nests quantifiers ((a+)+), which can take exponential time on a short string and no fuel limit can stop. Rewrite it without a repeated group that itself repeats.",
  DURATION_RANGE: "The duration is outside Cloudflare's allowed range. Use one within the range named.",
  UNKNOWN_DEFINITION: "`definition` names no definition in this folder. Fix the name or add the definition.",
  UNKNOWN_ACTION: "No action with this name is registered. Fix the name or register it in src/actions/index.ts.",
  STEP_NAME_TOO_LONG: "A derived step name would exceed 256 characters. Shorten the node names on this path.",
  EXCLUSIVE_FIELDS: "These fields exclude each other. Keep exactly one of them.",
  INPUT_SCHEMA_INVALID: "`input` is not a valid JSON Schema (2020-12). Fix it as the message says.",
  NESTING_TOO_DEEP: "Nodes nest deeper than allowed. Move the inner part into a child workflow.",
  TEMPLATE_SYNTAX: "A `{%` has no matching `%}`. Close the expression.",
  INVALID_CRON: "`schedule` is not a cron expression of five fields.",
  UNKNOWN_VARIABLE: "The expression reads a variable that nothing can have set at this point. Fix the name, or set it (`as:`) before this node, in a scope this one sees.",
  STEP_BUDGET: "In the worst case an instance would run more steps than Cloudflare allows (25,000). Bound the loops (`maxItems`, `foreach.max`, `repeat.max`) or move work into child workflows.",
  STEP_BUDGET_FREE_PLAN: "In the worst case an instance would run more steps than the Workers Free plan allows (1,024). Bound the loops, or run it on a paid plan.",
  YAML_ALIAS_CYCLE: "An alias refers to a map or list that contains it, so the value would be infinite. Write the value out.",
  TEST_UNKNOWN_DEFINITION: "A test file's `definition` names no definition beside it (or in definitions/). Fix the name.",
  TEST_DEFINITION_INVALID: "The definition under test does not validate. Fix it first (`flowdsl validate`).",
  TEST_DUPLICATE_CASE: "Two cases in one test file share a name. Rename one.",
  TEST_INPUT_INVALID: "A case's `input` does not satisfy the definition's input schema. Fix the input.",
  TEST_UNKNOWN_NODE: "A mock or expectation names no node of the definition. Use a node's name, or its name path (parent/name) when the name is not unique.",
  TEST_AMBIGUOUS_NODE: "Several nodes have this name. Use the name path (parent/name) of the one you mean.",
  TEST_MOCK_KIND: "This mock does not fit the node: http takes status/headers/body/error, a do with an action result/error, a workflow output/error; other nodes reach nothing outside and take no mock.",
  TEST_UNKNOWN_EVENT: "No waitForEvent node of the definition waits for this event type. Fix the type.",
  TEST_EXPECT_CONFLICT: "The expectation contradicts itself (an output with status errored, an error with status complete). Keep the one that matches `status`.",
} as const;

/** Why a test case failed (`flowdsl test`): each failure carries one of these. */
export const TEST_CODES = {
  UNMOCKED_CALL: "A node reached for the outside world (an http call, a child workflow, an action's fetch) with no mock in the case. Add a mock under `mocks:`.",
  EXPECT_STATUS: "The instance ended with another status than `expect.status`.",
  EXPECT_OUTPUT: "The output differs from `expect.output` (the message shows where).",
  EXPECT_ERROR: "The error's name, message or node differs from `expect.error`.",
  EXPECT_CALLS: "A node ran its step body another number of times than `expect.calls` says.",
  EXPECT_RAN: "A node in `expect.ran` was never reached.",
  EXPECT_NOT_RAN: "A node in `expect.notRan` was reached.",
  CASE_TIMEOUT: "The instance did not end within the case's `timeout` (default 30 s). Something waits on more than test time: look for a missing event or a very slow mock.",
  REPLAY_DIVERGED: "--replay: after a crash at this step the instance ended differently. Something in the definition is not deterministic across replays.",
  REPLAY_RERAN_STEP: "--replay: after a crash a finished step ran its body again. Step names changed between replays.",
  TEST_RUNNER_FAILED: "The local engine could not run the case (the message says why).",
} as const;
export type TestCode = keyof typeof TEST_CODES;

export const API_CODES = {
  UNAUTHORIZED: "Send `Authorization: Bearer <API_TOKEN>`.",
  NOT_FOUND: "Nothing is at this path. See GET /workflows.",
  WORKFLOW_NOT_FOUND: "No definition has this name. See GET /workflows.",
  INSTANCE_NOT_FOUND: "No instance has this id.",
  INVALID_JSON: "The body is not valid JSON.",
  INVALID_PARAMS: "The params do not satisfy the definition's input schema. Fix the paths listed in details.",
  INVALID_EVENT_TYPE: "An event type is letters, digits, _ and -, at most 100 characters.",
  PAYLOAD_TOO_LARGE: "The body is over 1 MiB.",
  UNSUPPORTED_MEDIA_TYPE: "Send Content-Type: application/json.",
  METHOD_NOT_ALLOWED: "This path does not take this method.",
  INVALID_STATE: "The instance's status does not allow this operation now.",
  RATE_LIMITED: "Cloudflare refused to start more instances just now. Retry after the seconds in Retry-After.",
  ENGINE_UNAVAILABLE: "The workflow engine did not start the instance; nothing was started. Retry.",
  CONFIG_STALE: "The Worker lacks the workflow binding of a definition. Deploy with npm run deploy, which writes one workflow per definition.",
  INVALID_BATCH: "A batch is a JSON list of 1-100 params objects. Fix the items listed in details.",
  CALLBACK_REFUSED: "The callback address is forged, altered or expired. Ask the workflow for a new one.",
  UNKNOWN_NODE: "No node or step of this instance's definition has that name or path. Use a node path (/steps/0) or a step name.",
  INVALID_IDEMPOTENCY_KEY: "An Idempotency-Key is 1-200 printable ASCII characters.",
  INTERNAL: "Something failed inside flowdsl. The answer names no internal detail; the Worker's log has it under the answer's ref.",
} as const;

/** Error names raised at run time (docs/reference.md, Errors), matched by `try`/`catch`. */
export const RUNTIME_ERROR_NAMES = [
  "HttpError",
  "Timeout",
  "Failed",
  "ExpressionError",
  "ActionError",
  "ChildFailed",
  "RepeatExhausted",
  "ExpressionLimit",
  "CompensationFailed",
  "OutputTooLarge",
  "HostNotAllowed",
  "UNMOCKED_CALL",
] as const;

export type DefinitionCode = keyof typeof DEFINITION_CODES;
export type ApiCode = keyof typeof API_CODES;
export type RuntimeErrorName = (typeof RUNTIME_ERROR_NAMES)[number];

export interface Position {
  line: number;
  col: number;
}

export type Severity = "error" | "warning";

/** One finding about a definition file, always with a position (1-based line and column). */
export interface Diagnostic {
  code: DefinitionCode;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  col: number;
  /** JSON pointer of the offending value, "" for the document. */
  path: string;
}

/** `file:line:col error CODE message` — the CLI's text format. */
export function prettify(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}`;
}

export function fixFor(code: DefinitionCode): string {
  return DEFINITION_CODES[code];
}

/** JSON pointer from path segments (RFC 6901). */
export function pointer(path: readonly (string | number)[]): string {
  return path.map((p) => "/" + String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/* generated — do not edit. Source: schema/workflow.schema.json; regenerate with `npm run codegen`. */

/**
 * The nodes to run, in order.
 *
 * @minItems 1
 */
export type Steps = [Node, ...Node[]];
/**
 * A node: a map with exactly one kind key (do, http, sleep, waitForEvent, set, switch, foreach, parallel, race, repeat, try, compensate, fail, workflow) whose value is the node's name.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "node".
 */
export type Node =
  | DoNode
  | HttpNode
  | SleepNode
  | WaitForEventNode
  | SetNode
  | SwitchNode
  | ForeachNode
  | ParallelNode
  | RaceNode
  | RepeatNode
  | TryNode
  | CompensateNode
  | FailNode
  | WorkflowNode;
/**
 * Steps that undo this node if the workflow later fails; $result is this node's result.
 *
 * @minItems 1
 */
export type Compensate = [Node, ...Node[]];
/**
 * Steps that undo this node if the workflow later fails; $result is this node's result.
 *
 * @minItems 1
 */
export type Compensate1 = [Node, ...Node[]];
/**
 * A duration: milliseconds as a number, "10 seconds", "1 week" (second, minute, hour, day, week, month, year, optional plural), or "30s", "5m", "24h", "7d".
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "literalDuration".
 */
export type LiteralDuration = string | number;
/**
 * A list of nodes run in order.
 *
 * @minItems 1
 */
export type Steps1 = [Node, ...Node[]];
/**
 * Steps run when no case matches.
 *
 * @minItems 1
 */
export type Steps2 = [Node, ...Node[]];
/**
 * A list of nodes run in order.
 *
 * @minItems 1
 */
export type Steps3 = [Node, ...Node[]];
/**
 * A list of nodes run in order.
 *
 * @minItems 1
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "steps".
 */
export type Steps4 = [Node, ...Node[]];
/**
 * A list of nodes run in order.
 *
 * @minItems 1
 */
export type Steps5 = [Node, ...Node[]];
/**
 * A list of nodes run in order.
 *
 * @minItems 1
 */
export type Steps6 = [Node, ...Node[]];
/**
 * A list of nodes run in order.
 *
 * @minItems 1
 */
export type Steps7 = [Node, ...Node[]];
/**
 * Steps that undo this node if the workflow later fails; $result is this node's result.
 *
 * @minItems 1
 */
export type Compensate2 = [Node, ...Node[]];
/**
 * The node's name: 1-100 characters, unique among its siblings. Step names derive from it.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "nodeName".
 */
export type NodeName = string;
/**
 * A variable name: letters, digits and _, not starting with a digit; not a reserved name.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "variable".
 */
export type Variable = string;
/**
 * A JSONata expression, optionally wrapped in {% %}; or a literal boolean.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "expression".
 */
export type Expression = string | boolean;
/**
 * A template: a string that is exactly {% expr %} becomes the JSONata result; {% %} inside other text is interpolated; other values are literal. Applies recursively through objects and arrays.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "template".
 */
export type Template = unknown;
/**
 * A duration (number of ms, "10 seconds", "5m") or an expression {% %} yielding one.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "duration".
 */
export type Duration = LiteralDuration | string;
/**
 * A list of nodes run in order.
 *
 * @minItems 1
 */
export type Steps8 = [Node, ...Node[]];

/**
 * A workflow written as YAML and run durably on Cloudflare Workflows. See docs/reference.md.
 */
export interface FlowdslWorkflowDefinition {
  /**
   * The workflow's name. Must equal the file stem (definitions/<name>.yaml).
   */
  name: string;
  /**
   * What this workflow does, for people reading the list of workflows.
   */
  description?: string;
  /**
   * Informational version label; the content hash identifies a definition.
   */
  version?: string;
  /**
   * JSON Schema (2020-12) the start params must satisfy; POST /workflows/<name> answers 400 with the failing paths otherwise.
   */
  input?: {};
  /**
   * Defaults applied to every do, http and workflow node that does not set its own.
   */
  defaults?: {
    retries?: Retries;
    /**
     * Per-attempt timeout of durable steps.
     */
    timeout?: string | number;
  };
  /**
   * A cron expression, or a list of them: an instance starts on each tick (params { scheduledTime, cron }).
   */
  schedule?:
    | string
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string];
  /**
   * At most this many instances of this workflow run at once; more wait queued (the Cloudflare workflow's concurrency limit).
   */
  concurrency?: number;
  /**
   * Limits of this definition's instances beyond Cloudflare's own.
   */
  limits?: {
    /**
     * Evaluation steps one JSONata expression may take (default 1000000, from 1000 to 10000000). Past it the node fails with ExpressionLimit, the same way on every replay.
     */
    expressionSteps?: number;
  };
  /**
   * How long Cloudflare keeps finished instances' state: success (complete or terminated) and error (errored).
   */
  retention?: {
    /**
     * How long to keep instances that completed or were terminated.
     */
    success?: string | number;
    /**
     * How long to keep errored instances.
     */
    error?: string | number;
  };
  steps: Steps;
  /**
   * Template for the instance's output (default null).
   */
  output?: unknown;
}
/**
 * Retry policy of a durable step, Cloudflare's shape: limit 5, delay 10 seconds, backoff exponential by default.
 */
export interface Retries {
  /**
   * How many retries after the first attempt.
   */
  limit?: number;
  /**
   * Delay before the first retry.
   */
  delay?: string | number;
  /**
   * How the delay grows between retries.
   */
  backoff?: "constant" | "linear" | "exponential";
  /**
   * The longest delay between two attempts: the backoff grows up to it and stays there.
   */
  maxDelay?: string | number;
}
/**
 * A journaled computation (value) or a registered action (action + with), run inside one durable step.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "doNode".
 */
export interface DoNode {
  /**
   * The node's name (a journaled computation or action): 1-100 characters, unique among its siblings. Its durable step names derive from it.
   */
  do: string;
  /**
   * Template computed inside the step; impure functions ($now, $random, $secret) are allowed here.
   */
  value?: unknown;
  /**
   * Name of an action registered in src/actions.
   */
  action?: string;
  /**
   * Template for the action's arguments.
   */
  with?: unknown;
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
  retries?: Retries1;
  /**
   * Timeout of each attempt.
   */
  timeout?: string | number;
  /**
   * The step's result is secret: Cloudflare redacts it in its dashboard, API and event history, and flowdsl's history never shows it.
   */
  sensitive?: boolean;
  compensate?: Compensate;
}
/**
 * Retry policy of a durable step, Cloudflare's shape: limit 5, delay 10 seconds, backoff exponential by default.
 */
export interface Retries1 {
  /**
   * How many retries after the first attempt.
   */
  limit?: number;
  /**
   * Delay before the first retry.
   */
  delay?: string | number;
  /**
   * How the delay grows between retries.
   */
  backoff?: "constant" | "linear" | "exponential";
  /**
   * The longest delay between two attempts: the backoff grows up to it and stays there.
   */
  maxDelay?: string | number;
}
/**
 * An HTTP call in one durable step: 2xx succeeds; 408, 425, 429, 5xx and network errors are retried; other statuses fail at once (HttpError).
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "httpNode".
 */
export interface HttpNode {
  /**
   * The node's name (an HTTP call): 1-100 characters, unique among its siblings. Its durable step names derive from it.
   */
  http: string;
  /**
   * URL template (http or https).
   */
  url: unknown;
  /**
   * HTTP method (default GET).
   */
  method?: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";
  /**
   * Map of header name to template.
   */
  headers?: unknown;
  /**
   * Map of query parameter to template, appended to the URL.
   */
  query?: unknown;
  /**
   * Request body template; objects and arrays are sent as JSON.
   */
  body?: unknown;
  /**
   * Template mapping $response = { status, headers, body } to the step result (default: the whole $response).
   */
  result?: unknown;
  /**
   * Send Idempotency-Key: <instance id>:<step name>, the same on every retry.
   */
  idempotencyKey?: boolean;
  /**
   * The statuses that retry for this node, instead of 408, 425, 429 and 5xx; any other non-2xx fails at once. Network failures still retry.
   *
   * @minItems 1
   */
  retryOn?: [number, ...number[]];
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
  retries?: Retries2;
  /**
   * Timeout of each attempt.
   */
  timeout?: string | number;
  /**
   * The step's result is secret: Cloudflare redacts it in its dashboard, API and event history, and flowdsl's history never shows it.
   */
  sensitive?: boolean;
  compensate?: Compensate1;
}
/**
 * Retry policy of a durable step, Cloudflare's shape: limit 5, delay 10 seconds, backoff exponential by default.
 */
export interface Retries2 {
  /**
   * How many retries after the first attempt.
   */
  limit?: number;
  /**
   * Delay before the first retry.
   */
  delay?: string | number;
  /**
   * How the delay grows between retries.
   */
  backoff?: "constant" | "linear" | "exponential";
  /**
   * The longest delay between two attempts: the backoff grows up to it and stays there.
   */
  maxDelay?: string | number;
}
/**
 * A durable sleep: exactly one of for (a duration) or until (an ISO-8601 timestamp or epoch ms).
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "sleepNode".
 */
export interface SleepNode {
  /**
   * The node's name (a durable sleep): 1-100 characters, unique among its siblings. Its durable step names derive from it.
   */
  sleep: string;
  /**
   * How long to sleep (1 second to 365 days).
   */
  for?: LiteralDuration | string;
  /**
   * ISO-8601 timestamp or epoch ms to sleep until; may be an expression.
   */
  until?: string | number;
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
}
/**
 * Waits for an event sent with POST /instances/<id>/events/<type>; its result is the event's payload. On timeout the catchable error Timeout is raised.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "waitForEventNode".
 */
export interface WaitForEventNode {
  /**
   * The node's name (a wait for an event): 1-100 characters, unique among its siblings. Its durable step names derive from it.
   */
  waitForEvent: string;
  /**
   * The event type: letters, digits, _ and -, up to 100 characters.
   */
  event: string;
  /**
   * How long to wait (default 24 hours; 1 second to 365 days).
   */
  timeout?: LiteralDuration | string;
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
}
/**
 * Sets variables from templates. Deterministic: evaluated on every replay, not journaled.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "setNode".
 */
export interface SetNode {
  /**
   * The node's name (variable assignments): 1-100 characters, unique among its siblings. Its durable step names derive from it.
   */
  set: string;
  /**
   * Map of variable name to template.
   */
  values: {};
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
}
/**
 * Runs the steps of the first case whose when is truthy, else default. Result: the branch's last result.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "switchNode".
 */
export interface SwitchNode {
  /**
   * The node's name (a branch): 1-100 characters, unique among its siblings. Its durable step names derive from it.
   */
  switch: string;
  /**
   * Cases, tried in order.
   *
   * @minItems 1
   */
  cases: [
    {
      /**
       * Expression; the first truthy case runs.
       */
      when: string | boolean;
      steps: Steps1;
    },
    ...{
      /**
       * Expression; the first truthy case runs.
       */
      when: string | boolean;
      steps: Steps1;
    }[]
  ];
  default?: Steps2;
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
}
/**
 * Runs steps for each item of an array, concurrency at a time; as receives the collected results in item order.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "foreachNode".
 */
export interface ForeachNode {
  /**
   * The node's name (a loop over an array): 1-100 characters, unique among its siblings. Its durable step names derive from it.
   */
  foreach: string;
  /**
   * Expression yielding the array to iterate.
   */
  in: string | boolean;
  /**
   * A variable name: letters, digits and _, not starting with a digit; not a reserved name.
   */
  each?: string;
  /**
   * A variable name: letters, digits and _, not starting with a digit; not a reserved name.
   */
  index?: string;
  steps: Steps3;
  /**
   * How many iterations run at once (default 1).
   */
  concurrency?: number;
  /**
   * At most this many items (at most 10000); more fail the node with ExpressionError. Bounds the step budget when `in` is not a literal list or an input with maxItems.
   */
  max?: number;
  /**
   * Template evaluated per iteration (default: the iteration's last result).
   */
  collect?: unknown;
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
}
/**
 * Runs branches concurrently, each in its own scope; waits for all; raises the first failure in branch order. Result: { branch: last result }.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "parallelNode".
 */
export interface ParallelNode {
  /**
   * The node's name (concurrent branches): 1-100 characters, unique among its siblings. Its durable step names derive from it.
   */
  parallel: string;
  /**
   * Map of branch name to steps.
   */
  branches: {
    [k: string]: Steps4 | undefined;
  };
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
}
/**
 * Runs branches concurrently; the first to succeed wins and the node continues at once with { winner, result }. The winner is journaled, so a replay takes the same one. The other branches are not cancelled (Cloudflare cannot cancel a step): they run on, and their results and failures are ignored. If every branch fails, the first failure in branch order is raised.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "raceNode".
 */
export interface RaceNode {
  /**
   * The node's name: 1-100 characters, unique among its siblings. Step names derive from it.
   */
  race: string;
  /**
   * Map of branch name to steps; the first branch to finish wins.
   */
  branches: {
    [k: string]: Steps4 | undefined;
  };
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
}
/**
 * Repeats steps until the until expression is truthy (checked after each iteration), at most max times; $attempt counts from 0. Exhaustion raises RepeatExhausted.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "repeatNode".
 */
export interface RepeatNode {
  /**
   * The node's name: 1-100 characters, unique among its siblings. Step names derive from it.
   */
  repeat: string;
  steps: Steps5;
  /**
   * Expression checked after each iteration; the loop ends when truthy.
   */
  until: string | boolean;
  /**
   * Most iterations (at most 1000).
   */
  max: number;
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
}
/**
 * Runs steps; the first catch handler matching the error's name runs with $error = { name, message, node, status? }.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "tryNode".
 */
export interface TryNode {
  /**
   * The node's name: 1-100 characters, unique among its siblings. Step names derive from it.
   */
  try: string;
  steps: Steps6;
  /**
   * Handlers, tried in order.
   *
   * @minItems 1
   */
  catch: [
    {
      /**
       * Error names this handler catches (omit for all): HttpError, Timeout, Failed, ExpressionError, ExpressionLimit, ActionError, ChildFailed, RepeatExhausted or a fail node's own error.
       *
       * @minItems 1
       */
      errors?: [string, ...string[]];
      steps: Steps7;
    },
    ...{
      /**
       * Error names this handler catches (omit for all): HttpError, Timeout, Failed, ExpressionError, ExpressionLimit, ActionError, ChildFailed, RepeatExhausted or a fail node's own error.
       *
       * @minItems 1
       */
      errors?: [string, ...string[]];
      steps: Steps7;
    }[]
  ];
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
}
/**
 * Runs every pending compensation now, newest first (for use inside catch to undo and carry on).
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "compensateNode".
 */
export interface CompensateNode {
  /**
   * The node's name: 1-100 characters, unique among its siblings. Step names derive from it.
   */
  compensate: string;
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
}
/**
 * Raises a non-retryable error, catchable by try.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "failNode".
 */
export interface FailNode {
  /**
   * The node's name: 1-100 characters, unique among its siblings. Step names derive from it.
   */
  fail: string;
  /**
   * Template for the error message.
   */
  message?: unknown;
  /**
   * Error name (default Failed), or {% $error %} in a catch handler to raise the caught error again as it was (status, node and response kept; message then optional).
   */
  error?: string;
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
}
/**
 * Starts a child instance of another definition (id derived from this instance and the node path); with wait, its output is the result.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "workflowNode".
 */
export interface WorkflowNode {
  /**
   * The node's name: 1-100 characters, unique among its siblings. Step names derive from it.
   */
  workflow: string;
  /**
   * Name of the child definition.
   */
  definition: string;
  /**
   * Template for the child's params.
   */
  params?: unknown;
  /**
   * Wait for the child to finish (default true).
   */
  wait?: boolean;
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * Variable that receives the node's result.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
  retries?: Retries3;
  /**
   * How long to wait for the child (default 24 hours).
   */
  timeout?: string | number;
  /**
   * The step's result is secret: Cloudflare redacts it in its dashboard, API and event history, and flowdsl's history never shows it.
   */
  sensitive?: boolean;
  compensate?: Compensate2;
}
/**
 * Retry policy of a durable step, Cloudflare's shape: limit 5, delay 10 seconds, backoff exponential by default.
 */
export interface Retries3 {
  /**
   * How many retries after the first attempt.
   */
  limit?: number;
  /**
   * Delay before the first retry.
   */
  delay?: string | number;
  /**
   * How the delay grows between retries.
   */
  backoff?: "constant" | "linear" | "exponential";
  /**
   * The longest delay between two attempts: the backoff grows up to it and stays there.
   */
  maxDelay?: string | number;
}
/**
 * Retry policy of a durable step, Cloudflare's shape: limit 5, delay 10 seconds, backoff exponential by default.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "retries".
 */
export interface Retries4 {
  /**
   * How many retries after the first attempt.
   */
  limit?: number;
  /**
   * Delay before the first retry.
   */
  delay?: string | number;
  /**
   * How the delay grows between retries.
   */
  backoff?: "constant" | "linear" | "exponential";
  /**
   * The longest delay between two attempts: the backoff grows up to it and stays there.
   */
  maxDelay?: string | number;
}
/**
 * Fields every node may have.
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "common".
 */
export interface Common {
  /**
   * Expression; the node is skipped when it is falsy. Evaluated on every replay, so it must be deterministic.
   */
  if?: string | boolean;
  /**
   * A variable name: letters, digits and _, not starting with a digit; not a reserved name.
   */
  as?: string;
  /**
   * What the node does, for people.
   */
  description?: string;
}
/**
 * Fields of durable nodes (do, http, workflow).
 *
 * This interface was referenced by `FlowdslWorkflowDefinition`'s JSON-Schema
 * via the `definition` "durable".
 */
export interface Durable {
  retries?: Retries5;
  /**
   * A duration: milliseconds as a number, "10 seconds", "1 week" (second, minute, hour, day, week, month, year, optional plural), or "30s", "5m", "24h", "7d".
   */
  timeout?: string | number;
  compensate?: Steps8;
}
/**
 * Retry policy of a durable step, Cloudflare's shape: limit 5, delay 10 seconds, backoff exponential by default.
 */
export interface Retries5 {
  /**
   * How many retries after the first attempt.
   */
  limit?: number;
  /**
   * Delay before the first retry.
   */
  delay?: string | number;
  /**
   * How the delay grows between retries.
   */
  backoff?: "constant" | "linear" | "exponential";
  /**
   * The longest delay between two attempts: the backoff grows up to it and stays there.
   */
  maxDelay?: string | number;
}

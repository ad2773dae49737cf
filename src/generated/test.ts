/* generated — do not edit. Source: schema/test.schema.json; regenerate with `npm run codegen`. */

/**
 * One answer, or a list of answers for successive requests of the node (retries and loop iterations alike); the last one repeats.
 *
 * @minItems 1
 */
export type Mock =
  | {
      /**
       * http: the response status.
       */
      status?: number;
      /**
       * http: response headers.
       */
      headers?: {
        [k: string]: string | undefined;
      };
      /**
       * http: the response body; JSON unless it is a string.
       */
      body?: unknown;
      /**
       * do with an action: what the action returns.
       */
      result?: unknown;
      /**
       * workflow: the child's output (the child completed).
       */
      output?: unknown;
      /**
       * do: the action fails (retried when `retryable`); workflow: the child failed; http: the connection fails (retried).
       */
      error?:
        | string
        | {
            /**
             * The error's name, as `try`/`catch` `errors:` match it (default ActionError).
             */
            name?: string;
            /**
             * The error's message.
             */
            message?: string;
            /**
             * do: the engine retries this failure per the node's retries (default false).
             */
            retryable?: boolean;
          };
    }
  | [Answer, ...Answer[]];
/**
 * One answer, or a list of answers for successive requests of the node (retries and loop iterations alike); the last one repeats.
 *
 * @minItems 1
 *
 * This interface was referenced by `FlowdslTestFile`'s JSON-Schema
 * via the `definition` "mock".
 */
export type AnswerFields =
  | {
      /**
       * http: the response status.
       */
      status?: number;
      /**
       * http: response headers.
       */
      headers?: {
        [k: string]: string | undefined;
      };
      /**
       * http: the response body; JSON unless it is a string.
       */
      body?: unknown;
      /**
       * do with an action: what the action returns.
       */
      result?: unknown;
      /**
       * workflow: the child's output (the child completed).
       */
      output?: unknown;
      /**
       * do: the action fails (retried when `retryable`); workflow: the child failed; http: the connection fails (retried).
       */
      error?:
        | string
        | {
            /**
             * The error's name, as `try`/`catch` `errors:` match it (default ActionError).
             */
            name?: string;
            /**
             * The error's message.
             */
            message?: string;
            /**
             * do: the engine retries this failure per the node's retries (default false).
             */
            retryable?: boolean;
          };
    }
  | [Answer, ...Answer[]];
/**
 * A duration: milliseconds as a number, "10 seconds", "1 week", or "30s", "5m", "24h", "7d".
 *
 * This interface was referenced by `FlowdslTestFile`'s JSON-Schema
 * via the `definition` "duration".
 */
export type Duration = string | number;

/**
 * Test cases for one definition (definitions/<name>.test.yaml), run by `flowdsl test` on the local Workflows engine.
 */
export interface FlowdslTestFile {
  /**
   * The definition under test: its name (definitions/<name>.yaml).
   */
  definition: string;
  /**
   * The cases; each starts one instance with its input, mocks and events, and checks what it expects.
   *
   * @minItems 1
   */
  cases: [Case, ...Case[]];
}
/**
 * One case: an instance started with `input`, its outside world mocked, and what must come out.
 *
 * This interface was referenced by `FlowdslTestFile`'s JSON-Schema
 * via the `definition` "case".
 */
export interface Case {
  /**
   * Names the case in reports. Unique in the file.
   */
  name: string;
  /**
   * The instance's params, checked against the definition's input schema (its defaults applied).
   */
  input?: unknown;
  /**
   * Answers for the nodes that reach the outside world, by node name (its name path a/b when the name is not unique). A node's answers go to its requests in order, across retries and loop iterations; the last one repeats. http: status/headers/body (or error: a failed connection). do with an action: result or error. workflow: the child's output or error.
   */
  mocks?: {
    [k: string]: Mock | undefined;
  };
  /**
   * Events sent to the instance. A wait takes the first event of its type that arrives (see `after`) before its timeout; a wait no event reaches times out, in test time: at once, unless something else is due first.
   */
  events?: Event[];
  expect: Expect;
  /**
   * Wall-clock limit for this case (default 30s).
   */
  timeout?: string | number;
}
/**
 * An answer for one attempt.
 */
export interface Answer {
  /**
   * http: the response status.
   */
  status?: number;
  /**
   * http: response headers.
   */
  headers?: {
    [k: string]: string | undefined;
  };
  /**
   * http: the response body; JSON unless it is a string.
   */
  body?: unknown;
  /**
   * do with an action: what the action returns.
   */
  result?: unknown;
  /**
   * workflow: the child's output (the child completed).
   */
  output?: unknown;
  /**
   * do: the action fails (retried when `retryable`); workflow: the child failed; http: the connection fails (retried).
   */
  error?:
    | string
    | {
        /**
         * The error's name, as `try`/`catch` `errors:` match it (default ActionError).
         */
        name?: string;
        /**
         * The error's message.
         */
        message?: string;
        /**
         * do: the engine retries this failure per the node's retries (default false).
         */
        retryable?: boolean;
      };
}
/**
 * An event sent to the instance.
 *
 * This interface was referenced by `FlowdslTestFile`'s JSON-Schema
 * via the `definition` "event".
 */
export interface Event {
  /**
   * The event type a waitForEvent node waits for.
   */
  event: string;
  /**
   * The event's payload (the wait's result).
   */
  payload?: unknown;
  /**
   * When the event arrives, in test time from the instance's start (default 0: before anything waits). A wait takes it if it arrives before the wait's timeout; otherwise the wait times out and the event stays for the next wait of its type.
   */
  after?: string | number;
}
/**
 * What the instance must come to.
 *
 * This interface was referenced by `FlowdslTestFile`'s JSON-Schema
 * via the `definition` "expect".
 */
export interface Expect {
  /**
   * How the instance ends.
   */
  status: "complete" | "errored";
  /**
   * The instance's output, compared as JSON (deep equal).
   */
  output?: unknown;
  /**
   * The error the instance ends with (status errored).
   */
  error?: {
    /**
     * The error's name (HttpError, Timeout …).
     */
    name: string;
    /**
     * Text the error's message contains.
     */
    message?: string;
    /**
     * The node path where it was raised (charge[3]/notify).
     */
    node?: string;
  };
  /**
   * Attempts per node (by node name or name path): how many times its step body ran.
   */
  calls?: {
    [k: string]: number | undefined;
  };
  /**
   * Nodes that must have run.
   */
  ran?: string[];
  /**
   * Nodes that must not have run.
   */
  notRan?: string[];
}
/**
 * An answer for one attempt.
 *
 * This interface was referenced by `FlowdslTestFile`'s JSON-Schema
 * via the `definition` "answer".
 */
export interface AnswerFields1 {
  /**
   * http: the response status.
   */
  status?: number;
  /**
   * http: response headers.
   */
  headers?: {
    [k: string]: string | undefined;
  };
  /**
   * http: the response body; JSON unless it is a string.
   */
  body?: unknown;
  /**
   * do with an action: what the action returns.
   */
  result?: unknown;
  /**
   * workflow: the child's output (the child completed).
   */
  output?: unknown;
  /**
   * do: the action fails (retried when `retryable`); workflow: the child failed; http: the connection fails (retried).
   */
  error?:
    | string
    | {
        /**
         * The error's name, as `try`/`catch` `errors:` match it (default ActionError).
         */
        name?: string;
        /**
         * The error's message.
         */
        message?: string;
        /**
         * do: the engine retries this failure per the node's retries (default false).
         */
        retryable?: boolean;
      };
}
/**
 * The fields of an answer; which apply depends on the node's kind.
 *
 * This interface was referenced by `FlowdslTestFile`'s JSON-Schema
 * via the `definition` "answerFields".
 */
export interface AnswerFields2 {
  /**
   * http: the response status.
   */
  status?: number;
  /**
   * http: response headers.
   */
  headers?: {
    [k: string]: string | undefined;
  };
  /**
   * http: the response body; JSON unless it is a string.
   */
  body?: unknown;
  /**
   * do with an action: what the action returns.
   */
  result?: unknown;
  /**
   * workflow: the child's output (the child completed).
   */
  output?: unknown;
  /**
   * do: the action fails (retried when `retryable`); workflow: the child failed; http: the connection fails (retried).
   */
  error?:
    | string
    | {
        /**
         * The error's name, as `try`/`catch` `errors:` match it (default ActionError).
         */
        name?: string;
        /**
         * The error's message.
         */
        message?: string;
        /**
         * do: the engine retries this failure per the node's retries (default false).
         */
        retryable?: boolean;
      };
}

// An action: `(args, ctx) => Promise<JSON>`, registered by name in src/actions/index.ts.

export interface ActionContext {
  env: Record<string, unknown>;
  instanceId: string;
  stepName: string;
  attempt: number;
  /**
   * Outbound HTTP for actions: through the node's effects seam, with the same safety rules as
   * `http` nodes (private hosts refused, each redirect checked). Never use the global fetch.
   */
  fetch(url: string | URL, init?: RequestInit): Promise<Response>;
}

export type Action = (args: unknown, ctx: ActionContext) => Promise<unknown>;
export type ActionRegistry = Readonly<Record<string, Action>>;

/** Throw this from an action for a failure that retrying cannot fix (bad arguments, 4xx …). */
export class ActionFailure extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = "ActionError";
  }
}

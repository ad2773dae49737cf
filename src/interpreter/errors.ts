// The run-time error model (docs/reference.md, Errors). Errors cross Cloudflare's step journal and RPC,
// which keep only `message` reliably, so flowdsl details ride in the message behind a marker.
import type { RuntimeErrorName } from "../errors.js";

const MARK_OPEN = " ⟦flowdsl ";
const MARK_CLOSE = "⟧";

export interface ErrorInfo {
  name: RuntimeErrorName | string;
  message: string;
  /** Node path where it was raised, e.g. "charge[3]/notify". */
  node: string;
  status?: number;
  /** A failed http call's answer, `$error.response` in catch: `{ status, headers, body }`. */
  response?: unknown;
}

export class FlowError extends Error {
  readonly info: ErrorInfo;
  constructor(info: ErrorInfo) {
    super(encodeErrorMessage(info));
    this.info = info;
    this.name = info.name;
  }
  /** `$error` inside catch. */
  toJSON(): ErrorInfo {
    return { ...this.info };
  }
}

export function encodeErrorMessage(info: ErrorInfo): string {
  const { message, ...rest } = info;
  return message + MARK_OPEN + JSON.stringify(rest) + MARK_CLOSE;
}

/** Recovers flowdsl error details from any message that carries the marker. */
export function decodeErrorMessage(message: string): ErrorInfo | undefined {
  const at = message.lastIndexOf(MARK_OPEN);
  if (at < 0 || !message.endsWith(MARK_CLOSE)) return undefined;
  try {
    const rest = JSON.parse(message.slice(at + MARK_OPEN.length, -MARK_CLOSE.length)) as Omit<ErrorInfo, "message">;
    const human = message.slice(0, at).replace(/^(Error|NonRetryableError|WorkflowFatalError):\s*/, "");
    return { ...rest, message: human };
  } catch {
    return undefined;
  }
}

/** Engine control flow (pause, terminate, restart): never caught, never compensated. */
export function isEngineAbort(e: unknown): boolean {
  const m = e instanceof Error ? e.message : typeof e === "object" && e && "message" in e ? String((e as { message: unknown }).message) : "";
  return m.startsWith("Aborting engine:");
}

/** Any thrown value → FlowError, or undefined when it is engine control flow to re-throw. */
export function toFlowError(e: unknown, node: string, fallbackName: RuntimeErrorName = "Failed"): FlowError | undefined {
  if (e instanceof FlowError) return e;
  if (isEngineAbort(e)) return undefined;
  const message = e instanceof Error ? e.message : typeof e === "object" && e && "message" in e ? String((e as { message: unknown }).message) : String(e);
  const decoded = decodeErrorMessage(message);
  if (decoded) return new FlowError(decoded);
  const name = e instanceof Error ? e.name : "";
  if (/timed out|timeout/i.test(message) || /Timeout/.test(name)) return new FlowError({ name: "Timeout", message, node });
  return new FlowError({ name: fallbackName, message, node });
}

/** A non-retryable failure journaled as a step result, so a replay raises it again without re-running the step. */
export const ERROR_ENVELOPE_KEY = "⟦flowdsl-error⟧";
export type ErrorEnvelope = { [ERROR_ENVELOPE_KEY]: ErrorInfo };
export function isErrorEnvelope(v: unknown): v is ErrorEnvelope {
  return typeof v === "object" && v !== null && ERROR_ENVELOPE_KEY in v;
}

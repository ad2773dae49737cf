// Durations (docs/reference.md, Expressions and templates): ms numbers, Cloudflare's "10 seconds", or short "30s".

const UNIT_MS: Record<string, number> = {
  ms: 1, millisecond: 1,
  s: 1000, second: 1000,
  m: 60_000, minute: 60_000,
  h: 3_600_000, hour: 3_600_000,
  d: 86_400_000, day: 86_400_000,
  w: 604_800_000, week: 604_800_000,
  month: 2_592_000_000,
  year: 31_536_000_000,
};
const LONG = /^\s*(\d+(?:\.\d+)?)\s*(millisecond|second|minute|hour|day|week|month|year)s?\s*$/;
const SHORT = /^\s*(\d+)(ms|s|m|h|d|w)\s*$/;

export const DAY_MS = 86_400_000;
/** Cloudflare's bounds: sleeps and waits up to 365 days; event waits at least 1 second. */
export const MAX_SLEEP_MS = 365 * DAY_MS;
export const MIN_EVENT_TIMEOUT_MS = 1000;
export const MAX_EVENT_TIMEOUT_MS = 365 * DAY_MS;
export const DEFAULT_EVENT_TIMEOUT_MS = DAY_MS;
/** Step attempt timeouts: above zero, at most 365 days. */
export const MAX_STEP_TIMEOUT_MS = 365 * DAY_MS;
export const MAX_RETRY_DELAY_MS = 365 * DAY_MS;

export const sleepInRange = (ms: number): boolean => ms >= 0 && ms <= MAX_SLEEP_MS;
export const eventTimeoutInRange = (ms: number): boolean => ms >= MIN_EVENT_TIMEOUT_MS && ms <= MAX_EVENT_TIMEOUT_MS;
export const stepTimeoutInRange = (ms: number): boolean => ms > 0 && ms <= MAX_STEP_TIMEOUT_MS;
export const retryDelayInRange = (ms: number): boolean => ms >= 0 && ms <= MAX_RETRY_DELAY_MS;

/** Milliseconds, or undefined when the value is not a duration. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== "string") return undefined;
  const long = LONG.exec(v);
  if (long) return Number(long[1]) * UNIT_MS[long[2]!]!;
  const short = SHORT.exec(v);
  if (short) return Number(short[1]) * UNIT_MS[short[2]!]!;
  return undefined;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [["day", DAY_MS], ["hour", 3_600_000], ["minute", 60_000], ["second", 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}${ms === size ? "" : "s"}`;
  }
  return `${ms} ms`;
}

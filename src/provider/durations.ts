/**
 * Operation deadlines. `customTimeouts` never reach a dynamic provider (the engine copies them into the request,
 * the Node plugin ignores them), so the resource carries its own `timeouts` input and enforces it here.
 */
import type { Duration, TimeoutsInputs } from "./types";

/**
 * Defaults sit above obshell's own bounds so the provider never gives up before the agent does. The longest task
 * is `Start obproxy`: its health check tries up to 100 times, 10 s apart (≈ 17 min). `create` runs it in the Add
 * DAG; `update` runs it when it starts the OBProxy or finishes an Add that failed part-way, so both get 25 min.
 * `delete` stops first: up to 15 rounds of kill and 5 s wait, then the cleanup.
 */
export const DEFAULT_TIMEOUTS_MS = {
  create: 25 * 60_000,
  update: 25 * 60_000,
  delete: 15 * 60_000,
} as const;

export type TimeoutKey = keyof typeof DEFAULT_TIMEOUTS_MS;
export const TIMEOUT_KEYS = Object.keys(DEFAULT_TIMEOUTS_MS) as TimeoutKey[];

/** One day: more is surely a typo, and it keeps timers far from Node's 2^31 ms limit. */
export const MAX_TIMEOUT_MS = 24 * 3_600_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/**
 * Parses "20m", "90s", "1h30m", "500ms" or a number of seconds into milliseconds.
 * Returns undefined for anything else, including zero, negative and more than a day.
 */
export function parseDuration(value: Duration): number | undefined {
  let ms: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    ms = value * 1_000;
  } else if (typeof value === "string") {
    const text = value.trim();
    if (/^\d+(?:\.\d+)?$/.test(text)) {
      ms = Number(text) * 1_000;
    } else {
      if (!DURATION_RE.test(text)) return undefined;
      ms = 0;
      for (const [, amount, unit] of text.matchAll(PART_RE)) ms += Number(amount) * UNIT_MS[unit];
    }
  } else {
    return undefined;
  }
  ms = Math.round(ms);
  return ms > 0 && ms <= MAX_TIMEOUT_MS ? ms : undefined;
}

/** The timeout of one operation in ms: the input when valid (check already rejected invalid ones), else the default. */
export function timeoutMs(timeouts: TimeoutsInputs | undefined, key: TimeoutKey): number {
  const given = timeouts?.[key];
  const parsed = given === undefined ? undefined : parseDuration(given);
  return parsed ?? DEFAULT_TIMEOUTS_MS[key];
}

/** The timeout of one operation: the host's override (customTimeouts) when given, else `timeoutMs`. */
export function operationTimeoutMs(override: number | undefined, timeouts: TimeoutsInputs | undefined, key: TimeoutKey): number {
  return override !== undefined && Number.isFinite(override) && override > 0 ? override : timeoutMs(timeouts, key);
}

/** Durations in messages are written by the one formatter of the client. */
export { formatDuration } from "../obshell/clock";

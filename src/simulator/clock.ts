/**
 * The simulator's time: the one real clock of `obshell/clock.ts`, with unref'd timers so a forgotten simulator never
 * keeps a process alive (every pending timer is also cleared by `stop()`); tests may inject their own. Plus Go's
 * time format, which is the simulator's alone.
 */
import { createSystemClock, isAbortError, type Clock } from "../obshell/clock";

/** Time source used by the simulator (epoch milliseconds and cancellable sleeps). */
export type SimClock = Clock;

/** The real clock, timers unref'd. */
export const realClock: SimClock = createSystemClock({ unref: true });

export { isAbortError };

/**
 * Go's `time.Time` JSON form (RFC 3339 with nanoseconds, local offset), e.g. `2026-05-11T10:35:17.123000417+08:00`;
 * "Z" when the local offset is zero, like Go's UTC location. Go's clock has nanoseconds, so its fractions have nine
 * digits (it trims trailing zeros, which a real reading almost never has); the simulator's sub-millisecond digits are
 * derived from the millisecond so the same instant always prints the same.
 */
export function formatGoTime(ms: number): string {
  const d = new Date(ms);
  const offsetMin = -d.getTimezoneOffset();
  const local = new Date(ms + offsetMin * 60_000);
  const base = local.toISOString().slice(0, 19);
  // time.Unix(0, 0), obshell's reset time, has no fraction.
  const frac = ms === 0 ? "" : `${String(local.getUTCMilliseconds()).padStart(3, "0")}${String((Math.abs(Math.trunc(ms)) * 7919) % 99_991 + 1).padStart(5, "0")}1`;
  const sign = offsetMin >= 0 ? "+" : "-";
  const abs = Math.abs(offsetMin);
  const tz = offsetMin === 0 ? "Z" : `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${base}${frac ? "." + frac : ""}${tz}`;
}

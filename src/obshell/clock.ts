/**
 * The one source of time for the client and the simulator (the simulator may import this module: it is pure, no
 * transport). Tests inject a fake `Clock` so nothing sleeps for real; everything else takes time from a `Clock`.
 * Also the one way durations are written for people (`formatDuration`).
 */

/** Epoch milliseconds and cancellable sleeps. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` (≤ 0: on the next tick); rejects with the signal's reason when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** How a real clock's timers behave. */
export interface SystemClockOptions {
  /**
   * Unref the timers so a pending sleep never keeps the process alive. The simulator wants that (a forgotten
   * simulator must not hang a test run); the client does not (see `systemClock`). @default false
   */
  unref?: boolean;
}

/** A real clock (`Date.now`, `setTimeout`). */
export function createSystemClock(options: SystemClockOptions = {}): Clock {
  return {
    now: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(abortReason(signal));
        const onAbort = () => {
          clearTimeout(timer);
          reject(abortReason(signal as AbortSignal));
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, Math.max(0, ms));
        if (options.unref) timer.unref();
        signal?.addEventListener("abort", onAbort, { once: true });
      }),
  };
}

/**
 * The client's real clock. Timers stay ref'd: a caller awaiting a sleep (waitForDag between polls, a retry backoff)
 * is pending work, and a script with nothing else to do must not exit in the middle of it (it did, silently with
 * status 0). Cancel with the signal.
 */
export const systemClock: Clock = createSystemClock();

/** The reason an aborted signal carries, as an Error (an `AbortError` when it carries none usable). */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error(typeof r === "string" ? r : "aborted");
  e.name = "AbortError";
  return e;
}

/** True for the rejection of a sleep aborted by a signal without a reason of its own. */
export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === "AbortError";
}

/** `Math.random`, the default jitter source (injectable through the `random` option). */
export const systemRandom = (): number => Math.random();

/**
 * A duration for people. Whole units by default: "250ms", "90s" → "1m30s", "1h30m30s". With `tenths`, a duration
 * under a minute keeps one decimal ("12.3s", as progress lines show elapsed time); longer ones are whole units.
 */
export function formatDuration(ms: number, options: { tenths?: boolean } = {}): string {
  if (options.tenths && ms < 60_000) return `${(Math.max(0, ms) / 1_000).toFixed(1)}s`;
  if (ms < 1_000) return `${ms}ms`;
  const totalSeconds = Math.round(ms / 1_000);
  const h = Math.floor(totalSeconds / 3_600);
  const m = Math.floor((totalSeconds % 3_600) / 60);
  const s = totalSeconds % 60;
  return [h ? `${h}h` : "", m ? `${m}m` : "", s ? `${s}s` : ""].join("") || "0s";
}

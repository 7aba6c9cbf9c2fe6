/**
 * The client's only source of time. Tests inject a fake clock so nothing sleeps for real; everything else in
 * `src/obshell/` takes time from a `Clock`.
 */

/** Epoch milliseconds and cancellable sleeps. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` (≤ 0: on the next tick); rejects with the signal's reason when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock (`Date.now`, `setTimeout`). Timers stay ref'd: a caller awaiting a sleep (waitForDag between polls,
 * a retry backoff) is pending work, and a script with nothing else to do must not exit in the middle of it (it did,
 * silently with status 0). Cancel with the signal.
 */
export const systemClock: Clock = {
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
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/** The reason an aborted signal carries, as an Error. */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error(typeof r === "string" ? r : "aborted");
  e.name = "AbortError";
  return e;
}

/** `Math.random`, the default jitter source (injectable through the `random` option). */
export const systemRandom = (): number => Math.random();

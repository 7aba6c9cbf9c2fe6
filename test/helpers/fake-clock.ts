/** A clock for tests: sleeps advance time at once (no real waiting) and are recorded. */
import type { Clock } from "../../src/obshell/clock";

export interface FakeClock extends Clock {
  t: number;
  sleeps: number[];
  /** Runs before each sleep resolves (after time advanced): lets a test change the world mid-wait. */
  onSleep?: (ms: number) => void;
}

export function fakeClock(start = Date.UTC(2026, 4, 11, 10, 0, 0)): FakeClock {
  const c: FakeClock = {
    t: start,
    sleeps: [],
    now: () => c.t,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("aborted");
      c.sleeps.push(ms);
      c.t += Math.max(0, ms);
      c.onSleep?.(ms);
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("aborted");
    },
  };
  return c;
}

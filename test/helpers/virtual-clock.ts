/**
 * A simulator clock that only moves when the test drives it: sleeps wait until `runUntil` advances virtual time to
 * their deadline, earliest first, after letting every pending promise settle. So a simulator at timeScale 1 walks a
 * 17 s DAG in milliseconds, and its timing is exact whatever the machine's load.
 */
import type { SimClock } from "../../src/simulator";

interface Timer {
  at: number;
  seq: number;
  resolve(): void;
}

export interface VirtualClock extends SimClock {
  /** Advances through timers until `done()` holds (checked after each step); throws after `maxSteps`. */
  runUntil(done: () => boolean, maxSteps?: number): Promise<void>;
}

const settle = () => new Promise<void>((r) => setImmediate(r));

export function virtualClock(start = Date.UTC(2026, 11, 1, 12, 0, 0)): VirtualClock {
  let now = start;
  let seq = 0;
  let timers: Timer[] = [];
  return {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        const abort = () => {
          timers = timers.filter((t) => t !== timer);
          reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
        };
        if (signal?.aborted) return abort();
        const timer: Timer = { at: now + Math.max(0, ms), seq: seq++, resolve: () => (signal?.removeEventListener("abort", abort), resolve()) };
        timers.push(timer);
        signal?.addEventListener("abort", abort, { once: true });
      }),
    async runUntil(done, maxSteps = 10_000) {
      for (let step = 0; step < maxSteps; step++) {
        for (let i = 0; i < 5; i++) await settle();
        if (done()) return;
        if (timers.length === 0) throw new Error("virtual clock: nothing left to wait for");
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers.shift()!;
        now = Math.max(now, next.at);
        next.resolve();
      }
      throw new Error("virtual clock: too many steps");
    },
  };
}

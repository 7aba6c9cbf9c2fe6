/**
 * What `waitForDag` needs, scripted for unit tests on a fake clock: `getDag` answers `script(elapsed)` — the DAG as it
 * would be that long after the deps were made, or an error to throw — and records when each poll came.
 */
import type { WaitDeps } from "../../src/obshell/dag";
import { OBSHELL_TASK_MIN_DURATIONS_MS } from "../../src/obshell/poll-schedule";
import type { DagDetail } from "../../src/obshell/schemas";
import type { FakeClock } from "./fake-clock";

/** Scripted deps; `polls` holds each poll's time since creation (ms). */
export function scriptedWaitDeps(clock: FakeClock, script: (elapsedMs: number) => DagDetail | Error, skewMs = 0): WaitDeps & { polls: number[] } {
  const start = clock.now();
  const polls: number[] = [];
  return {
    polls,
    getDag: async () => {
      polls.push(clock.now() - start);
      const r = script(clock.now() - start);
      if (r instanceof Error) throw r;
      return r;
    },
    clock,
    random: () => 0.5,
    skewMs: () => skewMs,
    requestTimeoutMs: 30_000,
    endpoint: "http://127.0.0.1:2886",
    taskMinDurationsMs: OBSHELL_TASK_MIN_DURATIONS_MS,
    log: () => undefined,
  };
}

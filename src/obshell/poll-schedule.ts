/**
 * When to read a DAG next: a small pure function, so the schedule is unit-tested without clocks.
 *
 * - After a change, poll quickly (150 ms), then back off in proportion to the time without change (the next poll
 *   comes at 1.6× the quiet time so far), with ±20 % jitter, capped at 2 s: about one poll per second on average.
 * - Predictive: obshell's sub tasks have known minimum durations (`Start obproxy` sleeps 10 s before its health
 *   check; `Stop obproxy` kills, sleeps 5 s, then checks). While such a task is RUNNING and its earliest end lies
 *   ahead, sleep until shortly before that end instead of polling, then poll every 100 ms for a short window. That
 *   is how completion is seen within ~150 ms with few polls.
 * - Quick tail: once only quick tasks are left (an OBProxy DAG past its long task: "Delete obproxy" and "Clean
 *   obproxy dir" after a Stop, "Set proxyro password…" and "Persist obproxy info" after a Start), poll every 100 ms
 *   for up to 2 s after the last change instead of backing off: the DAG ends within a second, and backing off there
 *   is what would add lag.
 */

/** Tunables of the schedule (ms). */
export const POLL = {
  /** First poll after a change, and the floor of the backoff. */
  firstMs: 150,
  /** The next delay is this fraction of the time since the last change. */
  quietFactor: 0.6,
  capMs: 2_000,
  jitter: 0.2,
  /** Wake this long before a predicted end (a minimum cannot end early; this only absorbs clock error)… */
  leadMs: 50,
  /** …then poll this often… */
  nearMs: 100,
  /** …for this long past the predicted end, before backing off again. */
  nearWindowMs: 1_500,
  /** In a quick tail, poll this often… */
  tailMs: 100,
  /** …for this long after the last change. */
  tailWindowMs: 2_000,
} as const;

/** Sub tasks that may take long without a known minimum (polls every 5 s until the hot restart is done). */
export const OBSHELL_SLOW_TASKS: readonly string[] = ["Wait hot restart obproxy finish"];

/** Minimum durations of obshell sub tasks, by name (protocol §5.6, `ob/agent/executor/obproxy`). */
export const OBSHELL_TASK_MIN_DURATIONS_MS: Readonly<Record<string, number>> = {
  "Start obproxy": 10_000,
  "Stop obproxy": 5_000,
};

/** What the schedule looks at. Times are local epoch ms. */
export interface PollScheduleInput {
  now: number;
  /** When the last change (stage, state, task) was seen; the wait's start before any. */
  lastChangeAt: number;
  /** Earliest end of the RUNNING sub task, when predictable. */
  earliestDoneAt?: number;
  /** Only quick tasks are left in the DAG. */
  quickTail?: boolean;
  /** A random number in [0, 1) for jitter. */
  random: number;
}

/** Milliseconds to sleep before the next poll. */
export function nextPollDelay(s: PollScheduleInput): number {
  let quietSince = s.lastChangeAt;
  if (s.earliestDoneAt !== undefined) {
    const until = s.earliestDoneAt - s.now;
    if (until > POLL.leadMs + POLL.nearMs) return until - POLL.leadMs;
    if (until > -POLL.nearWindowMs) return POLL.nearMs;
    // The task outlived its minimum: back off from the predicted end, not from the last change.
    quietSince = Math.max(quietSince, s.earliestDoneAt);
  }
  if (s.quickTail && s.now - s.lastChangeAt < POLL.tailWindowMs) return POLL.tailMs;
  const base = Math.max(POLL.firstMs, (s.now - quietSince) * POLL.quietFactor);
  const jittered = base * (1 - POLL.jitter + 2 * POLL.jitter * s.random);
  return Math.round(Math.min(POLL.capMs, Math.max(POLL.firstMs * (1 - POLL.jitter), jittered)));
}

/**
 * Runs many schedules a few at a time and tallies the verdicts: the engine behind `npm run chaos` and the seeded
 * chaos test. Process-level handlers count unhandled rejections and uncaught exceptions; console output is captured
 * for the secret scan (schedules run concurrently, so it is scanned for every schedule's secrets).
 */
import { format } from "node:util";
import { runSchedule, type ScheduleRun } from "./run-schedule";
import { describeSchedule, generateSchedule } from "./schedule";
import { judge, type Violation, type ViolationKind } from "./verdict";

/** Options of a chaos run. */
export interface ChaosOptions {
  seed: number;
  count: number;
  /** Schedules in flight at once. @default 8 */
  concurrency?: number;
  /** Called once per finished schedule (progress dots, failure details). */
  onSchedule?: (run: ScheduleRun, violations: Violation[]) => void;
}

/** Tallies of a run. */
export interface ChaosSummary {
  seed: number;
  schedules: number;
  counts: Record<ViolationKind | "unhandled", number>;
  /** Outcome statistics, to show the faults actually bit. */
  outcomes: { createFailed: number; createLostTrack: number; destroyFailedFirst: number; recovered: number; faultRequests: number };
  /** How many schedules had each actor of a shared, faulty agent (to show they ran). */
  actors: { partyAdd: number; partyDelete: number; operatorPass: number; silent: number };
  failures: Array<{ schedule: string; violations: Violation[] }>;
  wallMs: number;
}

/** The one line printed last. */
export function summaryLine(s: ChaosSummary): string {
  const c = s.counts;
  return (
    `chaos: ${s.schedules} schedules, ${c.hang} hangs, ${c.late} past the deadline by > 1 s, ${c.duplicate} duplicate DAGs, ` +
    `${c.foreign} requests caused by DAGs we did not start, ${c.falseDeleted} "deleted" while our OBProxy is managed, ${c.leak} leaks, ` +
    `${c.secret} secret leaks, ${c.untyped} untyped errors, ${c.recovery} failed recoveries, ${c.unhandled} unhandled rejections ` +
    `(seed ${s.seed}, ${(s.wallMs / 1000).toFixed(1)} s)`
  );
}

/** True when nothing was violated. */
export function isClean(s: ChaosSummary): boolean {
  return Object.values(s.counts).every((n) => n === 0);
}

/** Captures console output while `fn` runs. */
async function capturingConsole<T>(fn: (lines: string[]) => Promise<T>): Promise<T> {
  const lines: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const saved = methods.map((m) => console[m]);
  for (const m of methods) console[m] = (...args: unknown[]) => void lines.push(format(...args));
  try {
    return await fn(lines);
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]!));
  }
}

/** Runs `count` schedules from `seed`. */
export async function runChaos(o: ChaosOptions): Promise<ChaosSummary> {
  const started = Date.now();
  const summary: ChaosSummary = {
    seed: o.seed,
    schedules: 0,
    counts: { hang: 0, late: 0, duplicate: 0, foreign: 0, falseDeleted: 0, leak: 0, secret: 0, untyped: 0, recovery: 0, harness: 0, unhandled: 0 },
    outcomes: { createFailed: 0, createLostTrack: 0, destroyFailedFirst: 0, recovered: 0, faultRequests: 0 },
    actors: { partyAdd: 0, partyDelete: 0, operatorPass: 0, silent: 0 },
    failures: [],
    wallMs: 0,
  };
  const unhandled: string[] = [];
  const onUnhandled = (e: unknown) => void unhandled.push(String((e as Error)?.stack ?? e));
  process.on("unhandledRejection", onUnhandled);
  process.on("uncaughtException", onUnhandled);
  try {
    await capturingConsole(async (consoleLines) => {
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < o.count; i = next++) {
          const run = await runSchedule(generateSchedule(o.seed, i));
          const violations = judge(run, consoleLines);
          tally(summary, run, violations);
          o.onSchedule?.(run, violations);
        }
      };
      await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 8, o.count) }, worker));
    });
  } finally {
    process.off("unhandledRejection", onUnhandled);
    process.off("uncaughtException", onUnhandled);
  }
  summary.counts.unhandled = unhandled.length;
  if (unhandled.length) summary.failures.push({ schedule: "process", violations: unhandled.map((d) => ({ kind: "harness", detail: `unhandled: ${d}` })) });
  summary.wallMs = Date.now() - started;
  return summary;
}

function tally(s: ChaosSummary, run: ScheduleRun, violations: Violation[]): void {
  s.schedules++;
  for (const v of violations) s.counts[v.kind]++;
  if (violations.length) s.failures.push({ schedule: describeSchedule(run.schedule), violations });
  const [create, ...destroys] = run.ops;
  if (create?.error !== undefined) s.outcomes.createFailed++;
  if (run.createLostTrack) s.outcomes.createLostTrack++;
  if (destroys[0]?.error !== undefined) {
    s.outcomes.destroyFailedFirst++;
    if (destroys.length > 1 && destroys[1]!.error === undefined) s.outcomes.recovered++;
  }
  s.outcomes.faultRequests += run.ops.flatMap((op) => op.requests).filter((r) => r.fault).length;
  const kinds = new Set(run.schedule.events.map((e) => e.fault.kind));
  if (kinds.has("party-add")) s.actors.partyAdd++;
  if (kinds.has("party-delete")) s.actors.partyDelete++;
  if (kinds.has("operator-pass")) s.actors.operatorPass++;
  if (kinds.has("silent")) s.actors.silent++;
}

/**
 * DAG predicates, progress text and `waitForDag`: poll `GET /api/v1/task/dag/:id?show_details=true` on the
 * schedule of poll-schedule.ts until SUCCEED (return it), FAILED (DagFailedError) or the deadline (DagTimeoutError;
 * the DAG keeps running, it is never cancelled). The agent being unreachable for a while (an obshell restart) is
 * ridden out until the deadline. One deadline, computed by the caller; `signal` aborts at once.
 */
import { abortReason, formatDuration, type Clock } from "./clock";
import { dagFailedError } from "./dag-failure";
import { ConfigError, DagTimeoutError, NetworkError, ResponseShapeError, isObshellApiError } from "./errors";
import { dagTimeline, expectsDagEnd, planPollDelay, type PollPlanInput } from "./poll-schedule";
import { MaintenanceType, OBPROXY_DAGS, isObproxyTaskId, isValidGenericId, type DagDetail, type DagState } from "./schemas";
import { isTransient } from "./transport";

/** Options of `waitForDag`. */
export interface WaitForDagOptions {
  /** Epoch ms on the client clock's scale; computed once by the caller. */
  deadline: number;
  signal?: AbortSignal;
  /** Called on each change (stage, state or task) only. */
  onProgress?: (p: DagProgress) => void;
  /** Minimum sub task durations used to predict when to poll. @default the client's `taskMinDurationsMs` */
  taskMinDurationsMs?: Readonly<Record<string, number>>;
  /**
   * Called right before a poll the schedule places on the predicted end of the DAG's last node: the caller can
   * send the reads it makes once the DAG has ended alongside that poll instead of one round trip after it. The
   * poll may still find the DAG running (a node outlived its prediction); then it is called again before the next.
   */
  onExpectedEnd?: () => void;
  /**
   * The DAG as the answer that created (or retried) it gave it, not yet picked up (READY): the wait starts from it
   * instead of reading it again at once, and first polls when its first node can have ended. Ignored otherwise.
   */
  initial?: DagDetail;
}

/** One progress report. */
export interface DagProgress {
  dagId: string;
  dagName: string;
  state: DagState;
  stage: number;
  maxStage: number;
  taskName: string;
  /** Since the wait started. */
  elapsedMs: number;
  /** "stage 2/4: Stop obproxy (RUNNING, 3.2s)" */
  message: string;
}

/** True for a DAG that will not change any more by itself. */
export function isDagFinished(dag: Pick<DagDetail, "state">): boolean {
  return dag.state === "SUCCEED" || dag.state === "FAILED";
}

/** True for an OBProxy DAG holding (or contending for) obshell's OBProxy lock: id prefix 4/5, maintenance type 4. */
export function isObproxyMaintenanceDag(dag: Pick<DagDetail, "id" | "maintenance_type">): boolean {
  return isObproxyTaskId(dag.id) && dag.maintenance_type === MaintenanceType.Obproxy;
}

/** The name of the DAG's current node (= its sub task), from details or from the known DAG layouts. */
export function currentTaskName(dag: DagDetail): string {
  const node = dag.nodes?.[dag.stage - 1];
  if (node) return node.name;
  const known = Object.values(OBPROXY_DAGS).find((k) => k.name === dag.name);
  return (known?.tasks as readonly string[] | undefined)?.[dag.stage - 1] ?? "";
}

/** "stage 2/4: Stop obproxy (RUNNING, 3.2s)". */
export function progressOf(dag: DagDetail, elapsedMs: number): DagProgress {
  const taskName = currentTaskName(dag);
  const message = `stage ${dag.stage}/${dag.max_stage}: ${taskName || dag.name} (${dag.state}, ${formatDuration(elapsedMs, { tenths: true })})`;
  return { dagId: dag.id, dagName: dag.name, state: dag.state, stage: dag.stage, maxStage: dag.max_stage, taskName, elapsedMs, message };
}

/** What counts as a change worth reporting and re-polling quickly for. */
function changeKey(dag: DagDetail): string {
  const node = dag.nodes?.[dag.stage - 1];
  return `${dag.state}|${dag.operator}|${dag.stage}|${node?.state ?? ""}|${currentTaskName(dag)}`;
}

/** What waitForDag needs from the client. */
export interface WaitDeps {
  getDag(id: string, o: { signal?: AbortSignal; timeoutMs?: number }): Promise<DagDetail>;
  clock: Clock;
  random: () => number;
  /** Agent clock minus ours (ms). */
  skewMs(): number;
  requestTimeoutMs: number;
  endpoint: string;
  taskMinDurationsMs: Readonly<Record<string, number>>;
  log(line: string): void;
}

/** True for failures worth riding out while waiting: the agent restarting or briefly unreachable. */
export function isRideOut(e: unknown): boolean {
  if (isTransient(e)) return true;
  if (isObshellApiError(e) && e.status >= 500) return true;
  // A restart can cut an answer short.
  return e instanceof ResponseShapeError;
}

/** What one wait has seen so far: the last DAG, when it last changed, and the last failure to reach the agent. */
class DagWatch {
  private last?: DagDetail;
  private lastKey = "";
  private readonly started: number;
  private lastChangeAt: number;
  private lastError: unknown;

  constructor(
    private readonly deps: WaitDeps,
    private readonly id: string,
    private readonly o: WaitForDagOptions,
  ) {
    this.started = deps.clock.now();
    this.lastChangeAt = this.started;
  }

  /** Reads the DAG once; returns it when it succeeded, throws when it failed, rides out an unreachable agent. */
  async poll(remainingMs: number): Promise<DagDetail | undefined> {
    const { deps, o } = this;
    try {
      const dag = await deps.getDag(this.id, { ...(o.signal ? { signal: o.signal } : {}), timeoutMs: Math.max(1, Math.min(deps.requestTimeoutMs, remainingMs)) });
      this.lastError = undefined;
      this.observe(dag);
      if (dag.state === "SUCCEED") return dag;
      if (dag.state === "FAILED") throw dagFailedError(dag);
    } catch (e) {
      checkAbort(o.signal, deps.endpoint);
      if (!isRideOut(e)) throw e;
      this.lastError = e;
      deps.log(`DAG ${this.id}: agent unreachable (${(e as Error).name}); waiting`);
    }
    return undefined;
  }

  /** Starts from the DAG its creating answer gave, when it is this one and not picked up yet; false otherwise. */
  startFrom(initial: DagDetail | undefined): boolean {
    if (!initial || initial.id !== this.id || initial.state !== "READY") return false;
    this.observe(initial);
    return true;
  }

  /** Reports a change (once) and restarts the quick polling after it. */
  private observe(dag: DagDetail): void {
    this.last = dag;
    const key = changeKey(dag);
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.lastChangeAt = this.deps.clock.now();
    this.o.onProgress?.(progressOf(dag, this.lastChangeAt - this.started));
  }

  /** Whether the poll after the last `nextDelay` is placed on the predicted end of the DAG. */
  expectsEnd = false;

  /** The schedule's next delay, predicted from the DAG's node timing when the last read succeeded. */
  nextDelay(now: number, mins: Readonly<Record<string, number>>): number {
    const seen = this.lastError === undefined ? this.last : undefined;
    const timeline = seen ? dagTimeline(seen, this.deps.skewMs()) : undefined;
    const plan: PollPlanInput = { now, lastChangeAt: this.lastChangeAt, random: this.deps.random(), mins, ...(timeline ? { timeline } : {}) };
    this.expectsEnd = expectsDagEnd(plan);
    return planPollDelay(plan);
  }

  /** The known minimum duration of the sub task the last read saw RUNNING, if any. */
  runningTaskMinMs(mins: Readonly<Record<string, number>>): number | undefined {
    const task = this.last?.nodes?.[this.last.stage - 1]?.sub_tasks?.find((t) => t.state === "RUNNING");
    return task ? mins[task.name] : undefined;
  }

  timeout(): DagTimeoutError {
    const last = this.last;
    return new DagTimeoutError(
      {
        dagId: this.id,
        dagName: last?.name ?? "",
        stage: last?.stage ?? 0,
        maxStage: last?.max_stage ?? 0,
        taskName: last ? currentTaskName(last) : "",
        ...(last ? { lastDag: last } : {}),
      },
      this.lastError !== undefined ? { cause: this.lastError } : undefined,
    );
  }
}

/** Waits until the DAG ends or the deadline passes. */
export async function waitForDag(deps: WaitDeps, id: string, o: WaitForDagOptions): Promise<DagDetail> {
  if (typeof id !== "string" || !isValidGenericId(id)) throw new ConfigError("dagId", "is not an obshell DAG id (digits starting with 1–5, long enough for its prefix)");
  if (!o || typeof o.deadline !== "number" || !Number.isFinite(o.deadline)) throw new ConfigError("deadline", "must be an epoch-ms number");
  const { clock } = deps;
  const mins = o.taskMinDurationsMs ?? deps.taskMinDurationsMs;
  const watch = new DagWatch(deps, id, o);
  let pollNow = !watch.startFrom(o.initial);
  for (;;) {
    checkAbort(o.signal, deps.endpoint);
    const remaining = o.deadline - clock.now();
    if (remaining <= 0) throw watch.timeout();
    if (pollNow) {
      if (watch.expectsEnd) o.onExpectedEnd?.();
      const done = await watch.poll(remaining);
      if (done) return done;
    }
    pollNow = true;
    const now = clock.now();
    const left = o.deadline - now;
    if (left <= 0) throw watch.timeout();
    try {
      await clock.sleep(capSleep(watch.nextDelay(now, mins), { left, runningTaskMinMs: watch.runningTaskMinMs(mins) }), o.signal);
    } catch {
      checkAbort(o.signal, deps.endpoint);
    }
  }
}

/** How far past a running task's known minimum a predicted sleep may reach (clock error, a slow agent). */
export const PREDICTION_CEILING_MS = 3_000;

/**
 * The one cap on every sleep of the wait loop. A prediction rests on the agent's `start_time` (corrected by the
 * measured skew), which a wrong agent clock can put an hour ahead: trusted without limit it slept past the deadline.
 * A task seen RUNNING started no later than now, so it cannot need longer than its known minimum (`runningTaskMinMs`)
 * plus a ceiling for clock error; no sleep outlives the time `left` before the deadline, and an optional known
 * maximum (`taskMaxMs`) bounds it too.
 */
export function capSleep(delayMs: number, b: { left: number; runningTaskMinMs?: number; taskMaxMs?: number }): number {
  const ceiling = (b.runningTaskMinMs ?? 0) + PREDICTION_CEILING_MS;
  return Math.max(0, Math.min(delayMs, b.left, ceiling, b.taskMaxMs ?? Infinity));
}

function checkAbort(signal: AbortSignal | undefined, endpoint: string): void {
  if (signal?.aborted) throw new NetworkError(endpoint, "aborted", "waiting for the DAG was aborted", { cause: abortReason(signal) });
}

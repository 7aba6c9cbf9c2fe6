/**
 * The DAG state machine (protocol §5): DAGs are data (a name, a maintenance flag and an ordered list of task specs);
 * the engine walks them with durations × timeScale on an injectable clock. A DAG's fate (injected task failures) is
 * claimed when it is created, so faults changed later never rewrite a DAG already in flight.
 */
import type { DagOperator, DagState } from "../obshell/schemas";
import { isAbortError, type SimClock } from "./clock";
import { operateDag } from "./dag-operators";
import { TaskFailure } from "./sim-errors";
import type { TaskCapabilities } from "./task-capabilities";

/** What a running task may do. */
export interface TaskContext {
  log(line: string): void;
  /** A `WARN: ` line. */
  warn(line: string): void;
  /** Sleeps `nominalMs × timeScale`; rejects when the DAG is cancelled. */
  sleep(nominalMs: number): Promise<void>;
  readonly signal: AbortSignal;
}

/** One task (= node; obshell nodes here have a single sub task). */
export interface TaskSpec {
  name: string;
  /** Performs the task; throws TaskFailure (or anything, → Common.Unexpected). */
  run(ctx: TaskContext): Promise<void>;
  /** Undoes the task (ROLLBACK operator); nothing when absent. */
  rollback?(ctx: TaskContext): Promise<void>;
  /** Operators the task accepts (§5.5). */
  can: TaskCapabilities;
  /** How the task fails for an injected fate, when it fails its own way (logs, timing); else a quick TaskFailure. */
  failAs?(ctx: TaskContext, fate: TaskFate): Promise<void>;
}

/** A DAG template instance. */
export interface DagSpec {
  kind: string;
  name: string;
  /** Maintenance DAGs (maintenance_type 4) hold the OBProxy lock until they succeed. */
  maintenance: boolean;
  tasks: TaskSpec[];
}

/** An injected failure claimed by one task of one DAG. */
export interface TaskFate {
  errCode: string;
  message: string;
  /** How many more executions fail (Infinity = always). */
  remaining: number;
  /** An operator watching obshell's console acts on the failure at once: PASS or RETRY the DAG. */
  then?: "pass" | "retry";
}

/** A sub task (and its node) as stored. */
export interface SubTaskRecord {
  nodeId: number;
  taskId: number;
  name: string;
  state: DagState;
  operator: DagOperator;
  startMs: number;
  endMs: number;
  logs: string[] | null;
  executeTimes: number;
}

/** A DAG as stored. Times are agent times (skew included), epoch ms. */
export interface DagRecord {
  dagId: number;
  spec: DagSpec;
  state: DagState;
  operator: DagOperator;
  stage: number;
  nodes: SubTaskRecord[];
  startMs: number;
  endMs: number;
  /** False for a failed maintenance DAG: it keeps the lock (§5.2). */
  isFinished: boolean;
  fates: Map<string, TaskFate>;
  /** The OBProxy home the DAG acts on (the add's home_path, else the home managed when it was created). */
  homePath?: string;
  /** Real (unskewed) epoch ms at which the DAG last reached a terminal state, for completion-lag benchmarks. */
  finishedAtMs?: number;
  /** Simulator-clock ms of the scheduler tick that last advanced this DAG. */
  lastTickMs?: number;
  abort?: AbortController;
}

/** Engine dependencies. */
export interface DagEngineOptions {
  clock: SimClock;
  timeScale: number;
  /** Agent time (clock + skew). */
  agentNow(): number;
  /** The error a retry gets when it must take the OBProxy lock back and another DAG holds it. */
  underMaintenance(): Error;
  /** Ticks fall this many ms past each whole period of the clock. @default in step with the engine's start */
  tickPhaseMs?: number;
}

/**
 * obshell's scheduler period (`constant.SCHEDULER_INTERVAL` plus the time one pass over its sqlite DAG table takes):
 * a DAG is picked up and its current node started at a tick, a node's end is seen at the first tick after its task
 * returns, and the next node starts one tick later. So every node lasts ≥ 1 tick and nodes are ≥ 2 ticks apart.
 */
export const SCHEDULER_TICK_MS = 1010;

/** The per-agent DAG store and executor. */
export class DagEngine {
  private readonly dags = new Map<number, DagRecord>();
  private nextDagId = 1;
  private nextNodeId = 1;
  private nextTaskId = 1;
  private stopped = false;
  private readonly stopAll = new AbortController();
  /** Tick phase origin: the scheduler loop runs from the agent's start, whatever DAG comes. */
  private readonly epochMs: number;

  constructor(private readonly o: DagEngineOptions) {
    const now = o.clock.now();
    const tick = this.tickMs();
    // The last tick at or before now that lies on the requested phase.
    this.epochMs = o.tickPhaseMs === undefined ? now : now - ((((now - o.tickPhaseMs) % tick) + tick) % tick);
  }

  /** Creates a DAG (READY/RUN, stage 1; end_time = start_time like obshell's row) and schedules it. */
  create(spec: DagSpec, fates: Map<string, TaskFate>): DagRecord {
    const now = this.o.agentNow();
    const dag: DagRecord = {
      dagId: this.nextDagId++, spec, state: "READY", operator: "RUN", stage: 1, startMs: now, endMs: now, isFinished: false, fates,
      nodes: spec.tasks.map((t) => ({ nodeId: this.nextNodeId++, taskId: this.nextTaskId++, name: t.name, state: "PENDING", operator: "RUN", startMs: now, endMs: now, logs: null, executeTimes: 0 })),
    };
    this.dags.set(dag.dagId, dag);
    this.schedule(dag);
    return dag;
  }

  get(dagId: number): DagRecord | undefined {
    return this.dags.get(dagId);
  }

  all(): DagRecord[] {
    return [...this.dags.values()];
  }

  /** The maintenance DAG holding the OBProxy lock, if any. */
  lockHolder(): DagRecord | undefined {
    return this.all().find((d) => d.spec.maintenance && !d.isFinished);
  }

  /** Aborts every running task and refuses new work (simulator stop). */
  stop(): void {
    this.stopped = true;
    this.stopAll.abort();
  }

  /** `POST /api/v1/task/dag/:id` (§5.5). Throws SimApiError when the operator is refused. */
  operate(dag: DagRecord, operatorText: string): void {
    operateDag(this, dag, operatorText, () => this.o.underMaintenance());
  }

  /** Agent time (clock + skew), for the operators. */
  agentNow(): number {
    return this.o.agentNow();
  }

  private tickMs(): number {
    return SCHEDULER_TICK_MS * this.o.timeScale;
  }

  /**
   * Sleeps to the first scheduler tick strictly after `afterMs` (simulator clock): ticks follow the one that last
   * advanced the DAG (or the agent's start) by whole periods, counted from when that tick really ran, as obshell's
   * loop sleeps 1 s after each pass, so a late timer stretches the period instead of shortening the next one.
   */
  private async nextTick(dag: DagRecord, signal: AbortSignal, afterMs = this.o.clock.now()): Promise<void> {
    const tick = this.tickMs();
    const base = dag.lastTickMs ?? this.epochMs;
    const target = base + Math.max(1, Math.floor((afterMs - base) / tick) + 1) * tick;
    await this.o.clock.sleep(Math.max(0, target - this.o.clock.now()), signal);
    dag.lastTickMs = this.o.clock.now();
  }

  /** (Re)starts a READY DAG at the scheduler's next tick; a ROLLBACK DAG runs its rollback. */
  schedule(dag: DagRecord): void {
    if (this.stopped) return;
    dag.abort = new AbortController();
    const signal = AbortSignal.any([dag.abort.signal, this.stopAll.signal]);
    const work = dag.operator === "ROLLBACK" ? () => this.runRollback(dag, signal) : () => this.run(dag, signal);
    void this.nextTick(dag, signal)
      .then(work)
      .catch((e) => {
        if (isAbortError(e) && !this.stopped) this.cancelNow(Object.assign(dag, { abort: undefined }));
      });
  }

  /** CANCEL of a DAG not yet picked up: the current node fails as cancelled at once. */
  cancelNow(dag: DagRecord): void {
    const node = dag.nodes[dag.stage - 1]!;
    Object.assign(node, { state: "FAILED", operator: "CANCEL", logs: [...(node.logs ?? []), "sub task cancelled"], endMs: this.o.agentNow() });
    this.fail(dag, dag.stage - 1);
  }

  private ctxFor(node: SubTaskRecord, signal: AbortSignal): TaskContext {
    return {
      log: (line) => node.logs!.push(line),
      warn: (line) => node.logs!.push(`WARN: ${line}`),
      sleep: (ms) => this.o.clock.sleep(ms * this.o.timeScale, signal),
      signal,
    };
  }

  /** Picked up at a tick: start_time is reset (obshell's READY → RUNNING update), then node by node on ticks. */
  private async run(dag: DagRecord, signal: AbortSignal): Promise<void> {
    dag.state = "RUNNING";
    dag.startMs = this.o.agentNow();
    let first = true;
    for (let i = dag.stage - 1; i < dag.nodes.length; i++) {
      const node = dag.nodes[i]!;
      if (node.state === "SUCCEED") continue;
      node.executeTimes++;
      if (!(await this.runNode(dag, i, first, signal, { state: "RUNNING" }, (ctx) => this.execute(dag, i, ctx)))) return;
      first = false;
      // The stage moves on at this tick; a CANCEL before the next one fails the next node.
      if (i + 1 < dag.nodes.length) dag.stage = i + 2;
    }
    this.finish(dag, "SUCCEED");
  }

  /** ROLLBACK: the failed node back to the first, each task's rollback on ticks like a run, then SUCCEED/ROLLBACK (§5.2). */
  private async runRollback(dag: DagRecord, signal: AbortSignal): Promise<void> {
    dag.state = "RUNNING";
    dag.startMs = this.o.agentNow();
    const last = dag.nodes.findIndex((n) => n.state === "FAILED");
    const from = last < 0 ? dag.stage - 1 : last;
    for (let i = from; i >= 0; i--) {
      const work = async (ctx: TaskContext) => {
        await ctx.sleep(10);
        await dag.spec.tasks[i]!.rollback?.(ctx);
      };
      if (!(await this.runNode(dag, i, i === from, signal, { state: "RUNNING", operator: "ROLLBACK" }, work))) return;
    }
    this.finish(dag, "SUCCEED", { keepStage: true });
  }

  /**
   * One node on the scheduler's ticks: started at the next tick (the pick-up tick for the first one), its end seen at
   * the first tick after its work returned (a cancelled task ends at once, §5.5). False when the DAG stopped here.
   */
  private async runNode(dag: DagRecord, i: number, first: boolean, signal: AbortSignal, start: Partial<SubTaskRecord>, work: (ctx: TaskContext) => Promise<void>): Promise<boolean> {
    const node = dag.nodes[i]!;
    if (!first) await this.nextTick(dag, signal).catch((e) => {
      if (!this.stopped) throw e;
    });
    if (this.stopped) return false;
    dag.stage = i + 1;
    Object.assign(node, { ...start, startMs: this.o.agentNow(), endMs: this.o.agentNow(), logs: node.logs ?? [] });
    const startedAt = this.o.clock.now();
    const failure = await work(this.ctxFor(node, signal)).then(() => undefined, (e: unknown) => ({ e }));
    if (this.stopped) return false;
    if (!(failure && isAbortError(failure.e))) await this.nextTick(dag, signal, Math.max(startedAt, this.o.clock.now())).catch(() => undefined);
    if (this.stopped) return false;
    if (failure) {
      this.recordFailure(node, failure.e);
      this.fail(dag, i);
      this.operatorReacts(dag, failure.e);
      return false;
    }
    Object.assign(node, { state: "SUCCEED", endMs: this.o.agentNow() });
    return true;
  }

  /** The operator of a fate with `then` passes or retries the failed DAG before anyone could read it FAILED. */
  private operatorReacts(dag: DagRecord, e: unknown): void {
    const then = (e as { then?: "pass" | "retry" }).then;
    if (!then) return;
    try {
      this.operate(dag, then);
    } catch {
      // obshell refused the operator (a task that cannot be passed): the DAG stays FAILED, as it would.
    }
  }

  private async execute(dag: DagRecord, i: number, ctx: TaskContext): Promise<void> {
    const spec = dag.spec.tasks[i]!;
    const fate = dag.fates.get(spec.name);
    if (fate && fate.remaining > 0) {
      fate.remaining--;
      // An operator standing by (`then`) reacts to this failure the moment it happens.
      const withThen = (e: unknown) => (fate.then && e instanceof Error ? Object.assign(e, { then: fate.then }) : e);
      if (spec.failAs) return spec.failAs(ctx, fate).catch((e: unknown) => Promise.reject(withThen(e)));
      await ctx.sleep(10);
      throw withThen(new TaskFailure(fate.errCode, fate.message));
    }
    await spec.run(ctx);
  }

  private recordFailure(node: SubTaskRecord, e: unknown): void {
    node.state = "FAILED";
    node.endMs = this.o.agentNow();
    if (isAbortError(e)) {
      node.operator = "CANCEL";
      node.logs!.push("sub task cancelled");
      return;
    }
    const code = e instanceof TaskFailure ? e.errCode : "Common.Unexpected";
    const raw = e instanceof Error ? e.message : String(e);
    // obshell turns any plain error into Common.Unexpected, whose message is "Unexpected error: <text>".
    const message = code === "Common.Unexpected" && !raw.startsWith("Unexpected error: ") ? `Unexpected error: ${raw}` : raw;
    node.logs!.push(`ERROR: [${code}]: ${message}`);
  }

  /** Ends a DAG as FAILED; a failed maintenance DAG keeps the lock unless its first node failed. */
  fail(dag: DagRecord, nodeIndex: number): void {
    dag.abort = undefined;
    dag.state = "FAILED";
    dag.endMs = this.o.agentNow();
    dag.finishedAtMs = this.o.clock.now();
    // A failed maintenance DAG keeps the lock unless node 1 (Check obproxy status, FAILURE_EXIT_MAINTENANCE) failed.
    dag.isFinished = !dag.spec.maintenance || nodeIndex === 0;
  }

  /** Ends a DAG as `state` at its last stage (or where it is, `keepStage`); the lock is released. */
  finish(dag: DagRecord, state: DagState, o: { keepStage?: boolean } = {}): void {
    dag.abort = undefined;
    dag.state = state;
    if (!o.keepStage) dag.stage = dag.nodes.length;
    dag.endMs = this.o.agentNow();
    dag.finishedAtMs = this.o.clock.now();
    dag.isFinished = true;
  }
}

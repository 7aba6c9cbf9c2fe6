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
}

/** How long the scheduler takes to pick a READY DAG up (obshell polls its DAG table). */
const PICKUP_MS = 200;

/** The per-agent DAG store and executor. */
export class DagEngine {
  private readonly dags = new Map<number, DagRecord>();
  private nextDagId = 1;
  private nextNodeId = 1;
  private nextTaskId = 1;
  private stopped = false;
  private readonly stopAll = new AbortController();

  constructor(private readonly o: DagEngineOptions) {}

  /** Creates a DAG (READY/RUN, stage 1) and schedules it. */
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

  /** (Re)starts a READY DAG after the scheduler's pick-up delay; a ROLLBACK DAG runs its rollback. */
  schedule(dag: DagRecord): void {
    if (this.stopped) return;
    dag.abort = new AbortController();
    const signal = AbortSignal.any([dag.abort.signal, this.stopAll.signal]);
    const work = dag.operator === "ROLLBACK" ? () => this.runRollback(dag, signal) : () => this.run(dag, signal);
    void this.o.clock
      .sleep(PICKUP_MS * this.o.timeScale, signal)
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

  private ctxFor(dag: DagRecord, node: SubTaskRecord, signal: AbortSignal): TaskContext {
    return {
      log: (line) => node.logs!.push(line),
      warn: (line) => node.logs!.push(`WARN: ${line}`),
      sleep: (ms) => this.o.clock.sleep(ms * this.o.timeScale, signal),
      signal,
    };
  }

  private async run(dag: DagRecord, signal: AbortSignal): Promise<void> {
    dag.state = "RUNNING";
    if (dag.startMs === 0) dag.startMs = this.o.agentNow();
    for (let i = dag.stage - 1; i < dag.nodes.length; i++) {
      const node = dag.nodes[i]!;
      if (node.state === "SUCCEED") continue;
      dag.stage = i + 1;
      Object.assign(node, { state: "RUNNING", startMs: this.o.agentNow(), logs: node.logs ?? [] });
      node.executeTimes++;
      try {
        await this.execute(dag, i, this.ctxFor(dag, node, signal));
        Object.assign(node, { state: "SUCCEED", endMs: this.o.agentNow() });
      } catch (e) {
        if (this.stopped) return;
        this.recordFailure(dag, node, e);
        this.fail(dag, i);
        return this.operatorReacts(dag, e);
      }
    }
    this.finish(dag, "SUCCEED");
  }

  /** ROLLBACK: the failed node back to the first, each task's rollback, then SUCCEED/ROLLBACK (§5.2). */
  private async runRollback(dag: DagRecord, signal: AbortSignal): Promise<void> {
    dag.state = "RUNNING";
    if (dag.startMs === 0) dag.startMs = this.o.agentNow();
    const last = dag.nodes.findIndex((n) => n.state === "FAILED");
    for (let i = last < 0 ? dag.stage - 1 : last; i >= 0; i--) {
      const node = dag.nodes[i]!;
      dag.stage = i + 1;
      Object.assign(node, { state: "RUNNING", operator: "ROLLBACK", startMs: this.o.agentNow(), logs: node.logs ?? [] });
      const ctx = this.ctxFor(dag, node, signal);
      try {
        await ctx.sleep(100);
        await dag.spec.tasks[i]!.rollback?.(ctx);
        Object.assign(node, { state: "SUCCEED", endMs: this.o.agentNow() });
      } catch (e) {
        if (this.stopped) return;
        this.recordFailure(dag, node, e);
        return this.fail(dag, i);
      }
    }
    dag.abort = undefined;
    dag.state = "SUCCEED";
    dag.endMs = this.o.agentNow();
    dag.finishedAtMs = this.o.clock.now();
    dag.isFinished = true;
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
      await ctx.sleep(100);
      throw Object.assign(new TaskFailure(fate.errCode, fate.message), fate.then ? { then: fate.then } : {});
    }
    await spec.run(ctx);
  }

  private recordFailure(dag: DagRecord, node: SubTaskRecord, e: unknown): void {
    node.state = "FAILED";
    node.endMs = this.o.agentNow();
    if (isAbortError(e)) {
      node.operator = "CANCEL";
      node.logs!.push("sub task cancelled");
      return;
    }
    const code = e instanceof TaskFailure ? e.errCode : "Common.Unexpected";
    const message = e instanceof Error ? e.message : String(e);
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

  /** Ends a DAG as `state` at its last stage; the lock is released. */
  finish(dag: DagRecord, state: DagState): void {
    dag.abort = undefined;
    dag.state = state;
    dag.stage = dag.nodes.length;
    dag.endMs = this.o.agentNow();
    dag.finishedAtMs = this.o.clock.now();
    dag.isFinished = true;
  }
}

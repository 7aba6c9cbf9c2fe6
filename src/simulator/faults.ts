/**
 * Per-instance fault plan (no globals, no environment variables). Connection and response faults are counted and
 * consumed by the server; task failures are claimed by a DAG when it is created (its fate), never later.
 */
import { ErrCode } from "../obshell/schemas";
import type { TaskFate } from "./dag-engine";

/** Fail a named task (e.g. "Start obproxy"), optionally only in one DAG (e.g. "Add obproxy"). */
export interface FailTaskFault {
  task: string;
  dag?: string;
  /** "once" (default): the next DAG running this task fails it once; "always": every execution fails; n: n executions. */
  times?: "once" | "always" | number;
  errCode?: string;
  message?: string;
  /** An operator then acts on the failed DAG at once, as if clicking in obshell's console: "pass" or "retry". */
  then?: "pass" | "retry";
}

/** A fault applied to the next `count` requests whose path starts with `path` (all paths when omitted). */
export interface CountedFault {
  count?: number;
  path?: string;
}

/** Malformed responses: not JSON, cut short, larger than any client limit (8 MiB), or a wrong envelope shape. */
export type MalformedKind = "non-json" | "truncated" | "oversized" | "wrong-envelope";

/** Everything a simulator can be told to get wrong. */
export interface FaultPlan {
  failTasks?: FailTaskFault[];
  delay?: CountedFault & { ms: number };
  drop?: CountedFault;
  reset?: CountedFault;
  status5xx?: CountedFault & { status: number };
  malformed?: CountedFault & { kind: MalformedKind };
  /** An agent that accepts the connection and reads nothing, answers nothing, until the simulator stops. */
  silent?: CountedFault;
  /** Slow-loris: the request is handled, then the answer is written one byte every `byteEveryMs`. */
  slowLoris?: CountedFault & { byteEveryMs: number };
}

/** What the server should do to a request before (or instead of) answering it. */
export type ConnectionFault =
  | { kind: "drop" }
  | { kind: "reset" }
  | { kind: "status"; status: number }
  | { kind: "malformed"; malformed: MalformedKind }
  | { kind: "silent" }
  | { kind: "slow-loris"; byteEveryMs: number };

/** Task failures obshell itself produces for the slow tasks; anything else fails as Common.Unexpected. */
const DEFAULT_FAILURES: Record<string, { errCode: string; message: string }> = {
  // What obshell reports when the started process is gone at the first health check (obproxy-tasks.ts fills it in).
  "Start obproxy": { errCode: ErrCode.Unexpected, message: "" },
  "Stop obproxy": { errCode: ErrCode.ObproxyStopTimeout, message: "Kill OBProxy process timeout" },
  "Wait hot restart obproxy finish": { errCode: ErrCode.ObproxyHotRestartTimeout, message: "Wait hot restart OBProxy finish timeout" },
};

interface Counted<T> {
  value: T;
  remaining: number;
  path?: string;
}

/** Mutable fault state of one simulator. */
export class FaultState {
  private failTasks: FailTaskFault[] = [];
  private delay?: Counted<number>;
  private connection: Counted<ConnectionFault>[] = [];

  constructor(plan: FaultPlan = {}) {
    this.apply(plan);
  }

  /** Adds the faults of `plan` to the current ones. */
  apply(plan: FaultPlan): void {
    for (const f of plan.failTasks ?? []) this.failTask(f);
    if (plan.delay) this.delay = { value: plan.delay.ms, remaining: plan.delay.count ?? Infinity, path: plan.delay.path };
    if (plan.drop) this.addConnection({ kind: "drop" }, plan.drop);
    if (plan.reset) this.addConnection({ kind: "reset" }, plan.reset);
    if (plan.status5xx) this.addConnection({ kind: "status", status: plan.status5xx.status }, plan.status5xx);
    if (plan.malformed) this.addConnection({ kind: "malformed", malformed: plan.malformed.kind }, plan.malformed);
    if (plan.silent) this.addConnection({ kind: "silent" }, plan.silent);
    if (plan.slowLoris) this.addConnection({ kind: "slow-loris", byteEveryMs: Math.max(1, plan.slowLoris.byteEveryMs) }, plan.slowLoris);
  }

  failTask(f: FailTaskFault): void {
    this.failTasks.push({ ...f, times: f.times ?? "once" });
  }

  private addConnection(value: ConnectionFault, f: CountedFault): void {
    this.connection.push({ value, remaining: f.count ?? 1, path: f.path });
  }

  /** Removes every fault. */
  clear(): void {
    this.failTasks = [];
    this.delay = undefined;
    this.connection = [];
  }

  /** Claims the fates of a new DAG: "once"/n faults move into the DAG, "always" faults are shared. */
  claimFates(dagName: string, taskNames: readonly string[]): Map<string, TaskFate> {
    const fates = new Map<string, TaskFate>();
    for (const f of [...this.failTasks]) {
      if (!taskNames.includes(f.task) || (f.dag && f.dag !== dagName) || fates.has(f.task)) continue;
      const def = DEFAULT_FAILURES[f.task] ?? { errCode: ErrCode.Unexpected, message: `Unexpected error: injected failure of '${f.task}'` };
      const remaining = f.times === "always" ? Infinity : f.times === "once" || f.times === undefined ? 1 : f.times;
      fates.set(f.task, { errCode: f.errCode ?? def.errCode, message: f.message ?? def.message, remaining, ...(f.then ? { then: f.then } : {}) });
      if (f.times !== "always") this.failTasks.splice(this.failTasks.indexOf(f), 1);
    }
    return fates;
  }

  /** Milliseconds to delay this request's answer (0 = none); consumes one count. */
  takeDelay(path: string): number {
    const d = this.delay;
    if (!d || d.remaining <= 0 || (d.path && !path.startsWith(d.path))) return 0;
    d.remaining--;
    return d.value;
  }

  /** The next connection/response fault for this path, consumed. */
  takeConnectionFault(path: string): ConnectionFault | undefined {
    const f = this.connection.find((c) => c.remaining > 0 && (!c.path || path.startsWith(c.path)));
    if (!f) return undefined;
    f.remaining--;
    this.connection = this.connection.filter((c) => c.remaining > 0);
    return f.value;
  }

  /** A JSON view for `/__sim/faults` and `/__sim/state`. */
  snapshot(): unknown {
    return {
      failTasks: this.failTasks,
      delay: this.delay && { ms: this.delay.value, remaining: this.delay.remaining, path: this.delay.path },
      connection: this.connection.map((c) => ({ ...c.value, remaining: c.remaining, path: c.path })),
    };
  }
}

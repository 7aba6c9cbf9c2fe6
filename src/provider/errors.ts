/**
 * Errors the provider throws. Each says what happened, which DAG, and what to do next, because the engine shows
 * only the message. Fields carry the same facts as data (errors are never matched by message text).
 */
import { firstFailure } from "../obshell/dag-failure";
import type { DagDetail } from "../obshell/schemas";
import { formatDuration } from "./durations";
import type { LastDag } from "./types";

/** What went wrong, as data. */
export type ObProxyErrorCode =
  | "VersionUnsupported" // obshell older than 4.2.6.0
  | "AlreadyManaged" // the agent manages an OBProxy and adopt is off
  | "DagFailed" // a DAG the provider waited for ended FAILED
  | "DagTimeout" // the operation's deadline passed while a DAG was still running
  | "DagLost" // waiting for an accepted DAG failed for another reason (agent unreachable, …)
  | "LockHeld" // another OBProxy maintenance DAG holds obshell's lock and needs an operator
  | "NoPassword" // no agent password from input, stack config or environment
  | "NotManaged" // an import named an agent that manages no OBProxy
  | "ParameterUpdateFailed" // ALTER proxyconfig on OBProxy's SQL port failed
  | "DeadlineExceeded" // the operation's deadline passed with a request (or a DAG) in flight
  | "Cancelled" // the host aborted the operation (Cancel, Stop, Ctrl-C); obshell's DAG keeps running
  | "DagPassed" // a DAG an operator ended with PASS: its skipped tasks did not happen
  | "ForeignDag" // a DAG this resource did not start stands where ours should be
  | "StillManaged" // a delete ended, yet obshell still manages an OBProxy
  | "Unconfirmed"; // a delete ended, but whether obshell still manages an OBProxy could not be read

/** An error thrown by the ObProxy provider. */
export class ObProxyError extends Error {
  override readonly name = "ObProxyError";
  readonly code: ObProxyErrorCode;
  /** The DAG involved, when there is one. */
  readonly dagId?: string;
  /** The brand, whichever copy of the package built the error (as `ObshellError.isObshellError`). */
  get isObProxyError(): true {
    return true;
  }

  constructor(code: ObProxyErrorCode, message: string, options: { dagId?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.dagId !== undefined) this.dagId = options.dagId;
  }
}

/** True for an ObProxyError, also one thrown by another copy of this package (the plugin may load its own). */
export function isObProxyError(e: unknown): e is ObProxyError {
  return e instanceof ObProxyError || (e instanceof Error && (e as { isObProxyError?: unknown }).isObProxyError === true);
}

/**
 * Turns an error into the engine's "resource initialization failed" shape: the resource is kept in state with
 * `properties` as its outputs, so `pulumi destroy` (or the next `up`) can deal with it. `properties` must carry
 * `__provider`: the plugin does not add it here, and a state without it cannot be destroyed.
 */
export function asPartialFailure(error: Error, id: string, properties: Record<string, unknown>): Error {
  return Object.assign(error, { id, properties, reasons: [error.message] });
}

/** The summary kept in outputs. */
export function summarizeDag(dag: Pick<DagDetail, "id" | "name" | "state" | "operator">): LastDag {
  return { id: dag.id, name: dag.name, state: dag.state, operator: dag.operator };
}

/** Facts of a failed DAG, from a DagFailedError or a DAG read from obshell. */
export interface DagFailureFacts {
  dagId: string;
  dagName: string;
  failedTask?: string;
  lastLog?: string;
}

/** The first failed sub task of a DAG and its last log line (obshell ends a failed task's log with `ERROR: …`). */
export function failureFacts(dag: DagDetail): DagFailureFacts {
  const failure = firstFailure(dag);
  if (!failure) return { dagId: dag.id, dagName: dag.name };
  const logs = failure.task?.task_logs ?? [];
  return { dagId: dag.id, dagName: dag.name, failedTask: failure.task?.name ?? failure.node.name, lastLog: logs[logs.length - 1] };
}

/** "Add obproxy DAG 4…1 failed at task "Start obproxy": ERROR: […]". */
export function describeFailure(f: DagFailureFacts): string {
  const where = f.failedTask ? ` at task "${f.failedTask}"` : "";
  const log = f.lastLog ? `: ${f.lastLog}` : " (no task log)";
  return `${f.dagName} DAG ${f.dagId} failed${where}${log}`;
}

/**
 * The provider's error for a DAG that ended FAILED, with the next step (an ObProxyError of code "DagFailed"; the
 * client's `DagFailedError` is usually its cause).
 */
export function obProxyDagFailedError(label: string, f: DagFailureFacts, next: string, cause?: unknown): ObProxyError {
  return new ObProxyError("DagFailed", `${label}: ${describeFailure(f)}. ${next}`, { dagId: f.dagId, cause });
}

/** An error for a deadline that passed while the DAG was still running. */
export function dagTimeoutError(
  label: string,
  dag: { dagId: string; dagName: string; stage?: number; maxStage?: number; taskName?: string },
  timeoutMs: number,
  next: string,
  cause?: unknown,
): ObProxyError {
  const where = dag.stage !== undefined ? ` at stage ${dag.stage}/${dag.maxStage ?? "?"}${dag.taskName ? ` (${dag.taskName})` : ""}` : "";
  const text = `${label}: ${dag.dagName} DAG ${dag.dagId} still running${where} after ${formatDuration(timeoutMs)}. ${next}`;
  return new ObProxyError("DagTimeout", text, { dagId: dag.dagId, cause });
}

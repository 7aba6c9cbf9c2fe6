/**
 * Every sentence the provider tells people about what to do next — the one place for advice, like
 * pulumi-kubernetes' single awaiter description. Verbs and helpers format facts; they call these for the words.
 * Commands named here are runnable: `pulumi up`/`pulumi destroy`, our `pulumi-obproxy dag …`, and obshell's own
 * `obshell task … -i <id>` on the agent host (obshell/advice.ts) — never a request that needs an encrypted header.
 */
import { dagCommand, retryOrPass } from "../obshell/advice";
import { isDagFailedError, isNetworkError, isObshellApiError, isObshellError } from "../obshell";
import { OBPROXY_DAGS, type DagDetail } from "../obshell/schemas";
import { isObProxyError } from "./errors";

/** The operations whose waits end with advice. */
export type AdvisedOp = "create" | "update" | "delete";

/** What the next run of the host does with the same DAG, per operation. */
const RERUN: Record<AdvisedOp, { failed: string; timeout: string; next: string }> = {
  create: {
    failed: "The resource is kept in state: fix the cause and run `pulumi up` again (it retries this DAG), or `pulumi destroy`.",
    timeout: "It keeps running in obshell; the resource is kept in state: run `pulumi up` again to resume waiting",
    next: "the resource is kept in state where it could be: run `pulumi up` again to continue",
  },
  update: {
    failed: "Fix the cause and run `pulumi up` again: it retries this DAG.",
    timeout: "It keeps running in obshell: run `pulumi up` again to resume waiting",
    next: "run `pulumi up` again to continue",
  },
  delete: {
    failed: "The resource stays in state: fix the cause, then run `pulumi destroy` again; it retries this DAG instead of starting another.",
    timeout: "It keeps running in obshell and the resource stays in state: run `pulumi destroy` again to resume waiting",
    next: "the resource stays in state: run `pulumi destroy` again to continue",
  },
};

/** What to tell the user when a wait ends badly. */
export interface WaitAdvice {
  timeoutMs: number;
  onFailed: string;
  onTimeout: string;
}

/** The advice of a wait in `op`; `setting` names what sets its limit (e.g. `timeouts.delete`). */
export function waitAdvice(op: AdvisedOp, timeoutMs: number, setting = `timeouts.${op}`): WaitAdvice {
  return { timeoutMs, onFailed: RERUN[op].failed, onTimeout: `${RERUN[op].timeout} (${setting} sets the limit).` };
}

/** What the operation does next once its deadline passed or it was cancelled. */
export function nextRun(op: AdvisedOp): string {
  return RERUN[op].next;
}

/** For a FAILED DAG: where its log is and how to act on it by hand, ours and obshell's commands. */
export function failedDagCommands(dagId: string, endpoint: string): string {
  return `Its log: ${dagCommand("show", dagId, endpoint)}. By hand: ${retryOrPass(dagId, endpoint)}.`;
}

/** How to free the lock held by a failed DAG of another kind. */
export function lockAdvice(dag: DagDetail, endpoint: string): string {
  const extra =
    dag.name === OBPROXY_DAGS.add.name
      ? " Retrying an add finishes it; passing it leaves whatever it already did under the home path."
      : "";
  return `obshell accepts no other OBProxy operation until that DAG is retried or passed: ${retryOrPass(dag.id, endpoint)}; then run this again.${extra}`;
}

/**
 * The stable code an error message starts with, for searching and scripts: obshell's errCode when obshell said it,
 * `ObProxy.<Code>` for the provider's own, `Network.<kind>` when the agent was not reached.
 */
export function errorCode(e: unknown): string {
  // A DAG that failed in obshell carries obshell's own errCode (its task log's `ERROR: [code]`).
  if (isObProxyError(e) && e.code === "DagFailed" && isDagFailedError(e.cause) && e.cause.errCode) return e.cause.errCode;
  if (isObProxyError(e)) return `ObProxy.${e.code}`;
  if (isDagFailedError(e)) return e.errCode ?? "ObProxy.DagFailed";
  if (isObshellApiError(e)) return e.errCode ?? `HTTP.${e.status}`;
  if (isNetworkError(e)) return `Network.${e.kind}`;
  if (isObshellError(e)) return `Obshell.${e.name.replace(/Error$/, "")}`;
  return "ObProxy.Internal";
}

/** `[code] message`, once: a message that already starts with a code keeps it. */
export function withCode(message: string, code: string): string {
  return /^\[[A-Za-z0-9_.]+\] /.test(message) ? message : `[${code}] ${message}`;
}

/**
 * One deadline per operation. create, update and delete compute it once, at their start, from `timeouts.<op>` (or
 * the host's override); from then on the operation's client caps every request's timeout, retry and backoff by the
 * time left (context.ts wires it into the client), and `waitForDag` caps every sleep. What ends at the deadline — or
 * when the host aborts — is turned here into one error that says what was in flight and that the DAG keeps running.
 */
import { isNetworkError, isRequestTimeoutError } from "../obshell";
import type { OpContext } from "./context";
import { formatDuration, operationTimeoutMs } from "./durations";
import { ObProxyError, isObProxyError } from "./errors";
import { nextRun } from "./messages";
import type { ObProxyInputs } from "./types";

/** The operations that have a deadline. */
export type DeadlineOp = "create" | "update" | "delete";

/** Computes the operation's deadline once and binds it to `ctx` (and so to every request of its client). */
export function startDeadline(ctx: OpContext, op: DeadlineOp, timeouts: ObProxyInputs["timeouts"]): number {
  const timeoutMs = operationTimeoutMs(ctx.op.timeoutMs, timeouts, op);
  const setting = ctx.op.timeoutMs !== undefined ? `the ${op} timeout of the host` : `timeouts.${op}`;
  ctx.deadline = { at: ctx.now() + timeoutMs, timeoutMs, setting };
  return ctx.deadline.at;
}


/** The error to report instead of `e`, when `e` is the deadline passing or the host aborting; else undefined. */
export function boundedError(ctx: OpContext, e: unknown, op: DeadlineOp | undefined): ObProxyError | undefined {
  if (op === undefined) return undefined;
  if (ctx.op.signal?.aborted && !isObProxyCode(e, "Cancelled")) return cancelledError(ctx, e, op);
  const d = ctx.deadline;
  if (!d) return undefined;
  // The provider's own DAG errors already name the deadline and the DAG (DagTimeout) or are not about time at all.
  if (isObProxyError(e) && e.code !== "DagLost") return undefined;
  const cutByDeadline = isRequestTimeoutError(e) && (e as { byDeadline?: boolean }).byDeadline === true;
  if (!cutByDeadline && ctx.now() < d.at) return undefined;
  const dag = ctx.inFlight
    ? `${ctx.inFlight.name} DAG ${ctx.inFlight.id} keeps running in obshell`
    : ctx.ended
      ? `${ctx.ended.name} DAG ${ctx.ended.id} had ended ${ctx.ended.state}; what obshell manages now was not confirmed`
      : "Any DAG obshell created keeps running in obshell";
  const what = isRequestTimeoutError(e) ? ` while ${(e as { what: string }).what} was in flight` : "";
  const text =
    `${ctx.label}: the ${op} deadline (${d.setting}: ${formatDuration(d.timeoutMs)}) passed${what}: ${(e as Error)?.message ?? String(e)}. ` +
    `${dag}; ${nextRun(op)} (${d.setting} sets the limit).`;
  const dagId = ctx.inFlight?.id ?? ctx.ended?.id;
  return carryPartial(new ObProxyError("DeadlineExceeded", text, { ...(dagId ? { dagId } : {}), cause: e }), e);
}

/** The host aborted the operation (Pulumi Cancel, Terraform Stop, Ctrl-C): nothing in obshell is cancelled. */
function cancelledError(ctx: OpContext, e: unknown, op: DeadlineOp): ObProxyError {
  const dag = ctx.inFlight ? `waiting for ${ctx.inFlight.name} DAG ${ctx.inFlight.id}` : `the ${op}`;
  const keeps = ctx.inFlight ? `${ctx.inFlight.name} DAG ${ctx.inFlight.id} keeps running in obshell` : "any DAG obshell created keeps running there";
  const text = `${ctx.label}: ${dag} was cancelled; ${keeps}; ${nextRun(op)}.`;
  const why = isNetworkError(e) || isObProxyError(e) ? e : undefined;
  return carryPartial(new ObProxyError("Cancelled", text, { ...(ctx.inFlight ? { dagId: ctx.inFlight.id } : {}), ...(why ? { cause: why } : { cause: e }) }), e);
}

function isObProxyCode(e: unknown, code: string): boolean {
  return isObProxyError(e) && e.code === code;
}

/** A partial failure (create, update) keeps its state: the engine reads `id`, `properties` and `reasons`. */
function carryPartial(err: ObProxyError, from: unknown): ObProxyError {
  const p = from as { id?: unknown; properties?: unknown; lastDag?: unknown };
  if (p && typeof p === "object" && p.properties !== undefined) Object.assign(err, { id: p.id, properties: p.properties, reasons: [err.message] });
  if (p && typeof p === "object" && p.lastDag !== undefined) Object.assign(err, { lastDag: p.lastDag });
  return err;
}

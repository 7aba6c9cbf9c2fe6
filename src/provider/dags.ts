/**
 * Submitting OBProxy DAGs and waiting for them. obshell lets one OBProxy maintenance DAG (add, stop, delete,
 * upgrade) hold a lock at a time, and a FAILED one keeps it until it is retried or passed. A provider call that was
 * interrupted (Ctrl-C twice, a killed plugin) or failed leaves such a DAG behind, so every submit first deals with
 * the lock: resume or retry a DAG of the same kind, wait out a running one of another kind, and name a failed one
 * of another kind with what to do.
 */
import { isDagFailedError, isDagTimeoutError, isNetworkError, systemClock, isObshellApiError, isRequestTimeoutError, isResponseShapeError } from "../obshell";
import { isRideOut } from "../obshell/dag";
import { ErrCode, OBPROXY_DAGS, type DagDetail, type ObproxyDagKind } from "../obshell/schemas";
import { ObProxyError, obProxyDagFailedError, dagTimeoutError, describeFailure, failureFacts, summarizeDag } from "./errors";
import type { OpContext } from "./context";
import type { LastDag } from "./types";

/** True when obshell refused to create a DAG because the OBProxy maintenance lock is held. */
export function isUnderMaintenance(e: unknown): boolean {
  if (!isObshellApiError(e)) return false;
  // ≤4.3.0 has no errCode; its "task create failed" (2301) is what the lock conflict produced.
  return e.errCode === ErrCode.UnderMaintenance || (e.errCode === undefined && e.code === 2301);
}

/**
 * ≤4.3.0 reports the lock taken (`failed to set status to 4: …` on 4.2.x, `failed to start maintenance: …`) as the
 * generic 500/1002 "Unexpected": it is a lock conflict only when an OBProxy DAG does hold the lock, which is read,
 * never guessed from the text.
 */
export async function isLegacyLockConflict(ctx: OpContext, e: unknown): Promise<boolean> {
  if (!isObshellApiError(e) || e.errCode !== undefined || e.status !== 500 || e.code !== 1002) return false;
  return (await ctx.client.findObproxyMaintenanceDag().catch(() => undefined)) !== undefined;
}

/**
 * True when a DAG-creating request failed without obshell's own answer (connection reset or cut, timeout, an answer
 * that is not obshell's envelope, a proxy's 5xx): obshell may have created the DAG. Refused, DNS and TLS failures
 * never reached it.
 */
export function isOutcomeUnknown(e: unknown): boolean {
  if (isNetworkError(e)) return e.kind !== "refused" && e.kind !== "dns" && e.kind !== "tls";
  if (isRequestTimeoutError(e) || isResponseShapeError(e)) return true;
  return isObshellApiError(e) && e.errCode === undefined && e.code === undefined;
}

/** Pause between lookups of the DAG holding the lock while the agent is unreachable. */
const LOOKUP_PAUSE_MS = 250;

/**
 * After an unknown outcome: the DAG of `kind` now holding obshell's lock (the one the request created, in all
 * likelihood), found with reads only, so the caller follows it instead of sending the request again.
 */
export async function findDagAfterUnknownOutcome(ctx: OpContext, kind: ObproxyDagKind, e: unknown, deadline: number): Promise<DagDetail | undefined> {
  let holder: DagDetail | undefined;
  // The fault that ate the answer may still be there (an agent restarting): ask again until the deadline.
  for (let attempt = 0; ; attempt++) {
    try {
      holder = await ctx.client.findObproxyMaintenanceDag();
      break;
    } catch (lookup) {
      if (!isRideOut(lookup) || ctx.now() + LOOKUP_PAUSE_MS >= deadline || attempt >= 20) return undefined;
      await systemClock.sleep(LOOKUP_PAUSE_MS);
    }
  }
  if (holder?.name !== OBPROXY_DAGS[kind].name) return undefined;
  ctx.progress.info(`the answer was lost (${(e as Error).name}); following ${holder.name} DAG ${holder.id} instead of sending again`);
  return holder;
}

/** An error that also records the last DAG seen, so a partial failure can store it. */
export type DagError = ObProxyError & { lastDag?: LastDag };

/** What to tell the user when a wait ends badly. */
export interface WaitAdvice {
  timeoutMs: number;
  onFailed: string;
  onTimeout: string;
}

/** Waits for a DAG to SUCCEED before `deadline`; a FAILED DAG or the deadline becomes an ObProxyError with advice. */
export async function waitDag(ctx: OpContext, dag: DagDetail, deadline: number, advice: WaitAdvice): Promise<DagDetail> {
  try {
    return await ctx.client.waitForDag(dag.id, { deadline, onProgress: (p) => ctx.progress.dag(p), ...(ctx.op.signal ? { signal: ctx.op.signal } : {}) });
  } catch (e) {
    if (isDagFailedError(e)) {
      const logs = e.failedTaskLogs ?? [];
      const facts = { dagId: e.dagId, dagName: e.dagName, failedTask: e.failedTask, lastLog: logs[logs.length - 1] };
      const err: DagError = obProxyDagFailedError(ctx.label, facts, advice.onFailed, e);
      err.lastDag = { id: e.dagId, name: e.dagName, state: e.state, operator: e.operator };
      throw err;
    }
    if (isDagTimeoutError(e)) {
      const err: DagError = dagTimeoutError(ctx.label, e, advice.timeoutMs, advice.onTimeout, e);
      err.lastDag = e.lastDag ? summarizeDag(e.lastDag) : { id: e.dagId, name: e.dagName, state: "RUNNING", operator: "RUN" };
      throw err;
    }
    // Anything else (agent unreachable, password rotated mid-wait): the DAG was accepted and may still run.
    const text = `${ctx.label}: lost track of ${dag.name} DAG ${dag.id}: ${(e as Error).message}. ${advice.onTimeout}`;
    const err: DagError = new ObProxyError("DagLost", text, { dagId: dag.id, cause: e });
    err.lastDag = summarizeDag(dag);
    throw err;
  }
}

/** How to free the lock held by a failed DAG of another kind. */
export function lockAdvice(dag: DagDetail): string {
  const extra =
    dag.name === OBPROXY_DAGS.add.name
      ? " Retrying an add finishes it; passing it leaves whatever it already did under the home path."
      : "";
  return (
    `obshell accepts no other OBProxy operation until that DAG is retried or passed: fix the cause, then retry it ` +
    `(POST /api/v1/task/dag/${dag.id} {"operator":"retry"}) or pass it ({"operator":"pass"}) with obshell's console ` +
    `or SDK, and run this again.${extra}`
  );
}

/**
 * Outcome of finding who holds the lock: a DAG of our kind to wait on (resumed, or retried when it had failed),
 * or "free" when the lock is free now (the refused request may be sent again: obshell created nothing), after
 * waiting for a DAG of another kind to finish (`waited`) or at once.
 */
type LockOutcome = { resume: DagDetail } | { free: true; waited: boolean };

/**
 * Deals with the lock after obshell refused `kind` (or, for delete, reported nothing managed). `ownAddDagId` is the
 * Add DAG this resource started: a destroy of a half-created resource finishes that add (RETRY) and then deletes,
 * since obshell offers no other way to undo it (PASS would leave a started OBProxy process behind).
 */
export async function settleLock(ctx: OpContext, kind: ObproxyDagKind, deadline: number, ownAddDagId?: string): Promise<LockOutcome> {
  let holder = await ctx.client.findObproxyMaintenanceDag();
  if (!holder) return { free: true, waited: false };
  // The failed task and its log are only in the detailed view.
  if (holder.state === "FAILED" && !holder.nodes) holder = await ctx.client.getDag(holder.id, { showDetails: true });
  const facts = failureFacts(holder);
  if (holder.name === OBPROXY_DAGS[kind].name) {
    if (holder.state === "FAILED") {
      ctx.progress.info(`retrying ${describeFailure(facts)}`);
      await ctx.client.operateDag(holder.id, "RETRY");
    } else {
      ctx.progress.info(`resuming the wait for ${holder.name} DAG ${holder.id} (${holder.state})`);
    }
    return { resume: holder };
  }
  if (holder.state === "FAILED" && kind === "delete" && holder.name === OBPROXY_DAGS.add.name && holder.id === ownAddDagId) {
    ctx.progress.info(`finishing this resource's ${describeFailure(facts)} before deleting it (retry)`);
    await ctx.client.operateDag(holder.id, "RETRY");
  } else if (holder.state === "FAILED") {
    throw new ObProxyError("LockHeld", `${ctx.label}: obshell's OBProxy lock is held by ${describeFailure(facts)}. ${lockAdvice(holder)}`, {
      dagId: holder.id,
    });
  }
  ctx.progress.info(`waiting for ${holder.name} DAG ${holder.id} (${holder.state}), which holds obshell's OBProxy lock`);
  try {
    await ctx.client.waitForDag(holder.id, { deadline, onProgress: (p) => ctx.progress.dag(p), ...(ctx.op.signal ? { signal: ctx.op.signal } : {}) });
  } catch (e) {
    if (!isDagFailedError(e)) throw e;
    const failed = await ctx.client.getDag(holder.id, { showDetails: true });
    throw new ObProxyError("LockHeld", `${ctx.label}: ${describeFailure(failureFacts(failed))}, and now holds obshell's OBProxy lock. ${lockAdvice(failed)}`, {
      dagId: holder.id,
      cause: e,
    });
  }
  return { free: true, waited: true };
}

/**
 * Sends a DAG-creating request for `kind`, dealing with the lock when obshell refuses it, and returns the DAG to
 * wait for: the new one, or the resumed one of the same kind. The request itself is never resent after obshell
 * accepted it; it is sent again only after a refusal, which created nothing.
 */
export async function submitDag(
  ctx: OpContext,
  kind: ObproxyDagKind,
  submit: () => Promise<DagDetail>,
  deadline: number,
): Promise<DagDetail> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await submit();
    } catch (e) {
      if (isOutcomeUnknown(e)) {
        const created = await findDagAfterUnknownOutcome(ctx, kind, e, deadline);
        if (created) return created;
        throw e;
      }
      // Two refusals in a row while the lock looked free: something else keeps taking it; give up loudly.
      if (!(isUnderMaintenance(e) || (await isLegacyLockConflict(ctx, e))) || attempt >= 2) throw e;
    }
    const outcome = await settleLock(ctx, kind, deadline);
    if ("resume" in outcome) return outcome.resume;
  }
}

/**
 * Submitting OBProxy DAGs and waiting for them. obshell lets one OBProxy maintenance DAG (add, stop, delete,
 * upgrade) hold a lock at a time, and a FAILED one keeps it until it is retried or passed. A provider call that was
 * interrupted (Ctrl-C twice, a killed plugin) or failed leaves such a DAG behind, so every submit first deals with
 * the lock: resume or retry a DAG of the same kind, wait out a running one of another kind, and name a failed one
 * of another kind with what to do.
 */
import { isDagFailedError, isDagTimeoutError, isNetworkError, systemClock, isObshellApiError, isRequestTimeoutError, isResponseShapeError } from "../obshell";
import { isRideOut, type DagProgress, type WaitForDagOptions } from "../obshell/dag";
import { ErrCode, OBPROXY_DAGS, type DagDetail, type ObproxyDagKind } from "../obshell/schemas";
import { ObProxyError, obProxyDagFailedError, dagTimeoutError, describeFailure, failureFacts, summarizeDag } from "./errors";
import type { OpContext } from "./context";
import { failedDagCommands, lockAdvice, type WaitAdvice } from "./messages";
export type { WaitAdvice } from "./messages";
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
  // A request the deadline stopped before it was sent reached nobody.
  if (isRequestTimeoutError(e) && e.byDeadline && e.timeoutMs === 0) return false;
  if (isNetworkError(e)) return e.kind !== "refused" && e.kind !== "dns" && e.kind !== "tls";
  if (isRequestTimeoutError(e) || isResponseShapeError(e)) return true;
  return isObshellApiError(e) && e.errCode === undefined && e.code === undefined;
}

/** Pause between lookups of the DAG holding the lock while the agent is unreachable. */
const LOOKUP_PAUSE_MS = 250;

/**
 * After an unknown outcome: the DAG of `kind` now holding obshell's lock, found with reads only, so the caller
 * follows it instead of sending the request again. Only a DAG that can be the one our request created counts: one
 * whose start is not before the request was sent (`sentAt`, corrected by the agent's skew, with a second of slack
 * for obshell's one-second times). A DAG of that kind that was already there is someone else's, never ours.
 */
export async function findDagAfterUnknownOutcome(ctx: OpContext, kind: ObproxyDagKind, e: unknown, deadline: number, sentAt?: number): Promise<DagDetail | undefined> {
  let holder: DagDetail | undefined;
  // The fault that ate the answer may still be there (an agent restarting): ask again until the deadline.
  for (let attempt = 0; ; attempt++) {
    try {
      holder = await ctx.client.findObproxyMaintenanceDag();
      break;
    } catch (lookup) {
      if (!isRideOut(lookup) || ctx.now() + LOOKUP_PAUSE_MS >= deadline || attempt >= 20) return undefined;
      await systemClock.sleep(Math.min(LOOKUP_PAUSE_MS, deadline - ctx.now()), ctx.op.signal).catch(() => undefined);
    }
  }
  if (holder?.name !== OBPROXY_DAGS[kind].name) return undefined;
  const older = kind === "add" && ctx.newestBeforeAdd !== undefined && holder.dag_id <= ctx.newestBeforeAdd;
  if (older || (sentAt !== undefined && startedBefore(holder, sentAt))) {
    ctx.progress.info(`the answer was lost (${(e as Error).name}); ${holder.name} DAG ${holder.id} holds the lock but started before our request: it is not ours`);
    return undefined;
  }
  ctx.progress.info(`the answer was lost (${(e as Error).name}); following ${holder.name} DAG ${holder.id} instead of sending again`);
  ctx.startedDags.add(holder.id);
  return holder;
}

/** Slack for obshell's one-second start times and the skew measurement. */
const START_SLACK_MS = 2_000;

/** True when the DAG provably started before `localMs` (a reset or missing start time proves nothing). */
function startedBefore(dag: DagDetail, localMs: number): boolean {
  const started = Date.parse(dag.start_time);
  if (!Number.isFinite(started) || started < Date.UTC(2000, 0, 1)) return false;
  return started + START_SLACK_MS < localMs;
}

/**
 * Whether `dag` is this resource's: one this operation started (the id obshell's answer to our own request
 * returned, or the DAG found right after our request's answer was lost), or the one recorded in state (`lastDag`).
 * Any other DAG is someone else's: waited for when it holds the lock, never resumed, retried or passed as ours,
 * and never a reason to send a DAG-creating request.
 */
export function isOwnDag(ctx: OpContext, dag: Pick<DagDetail, "id">, recorded?: LastDag): boolean {
  return ctx.startedDags.has(dag.id) || recorded?.id === dag.id;
}

/** True for a DAG an operator ended with PASS: obshell marks passed nodes SUCCEED, yet their tasks never ran. */
export function isPassed(dag: DagDetail): boolean {
  return dag.operator === "PASS" || (dag.nodes ?? []).some((n) => n.operator === "PASS");
}

/** "Delete obproxy DAG 4… was passed by an operator at task "Stop obproxy"". */
export function describePass(dag: DagDetail): string {
  const node = (dag.nodes ?? []).find((n) => n.operator === "PASS");
  return `${dag.name} DAG ${dag.id} was ended by an operator's PASS${node ? ` at task "${node.name}"` : ""}: obshell marks passed tasks SUCCEED, but they never ran`;
}

/** An error that also records the last DAG seen, so a partial failure can store it. */
export type DagError = ObProxyError & { lastDag?: LastDag; passedDag?: DagDetail };

/** Waits for a DAG to SUCCEED before `deadline`; a FAILED DAG or the deadline becomes an ObProxyError with advice. */
export async function waitDag(ctx: OpContext, dag: DagDetail, deadline: number, advice: WaitAdvice, onExpectedEnd?: () => void): Promise<DagDetail> {
  ctx.inFlight = { id: dag.id, name: dag.name };
  let done: DagDetail;
  try {
    const options: WaitForDagOptions = { deadline, onProgress: (p: DagProgress) => ctx.progress.dag(p), ...(ctx.op.signal ? { signal: ctx.op.signal } : {}), ...(onExpectedEnd ? { onExpectedEnd } : {}) };
    // A DAG our own request just created (or found after a lost answer) starts the wait: no read of it at once.
    if (ctx.startedDags.has(dag.id)) options.initial = dag;
    done = await ctx.client.waitForDag(dag.id, options);
  } catch (e) {
    throw waitError(ctx, dag, e, advice);
  }
  ctx.inFlight = undefined;
  ctx.ended = { id: done.id, name: done.name, state: isPassed(done) ? "SUCCEED (PASS)" : done.state };
  // A passed DAG is not a successful one: what it skipped did not happen.
  if (isPassed(done)) {
    const err: DagError = new ObProxyError("DagPassed", `${ctx.label}: ${describePass(done)}. ${advice.onFailed}`, { dagId: done.id });
    err.lastDag = summarizeDag(done);
    err.passedDag = done;
    throw err;
  }
  return done;
}

/** The error of a wait that did not end in SUCCEED. */
function waitError(ctx: OpContext, dag: DagDetail, e: unknown, advice: WaitAdvice): DagError {
  if (isDagFailedError(e)) {
    const logs = e.failedTaskLogs ?? [];
    const facts = { dagId: e.dagId, dagName: e.dagName, failedTask: e.failedTask, lastLog: logs[logs.length - 1] };
    const err: DagError = obProxyDagFailedError(ctx.label, facts, `${advice.onFailed} ${failedDagCommands(e.dagId, ctx.client.endpoint)}`, e);
    err.lastDag = { id: e.dagId, name: e.dagName, state: e.state, operator: e.operator };
    return err;
  }
  if (isDagTimeoutError(e)) {
    const err: DagError = dagTimeoutError(ctx.label, e, advice.timeoutMs, advice.onTimeout, e);
    err.lastDag = e.lastDag ? summarizeDag(e.lastDag) : { id: e.dagId, name: e.dagName, state: "RUNNING", operator: "RUN" };
    return err;
  }
  // Anything else (agent unreachable, password rotated mid-wait): the DAG was accepted and may still run.
  const text = `${ctx.label}: lost track of ${dag.name} DAG ${dag.id}: ${(e as Error).message}. ${advice.onTimeout}`;
  const err: DagError = new ObProxyError("DagLost", text, { dagId: dag.id, cause: e });
  err.lastDag = summarizeDag(dag);
  return err;
}

/**
 * Outcome of finding who holds the lock: a DAG of ours to wait on (resumed, or retried when it had failed); "free"
 * when the lock is free now (the refused request may be sent again: obshell created nothing), after waiting for a
 * DAG of another kind (`waited`) or at once; or `foreign`: a DAG of the kind we would create (or, for a delete, an
 * Add) that this resource did not start — it was waited for when `waited`, and the caller decides from obshell's
 * state what that means, never by sending a request because of it.
 */
export type LockOutcome = { resume: DagDetail } | { free: true; waited: boolean } | { foreign: DagDetail; waited: boolean };

/**
 * Deals with the lock after obshell refused `kind` (or, for delete, reported nothing managed). `recorded` is the
 * last DAG this resource stored: a destroy of a half-created resource finishes its own Add DAG (RETRY) and then
 * deletes, since obshell offers no other way to undo it (PASS would leave a started OBProxy process behind).
 * A Delete DAG holding the lock is taken over by a delete whoever started it: obshell's delete names no home, it
 * can only be removing the OBProxy obshell manages, and "no Delete DAG in flight" is part of a delete's success.
 */
export async function settleLock(ctx: OpContext, kind: ObproxyDagKind, deadline: number, recorded?: LastDag): Promise<LockOutcome> {
  let holder = await ctx.client.findObproxyMaintenanceDag();
  if (!holder) return { free: true, waited: false };
  // The failed task and its log are only in the detailed view.
  if (holder.state === "FAILED" && !holder.nodes) holder = await ctx.client.getDag(holder.id, { showDetails: true });
  const facts = failureFacts(holder);
  const sameKind = holder.name === OBPROXY_DAGS[kind].name;
  const own = isOwnDag(ctx, holder, recorded);
  if (sameKind && (own || kind === "delete")) {
    if (holder.state === "FAILED") {
      ctx.progress.info(`retrying ${describeFailure(facts)}`);
      await ctx.client.operateDag(holder.id, "RETRY");
    } else {
      ctx.progress.info(`resuming the wait for ${holder.name} DAG ${holder.id} (${holder.state})`);
    }
    ctx.startedDags.add(holder.id);
    return { resume: holder };
  }
  // Whose add it is can only be told when state records a DAG of ours; without one, it may be our half-done create.
  const foreign = sameKind || (kind === "delete" && holder.name === OBPROXY_DAGS.add.name && !own && recorded?.id !== undefined);
  // A delete never waits for someone else's add: that add proves ours is gone (obshell adds only when nothing is managed).
  if (foreign && kind === "delete") return { foreign: holder, waited: false };
  if (holder.state === "FAILED" && kind === "delete" && holder.name === OBPROXY_DAGS.add.name && own) {
    ctx.progress.info(`finishing this resource's ${describeFailure(facts)} before deleting it (retry)`);
    await ctx.client.operateDag(holder.id, "RETRY");
  } else if (holder.state === "FAILED") {
    throw new ObProxyError("LockHeld", `${ctx.label}: obshell's OBProxy lock is held by ${describeFailure(facts)}${own ? "" : " (not started by this resource)"}. ${lockAdvice(holder, ctx.client.endpoint)}`, {
      dagId: holder.id,
    });
  }
  const whose = own ? "this resource's" : "another party's";
  ctx.progress.info(`waiting for ${whose} ${holder.name} DAG ${holder.id} (${holder.state}), which holds obshell's OBProxy lock`);
  await waitForHolder(ctx, holder, deadline);
  return foreign ? { foreign: holder, waited: true } : { free: true, waited: true };
}

/** Waits for the DAG holding the lock; a failure of it becomes LockHeld with what to do. */
async function waitForHolder(ctx: OpContext, holder: DagDetail, deadline: number): Promise<void> {
  ctx.inFlight = { id: holder.id, name: holder.name };
  try {
    await ctx.client.waitForDag(holder.id, { deadline, onProgress: (p) => ctx.progress.dag(p), ...(ctx.op.signal ? { signal: ctx.op.signal } : {}) });
  } catch (e) {
    if (!isDagFailedError(e)) throw e;
    const failed = await ctx.client.getDag(holder.id, { showDetails: true });
    throw new ObProxyError("LockHeld", `${ctx.label}: ${describeFailure(failureFacts(failed))}, and now holds obshell's OBProxy lock. ${lockAdvice(failed, ctx.client.endpoint)}`, {
      dagId: holder.id,
      cause: e,
    });
  }
  ctx.inFlight = undefined;
}

/**
 * Sends a DAG-creating request for `kind`, dealing with the lock when obshell refuses it, and returns the DAG to
 * wait for: the new one, or the resumed one of ours. The request itself is never resent after obshell accepted it;
 * it is sent again only after a refusal, which created nothing — never to take the place of someone else's add.
 */
export async function submitDag(
  ctx: OpContext,
  kind: ObproxyDagKind,
  submit: () => Promise<DagDetail>,
  deadline: number,
  recorded?: LastDag,
): Promise<DagDetail> {
  for (let attempt = 0; ; attempt++) {
    // Which DAGs already exist, so a lost answer is never followed to someone else's add (obshell does not say whose).
    if (kind === "add") ctx.newestBeforeAdd = (await ctx.client.getLastMaintenanceDag())?.dag_id ?? 0;
    const sentAt = ctx.now();
    try {
      const dag = await submit();
      ctx.startedDags.add(dag.id);
      return dag;
    } catch (e) {
      if (isOutcomeUnknown(e)) {
        const created = await findDagAfterUnknownOutcome(ctx, kind, e, deadline, sentAt);
        if (created) return created;
        throw e;
      }
      // Two refusals in a row while the lock looked free: something else keeps taking it; give up loudly.
      if (!(isUnderMaintenance(e) || (await isLegacyLockConflict(ctx, e))) || attempt >= 2) throw e;
    }
    const outcome = await settleLock(ctx, kind, deadline, recorded);
    if ("resume" in outcome) return outcome.resume;
    // Someone else's add that finished leaves their OBProxy managed: ours was not added, and adding is refused now.
    if ("foreign" in outcome && kind === "add" && (await ctx.client.getInfo()).isObproxyAgent === true) throw foreignAddError(ctx, outcome.foreign);
  }
}

/** Someone else's add held the lock while we waited, and obshell now manages their OBProxy: ours was not added. */
function foreignAddError(ctx: OpContext, dag: DagDetail): ObProxyError {
  const text =
    `${ctx.label}: another OBProxy was added on this agent (${dag.name} DAG ${dag.id}, not started by this resource) while this create ` +
    `waited for obshell's lock; obshell manages that one, and this resource added nothing. One agent manages one OBProxy: ` +
    `use another agent, or remove that OBProxy first (adopt: true would take it into this stack).`;
  return new ObProxyError("ForeignDag", text, { dagId: dag.id });
}

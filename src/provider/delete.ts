/**
 * `delete`: remove OUR OBProxy from obshell, and touch nothing else.
 *
 * obshell's `DELETE /api/v1/obproxy` names no home: it deletes whatever OBProxy the agent manages, and obshell
 * does not say which one that is (`/api/v1/info` only says whether one is managed). An agent can be shared (a
 * second party adding an OBProxy at another home), an operator can PASS a failed task in obshell's console, and the
 * agent can stop answering. So a delete is held to a definition of done, checked, never assumed.
 *
 * What "done" means — destroy reports success only in these cases:
 *
 *  1. Deleted: a Delete DAG ran to SUCCEED (ours, or one we took over; see 4), and afterwards obshell manages no
 *     OBProxy (`/api/v1/info` `isObproxyAgent === false`) and no Delete DAG is in flight. "OBProxy deleted".
 *  2. Already gone: obshell answered 204 (nothing managed) and no OBProxy DAG holds its lock, or a lost answer
 *     was followed by the same two facts. "already deleted".
 *  3. Ours already gone, someone else's arriving: a DAG this resource did not start — an `Add obproxy` — holds the
 *     lock, or is the agent's latest maintenance DAG. obshell only adds when it manages nothing, so ours was gone
 *     before that add began; whatever the agent manages now, or will, is the other party's. Nothing is sent:
 *     no DELETE (it would wipe their home, `bin/` and `lib/`), no RETRY or PASS of their DAG, and no wait for it.
 *     "another OBProxy is being added on this agent; ours is already gone".
 *
 * Never done:
 *
 *  - a Delete DAG that ended by an operator's PASS while obshell still manages the OBProxy (passed tasks are marked
 *    SUCCEED but never ran: `bin/` and the process are still there) — DagPassed, naming the DAG and the task;
 *  - a Delete DAG that SUCCEEDed while obshell still manages an OBProxy — StillManaged;
 *  - the deadline passing, whatever was in flight — DeadlineExceeded or DagTimeout, saying the DAG keeps running.
 *
 * The rules behind them:
 *
 *  4. Whose DAG: a DAG is this resource's when obshell returned its id to our own request (or it is the one found
 *     right after our request's answer was lost, and it started after we sent), or it is the `lastDag` stored in
 *     state. A Delete DAG holding the lock is taken over (waited for, retried when failed) whoever started it: it
 *     can only be deleting what obshell manages, and 1 needs it finished. An `Add obproxy` DAG is finished (retried)
 *     before deleting only when it is this resource's own half-done create.
 *  5. When to send DELETE: at first, and again only after obshell refused it (a refusal created nothing) because
 *     a DAG of another kind (a Stop, say) held the lock, or after our own Add DAG finished. Never after a 204 for any
 *     other reason, never because of a DAG this resource did not start, and at most MAX_ATTEMPTS times.
 *  6. One deadline: `timeouts.delete` (or the host's override) is computed once; every request's timeout, retry,
 *     backoff and sleep is capped by the time left (deadline.ts), and the error at the deadline names what was in
 *     flight and says the DAG keeps running.
 *
 * A delete is resumable: one interrupted or failed leaves its Delete DAG holding obshell's lock, and the next destroy
 * waits on it or retries it (4) instead of starting another.
 */
import type { OpContext } from "./context";
import { requireAgentPassword } from "./steps";
import { describePass, findDagAfterUnknownOutcome, isLegacyLockConflict, isPassed, isOutcomeUnknown, isOwnDag, isUnderMaintenance, settleLock, waitDag, type DagError, type WaitAdvice } from "./dags";
import { waitAdvice } from "./messages";
import { startDeadline } from "./deadline";
import { ObProxyError, isObProxyError } from "./errors";
import { isResponseShapeError, systemClock } from "../obshell";
import { isRideOut } from "../obshell/dag";
import { OBPROXY_DAGS, type DagDetail } from "../obshell/schemas";
import type { LastDag, ObProxyOutputs } from "./types";
import { normalizeHomePath } from "./normalize";

const DELETE_ADVICE = (timeout: number): WaitAdvice => waitAdvice("delete", timeout);

/** How many times the DELETE may be sent after obshell refused it or our own add finished; each refusal created nothing. */
const MAX_ATTEMPTS = 3;

type Answer = { kind: "dag"; dag: DagDetail } | { kind: "not-managed" } | { kind: "locked" } | { kind: "gone" };

/** Deletes the OBProxy; resolves only in one of the cases of "done" above. */
export async function deleteObproxy(ctx: OpContext, props: Partial<ObProxyOutputs>): Promise<void> {
  const deadline = startDeadline(ctx, "delete", props.timeouts);
  requireAgentPassword(ctx, props);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (reportForeignAdd(ctx, await latestForeignAdd(ctx, props.lastDag, props.homePath))) return;
    const answer = await sendDelete(ctx, deadline);
    if (answer.kind === "gone") return;
    if (answer.kind === "dag") return finishDelete(ctx, props, answer.dag, deadline);
    // 204 or a refusal: an earlier delete may still run (past its "Delete obproxy" task obshell already reports
    // nothing managed, yet it still cleans the directories) or may have failed holding the lock.
    const outcome = await settleLock(ctx, "delete", deadline, props.lastDag);
    if ("resume" in outcome) return finishDelete(ctx, props, outcome.resume, deadline);
    if ("foreign" in outcome) {
      reportForeignAdd(ctx, outcome.foreign);
      return;
    }
    // Nothing managed and nothing was in flight: gone (2). After our own add or another kind's DAG: ask again (5).
    if (answer.kind === "not-managed" && !outcome.waited) {
      ctx.progress.info("obshell manages no OBProxy: already deleted");
      return;
    }
  }
  throw new ObProxyError("StillManaged", `${ctx.label}: obshell kept refusing the delete (Agent.UnderMaintenance) although no OBProxy DAG held its lock; run \`pulumi destroy\` again`);
}

/** The DELETE, once; a lost answer is followed with reads only (done case 2, or the Delete DAG it created). */
async function sendDelete(ctx: OpContext, deadline: number): Promise<Answer> {
  const sentAt = ctx.now();
  try {
    const answer = await ctx.client.deleteObproxy();
    if (answer.kind === "dag") ctx.startedDags.add(answer.dag.id);
    return answer;
  } catch (e) {
    if (isOutcomeUnknown(e)) {
      // An answer lost after obshell may have acted: follow the Delete DAG holding the lock, never resend.
      const created = await findDagAfterUnknownOutcome(ctx, "delete", e, deadline, sentAt);
      if (created) return { kind: "dag", dag: created };
      // Or the DAG it created already ended (obshell deletes fast without an OBProxy process): check done (2).
      const state = await agentState(ctx).catch(() => undefined);
      if (state && !state.managed && !state.deleting) {
        ctx.progress.info("the answer was lost, but obshell manages no OBProxy and no Delete DAG is in flight: deleted");
        return { kind: "gone" };
      }
      throw e;
    }
    if (isUnderMaintenance(e) || (await isLegacyLockConflict(ctx, e))) return { kind: "locked" };
    throw e;
  }
}

/** Waits for a Delete DAG, then checks "done" (1): nothing managed and no Delete DAG in flight. */
async function finishDelete(ctx: OpContext, props: Partial<ObProxyOutputs>, dag: DagDetail, deadline: number): Promise<void> {
  ctx.progress.info(`deleting the OBProxy at ${props.homePath ?? "?"}: Delete obproxy DAG ${dag.id}`);
  let ended: DagDetail;
  // The done-check's reads, sent alongside the poll expected to see the DAG end (one round trip less).
  let early: Promise<AgentState | undefined> | undefined;
  const readEarly = () => {
    early = agentState(ctx).catch(() => undefined);
  };
  try {
    ended = await waitDag(ctx, dag, deadline, DELETE_ADVICE(ctx.deadline?.timeoutMs ?? 0), readEarly);
  } catch (e) {
    // A passed delete is judged by what obshell manages now, below; any other failure is reported as is.
    if (!isObProxyError(e) || e.code !== "DagPassed") throw e;
    ended = (e as DagError).passedDag ?? dag;
  }
  const state = (await earlyDone(early, ended)) ?? (await confirmState(ctx, ended, props.lastDag, props.homePath));
  if (state.deleting && state.deleting.id !== ended.id) return finishDelete(ctx, props, state.deleting, deadline);
  if (!state.managed) {
    ctx.progress.info(isPassed(ended) ? `OBProxy deleted (obshell manages none; note: ${describePass(ended)})` : "OBProxy deleted");
    return;
  }
  // Managed again: someone else's add after our delete (3), or our delete did not delete.
  const foreign = state.foreignAdd;
  if (foreign) {
    ctx.progress.info(`OBProxy deleted (Delete obproxy DAG ${ended.id}); another OBProxy has since been added on this agent (${foreign.name} DAG ${foreign.id}, not ours)`);
    return;
  }
  const next = "The resource stays in state: run `pulumi destroy` again to send a new delete.";
  if (isPassed(ended)) {
    const text = `${ctx.label}: ${describePass(ended)}, and obshell still manages the OBProxy: nothing was deleted. ${next}`;
    throw new ObProxyError("DagPassed", text, { dagId: ended.id });
  }
  throw new ObProxyError("StillManaged", `${ctx.label}: Delete obproxy DAG ${ended.id} ended SUCCEED, but obshell still manages an OBProxy. ${next}`, { dagId: ended.id });
}

/**
 * The early reads when they prove done (1) on their own: nothing managed, and no Delete DAG in flight but the one
 * that ended. They may have been answered just before its end; then it held obshell's lock from the reads to its end,
 * so nothing could be added in between, and a later read would show the same. Anything else — something managed, a
 * DAG other than ours, a passed DAG (judged only after its end), a failed read — is read again after the end.
 */
async function earlyDone(early: Promise<AgentState | undefined> | undefined, ended: DagDetail): Promise<(AgentState & { foreignAdd?: DagDetail }) | undefined> {
  if (!early || isPassed(ended)) return undefined;
  const state = await early;
  if (!state || state.managed || (state.deleting && state.deleting.id !== ended.id)) return undefined;
  return { managed: false };
}

/** Pause between confirmation reads while the agent is briefly unreachable or answers garbage. */
const CONFIRM_PAUSE_MS = 250;

/**
 * `agentState` after `ended`, riding out a briefly unreachable agent until the deadline; when it cannot be read,
 * an error naming the DAG: it ended, but whether anything is still managed is not known.
 */
async function confirmState(ctx: OpContext, ended: DagDetail, recorded: LastDag | undefined, homePath?: string): Promise<AgentState & { foreignAdd?: DagDetail }> {
  const deadline = ctx.deadline?.at ?? ctx.now();
  for (;;) {
    try {
      const state = await agentState(ctx);
      const foreignAdd = state.managed ? await latestForeignAdd(ctx, recorded, homePath, ended) : undefined;
      return { ...state, ...(foreignAdd ? { foreignAdd } : {}) };
    } catch (e) {
      const rideOut = isRideOut(e) || isResponseShapeError(e);
      if (rideOut && ctx.now() + CONFIRM_PAUSE_MS < deadline && !ctx.op.signal?.aborted) {
        await systemClock.sleep(CONFIRM_PAUSE_MS, ctx.op.signal).catch(() => undefined);
        continue;
      }
      const text =
        `${ctx.label}: ${ended.name} DAG ${ended.id} ended ${ended.state}, but checking that obshell manages no OBProxy any more failed: ` +
        `${(e as Error).message}. The resource stays in state: run \`pulumi destroy\` again to check again.`;
      throw new ObProxyError("Unconfirmed", text, { dagId: ended.id, cause: e });
    }
  }
}

/** What "done" is checked against: is an OBProxy managed, and which Delete DAG (if any) is in flight. */
interface AgentState {
  managed: boolean;
  deleting?: DagDetail;
}

/** Reads `AgentState`. */
async function agentState(ctx: OpContext): Promise<AgentState> {
  // Two independent reads of one moment, sent together: one round trip after the DAG ended, not two.
  const [info, holder] = await Promise.all([ctx.client.getInfo(), ctx.client.findObproxyMaintenanceDag()]);
  const deleting = holder?.name === OBPROXY_DAGS.delete.name && holder.state !== "FAILED" ? holder : undefined;
  return { managed: info.isObproxyAgent === true, ...(deleting ? { deleting } : {}) };
}

/**
 * The agent's latest maintenance DAG when it is an `Add obproxy` this resource did not start (3), and — when `after`
 * is given — newer than it. "Did not start" is read two ways: not the DAG state records (older states record
 * none: then only its home decides), or — stronger, and whatever state recorded — an add whose own log names
 * another home (obshell's Start logs `start obproxy cmd: cd '<home>'`): a create that lost its answer while another
 * party added may have recorded their DAG, and a DELETE then would wipe their home.
 */
async function latestForeignAdd(ctx: OpContext, recorded: LastDag | undefined, homePath: string | undefined, after?: DagDetail): Promise<DagDetail | undefined> {
  // A failed lookup is not read as "nothing foreign": the DELETE waits until it is known whose OBProxy it would hit.
  const last = await ctx.client.getLastMaintenanceDag();
  if (!last || last.name !== OBPROXY_DAGS.add.name) return undefined;
  if (after && last.dag_id <= after.dag_id) return undefined;
  const home = homeOfAdd(last.nodes ? last : await ctx.client.getDag(last.id, { showDetails: true }));
  if (home !== undefined && homePath !== undefined && normalizeHomePath(home) !== normalizeHomePath(homePath)) return last;
  if (!recorded?.id || isOwnDag(ctx, last, recorded)) return undefined;
  return last;
}

/** The home an Add DAG acts on, from its Start task's log line; undefined until that task has run. */
export function homeOfAdd(dag: DagDetail): string | undefined {
  for (const node of dag.nodes ?? []) {
    for (const task of node.sub_tasks ?? []) {
      for (const line of task.task_logs ?? []) {
        const m = /start obproxy cmd: cd '((?:[^']|'\\'')*)'/.exec(line);
        if (m) return m[1]!.replace(/'\\''/g, "'");
      }
    }
  }
  return undefined;
}

/** Done case 3, said plainly; false when there is no foreign add. */
function reportForeignAdd(ctx: OpContext, dag: DagDetail | undefined): boolean {
  if (!dag) return false;
  ctx.progress.info(
    `another OBProxy is being added on this agent (${dag.name} DAG ${dag.id}, ${dag.state}, not started by this resource); ours is already gone: ` +
      "nothing to delete, and nothing is sent that would touch theirs",
  );
  return true;
}

/**
 * `delete`: the DELETE route, then the Delete DAG waited for to SUCCEED within `timeouts.delete`, computed once.
 * It is resumable: a destroy interrupted (the engine has no cancel for dynamic providers; a second Ctrl-C kills the
 * plugin) or failed leaves a Delete DAG holding obshell's lock, and the next destroy waits on it or retries it
 * instead of starting another. Success is reported only once nothing is managed and no Delete DAG is in flight.
 */
import type { OpContext } from "./context";
import { requireAgentPassword } from "./create";
import { findDagAfterUnknownOutcome, isLegacyLockConflict, isOutcomeUnknown, isUnderMaintenance, settleLock, waitDag, type WaitAdvice } from "./dags";
import { operationTimeoutMs } from "./durations";
import type { DagDetail } from "../obshell/schemas";
import type { ObProxyOutputs } from "./types";

const DELETE_ADVICE = (timeout: number): WaitAdvice => ({
  timeoutMs: timeout,
  onFailed: "The resource stays in state: fix the cause, then run `pulumi destroy` again; it retries this DAG instead of starting another.",
  onTimeout: "It keeps running in obshell and the resource stays in state: run `pulumi destroy` again to resume waiting (timeouts.delete sets the limit).",
});

/** How many times the DELETE may be sent after obshell refused it or another DAG finished; each refusal created nothing. */
const MAX_ATTEMPTS = 3;

/** Deletes the OBProxy; resolves only when obshell no longer manages it. */
export async function deleteObproxy(ctx: OpContext, props: Partial<ObProxyOutputs>): Promise<void> {
  const timeout = operationTimeoutMs(ctx.op.timeoutMs, props.timeouts, "delete");
  const deadline = ctx.now() + timeout;
  requireAgentPassword(ctx, props);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let answer: { kind: "dag"; dag: DagDetail } | { kind: "not-managed" } | { kind: "locked" };
    try {
      answer = await ctx.client.deleteObproxy();
    } catch (e) {
      // An answer lost after obshell may have acted: follow the Delete DAG holding the lock, never resend.
      const created = isOutcomeUnknown(e) ? await findDagAfterUnknownOutcome(ctx, "delete", e, deadline) : undefined;
      if (created) answer = { kind: "dag", dag: created };
      // Or the DAG it created already ended (obshell deletes fast without an OBProxy process): nothing managed = done.
      else if (isOutcomeUnknown(e) && (await ctx.client.getInfo().catch(() => undefined))?.isObproxyAgent === false) answer = { kind: "not-managed" };
      else if (isUnderMaintenance(e) || (await isLegacyLockConflict(ctx, e))) answer = { kind: "locked" };
      else throw e;
    }
    if (answer.kind === "dag") {
      ctx.progress.info(`deleting the OBProxy at ${props.homePath ?? "?"}: Delete obproxy DAG ${answer.dag.id}`);
      await waitDag(ctx, answer.dag, deadline, DELETE_ADVICE(timeout));
      ctx.progress.info("OBProxy deleted");
      return;
    }
    // 204 or a refusal: an earlier delete may still run (past its "Delete obproxy" task obshell already reports
    // nothing managed, yet it still cleans the directories) or may have failed holding the lock.
    const outcome = await settleLock(ctx, "delete", deadline, props.lastDag?.name === "Add obproxy" ? props.lastDag.id : undefined);
    if ("resume" in outcome) {
      await waitDag(ctx, outcome.resume, deadline, DELETE_ADVICE(timeout));
      ctx.progress.info("OBProxy deleted");
      return;
    }
    // Nothing managed and nothing was in flight: gone. After waiting for another DAG (an add, say), ask again.
    if (answer.kind === "not-managed" && !outcome.waited) {
      ctx.progress.info("obshell manages no OBProxy: already deleted");
      return;
    }
  }
  throw new Error(`${ctx.label}: obshell kept refusing the delete (Agent.UnderMaintenance) although no OBProxy DAG held its lock; run \`pulumi destroy\` again`);
}

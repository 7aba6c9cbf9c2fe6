/**
 * `update` and `read`. An update either starts/stops the OBProxy, continues a create that failed part-way (the
 * engine sends an update for a resource with initialization errors even when nothing changed), or only refreshes
 * stored settings without any remote call. `read` backs `pulumi refresh`.
 */
import { isObshellApiError } from "../obshell";
import { ErrCode, OBPROXY_DAGS, isObproxyTaskId, type DagDetail } from "../obshell/schemas";
import type { OpContext } from "./context";
import { completeAdd, addParams, assertSupported, requireAgentPassword, stopAndWait, type Created } from "./create";
import { describePass, isPassed, submitDag, waitDag, type DagError, type WaitAdvice } from "./dags";
import { waitAdvice } from "./messages";
import { startDeadline } from "./deadline";
import { ObProxyError, asPartialFailure, summarizeDag } from "./errors";
import { alterProxyconfig, parameterChanges } from "./parameters";
import { agentFacts, buildOutputs, storedAgentFacts, withProvider } from "./outputs";
import type { LastDag, ObProxyInputs, ObProxyOutputs } from "./types";

const UPDATE_ADVICE = (timeout: number): WaitAdvice => waitAdvice("update", timeout);

/** Updates the resource; returns full outputs. */
export async function updateObproxy(ctx: OpContext, id: string, olds: Partial<ObProxyOutputs>, news: ObProxyInputs): Promise<ObProxyOutputs> {
  const deadline = startDeadline(ctx, "update", news.timeouts);
  const timeout = ctx.deadline!.timeoutMs;
  if (olds.managed !== true && olds.adopted !== true) {
    return (await continueCreate(ctx, id, olds, news, deadline, timeout)).outs;
  }
  const current = olds.running ?? true;
  const desired = news.running ?? true;
  const adopted = olds.adopted === true;
  const params = parameterChanges(olds.parameters, news.parameters);
  const paramKeys = Object.keys(params.set);
  if (params.removed.length > 0) {
    ctx.progress.info(`parameters ${params.removed.join(", ")} no longer given: OBProxy keeps their current values (it has no reset); set them explicitly to change them`);
  }
  if (current === desired && paramKeys.length === 0) {
    // Only local settings changed (or just the provider text): keep the agent facts, make no remote call.
    return buildOutputs(news, { agent: storedAgentFacts(olds), running: current, adopted, lastDag: olds.lastDag });
  }
  if (paramKeys.length > 0 && !current && !desired) {
    const text = `${ctx.label}: parameters ${paramKeys.join(", ")} can only change while OBProxy runs (ALTER proxyconfig on its SQL port): set running: true, or change them together with it`;
    throw new ObProxyError("ParameterUpdateFailed", text);
  }
  requireAgentPassword(ctx, news);
  let lastDag = olds.lastDag;
  let running = current;
  let applied: string[] = [];
  try {
    if (!current && desired) {
      lastDag = await startAndWait(ctx, deadline, UPDATE_ADVICE(timeout), lastDag);
      running = true;
    }
    if (paramKeys.length > 0) {
      const sqlPort = Number(olds.sqlPort);
      applied = await alterProxyconfig(ctx, { endpoint: news.endpoint, sqlPort, sysPassword: news.obproxySysPassword }, params.set, deadline);
    }
    if (current && !desired) {
      lastDag = await stopAndWait(ctx, deadline, UPDATE_ADVICE(timeout), lastDag);
      running = false;
    }
  } catch (e) {
    const failed = e as DagError & { applied?: string[] };
    applied = failed.applied ?? applied;
    // State records what OBProxy has now: the old parameters plus the ones applied before the failure.
    const parameters = { ...(olds.parameters ?? {}), ...Object.fromEntries(applied.map((k) => [k, params.set[k] as string])) };
    const outs = buildOutputs({ ...news, parameters }, { agent: storedAgentFacts(olds), running, adopted, lastDag: failed.lastDag ?? lastDag });
    throw asPartialFailure(failed, id, withProvider(outs, news));
  }
  const agent = agentFacts(await ctx.client.getInfo(), news.endpoint);
  if (running !== current) ctx.progress.info(desired ? "OBProxy started" : "OBProxy stopped");
  if (applied.length > 0) ctx.progress.info(`OBProxy parameters changed in place: ${applied.join(", ")}`);
  return buildOutputs(news, { agent, running, adopted, lastDag });
}

async function startAndWait(ctx: OpContext, deadline: number, advice: WaitAdvice, recorded?: LastDag): Promise<LastDag> {
  ctx.progress.info("starting the OBProxy (running: true)");
  const dag = await submitDag(ctx, "start", () => ctx.client.startObproxy(), deadline, recorded);
  return summarizeDag(await waitDag(ctx, dag, deadline, advice));
}

/**
 * Continues a create that ended in a partial failure: if the agent manages the OBProxy our recorded Add DAG added,
 * only `running` is left to apply; otherwise the add is submitted again, which resumes (or retries, when it failed)
 * our Add DAG that still holds obshell's lock instead of starting a second one. A managed OBProxy that our add did
 * not produce (someone else's add, or ours ended by PASS) is never taken as ours.
 */
async function continueCreate(
  ctx: OpContext,
  id: string,
  olds: Partial<ObProxyOutputs>,
  news: ObProxyInputs,
  deadline: number,
  timeout: number,
): Promise<Created> {
  requireAgentPassword(ctx, news);
  const info = await assertSupported(ctx);
  const o = { deadline, timeout, adopted: false, lastDag: olds.lastDag };
  if (info.isObproxyAgent === true) {
    await assertOurAddManaged(ctx, olds.lastDag);
    return completeAdd(ctx, news, id, undefined, o);
  }
  ctx.progress.info(`continuing the create that did not finish (last DAG ${olds.lastDag?.id ?? "none"})`);
  const dag = await submitDag(ctx, "add", () => ctx.client.addObproxy(addParams(news)), deadline, olds.lastDag);
  return completeAdd(ctx, news, id, dag, o);
}

/**
 * obshell manages an OBProxy: it is ours only when our recorded Add DAG ran to SUCCEED without a PASS (or when
 * nothing was recorded to tell: a lost answer). Otherwise it is reported, never completed as ours.
 */
async function assertOurAddManaged(ctx: OpContext, recorded: LastDag | undefined): Promise<void> {
  if (!recorded?.id || recorded.name !== OBPROXY_DAGS.add.name || !isObproxyTaskId(recorded.id)) return;
  const ours = await ctx.client.getDag(recorded.id, { showDetails: true }).catch(() => undefined);
  if (!ours) return;
  if (ours.state === "SUCCEED" && isPassed(ours)) {
    throw new ObProxyError("DagPassed", `${ctx.label}: ${describePass(ours)}; obshell manages an OBProxy, but this resource's add did not complete. Run \`pulumi destroy\`, then \`pulumi up\` to add it again.`, { dagId: ours.id });
  }
  const last = await ctx.client.getLastMaintenanceDag().catch(() => undefined);
  if (ours.state !== "SUCCEED" || (last && last.name === OBPROXY_DAGS.add.name && last.id !== ours.id)) {
    const other = last && last.id !== ours.id ? ` (${last.name} DAG ${last.id}, not started by this resource)` : "";
    throw new ObProxyError(
      "ForeignDag",
      `${ctx.label}: obshell manages an OBProxy that this resource's Add obproxy DAG ${ours.id} (${ours.state}) did not add${other}: another party added it. This resource added nothing; use another agent or remove that OBProxy first.`,
      { dagId: last?.id ?? ours.id },
    );
  }
}

/**
 * Refresh. Gone (`{}`) when the agent manages no OBProxy and no OBProxy DAG holds its lock; a create or delete
 * still in progress (or failed) keeps the resource, so a later `up` or `destroy` can finish it.
 */
export async function readObproxy(
  ctx: OpContext,
  id: string,
  props: Partial<ObProxyOutputs> & ObProxyInputs,
): Promise<{ id?: string; props?: ObProxyOutputs }> {
  requireAgentPassword(ctx, props);
  const info = await ctx.client.getInfo();
  const holder = await ctx.client.findObproxyMaintenanceDag();
  if (info.isObproxyAgent !== true && !holder) {
    ctx.progress.info("obshell manages no OBProxy any more: removing it from state");
    return {};
  }
  const lastDag = holder ? summarizeDag(holder) : await refreshedDag(ctx, props.lastDag);
  const facts = { agent: agentFacts(info, props.endpoint), running: props.running ?? true, adopted: props.adopted === true, lastDag };
  return { id, props: buildOutputs(props, facts) };
}

/** The stored last DAG with its current state; unchanged when obshell no longer knows it. */
async function refreshedDag(ctx: OpContext, last: LastDag | undefined): Promise<LastDag | undefined> {
  if (!last?.id || !isObproxyTaskId(last.id)) return last;
  try {
    return summarizeDag((await ctx.client.getDag(last.id, { showDetails: false })) as DagDetail);
  } catch (e) {
    if (isObshellApiError(e) && (e.errCode === ErrCode.TaskNotFound || e.status === 404)) return last;
    throw e;
  }
}

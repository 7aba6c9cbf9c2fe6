/**
 * `create` (and its continuation on the next `up` after a partial failure): add the OBProxy through obshell, or
 * adopt the one the agent already manages, wait for the DAG, then stop it when `running: false`.
 */
import { isObshellApiError } from "../obshell";
import { ErrCode, OBPROXY_DAGS, type DagDetail } from "../obshell/schemas";
import type { OpContext } from "./context";
import { isOutcomeUnknown, submitDag, waitDag, type WaitAdvice } from "./dags";
import { startDeadline } from "./deadline";
import { ObProxyError, asPartialFailure, summarizeDag } from "./errors";
import { waitAdvice } from "./messages";
import { agentId, buildOutputs, withProvider, type LiveFacts } from "./outputs";
import { addParams, agentFactsOrUnmanaged, assertSupported, completeAdd, requireAgentPassword, type Created } from "./steps";
import type { ObProxyInputs } from "./types";

/** Home path problems obshell reports when the add checks `homePath` and runs `bin/obproxy -V`. */
const HOME_ERRCODES: readonly string[] = [ErrCode.PathNotExist, ErrCode.PathNotDir, ErrCode.Unexpected, ErrCode.ObproxyVersionOutputUnexpected];

/** Adds the likely cause of a missing OBProxy install: a replacement's delete removed bin/ and lib/. */
function withHomeHint(e: unknown): unknown {
  if (isObshellApiError(e) && e.errCode !== undefined && HOME_ERRCODES.includes(e.errCode)) {
    e.message += ". If this create replaces an ObProxy, obshell's delete removed bin/ and lib/ under homePath: unpack OBProxy there again, then run `pulumi up`";
  }
  return e;
}

/** True when obshell refused the add because it already manages an OBProxy. */
async function isAlreadyManaged(ctx: OpContext, e: unknown): Promise<boolean> {
  if (!isObshellApiError(e)) return false;
  if (e.errCode === ErrCode.ObproxyAlreadyManaged) return true;
  // ≤4.3.0 answers a generic 400 (code 1000) with free text; ask the agent instead of reading the text.
  return e.errCode === undefined && e.status === 400 && (await ctx.client.getInfo()).isObproxyAgent === true;
}

const CREATE_ADVICE = (timeout: number): WaitAdvice => waitAdvice("create", timeout);

/** Creates the resource. */
export async function createObproxy(ctx: OpContext, inputs: ObProxyInputs): Promise<Created> {
  const deadline = startDeadline(ctx, "create", inputs.timeouts);
  const timeout = ctx.deadline!.timeoutMs;
  requireAgentPassword(ctx, inputs);
  const info = await assertSupported(ctx);
  const id = agentId(info, inputs.endpoint);
  if (info.security === false) {
    throw new ObProxyError("NoPassword", `${ctx.label}: obshell has no agent password set yet; set one on the agent first (POST /api/v1/agent/password), then use it here`);
  }
  let dag: DagDetail;
  try {
    ctx.progress.info(`adding the OBProxy at ${inputs.homePath} (obshell ${info.version})`);
    dag = await submitDag(ctx, "add", () => ctx.client.addObproxy(addParams(inputs)), deadline);
  } catch (e) {
    if (isOutcomeUnknown(e)) throw await keptInState(ctx, inputs, id, e);
    if (!(await isAlreadyManaged(ctx, e))) throw withHomeHint(e);
    if (!inputs.adopt) {
      const text = `${ctx.label}: obshell already manages an OBProxy (OBProxy.AlreadyManaged). Set adopt: true to take it into this stack, or remove it first (one agent manages one OBProxy).`;
      throw new ObProxyError("AlreadyManaged", text, { cause: e });
    }
    return adoptExisting(ctx, inputs, id, deadline, timeout);
  }
  return completeAdd(ctx, inputs, id, dag, { deadline, timeout, adopted: false });
}

/**
 * The add's answer was lost and no Add DAG could be found holding the lock: obshell may still have added the
 * OBProxy (a DAG that already ended). Keep the resource in state, so `pulumi up` continues and `pulumi destroy`
 * removes whatever is there, instead of leaving an OBProxy no stack knows about.
 */
async function keptInState(ctx: OpContext, inputs: ObProxyInputs, id: string, e: unknown): Promise<Error> {
  const err = e instanceof Error ? e : new Error(String(e));
  const latest = ctx.newestBeforeAdd === undefined ? undefined : await ctx.client.getLastMaintenanceDag().catch(() => null);
  // No maintenance DAG newer than the ones that existed before our add: obshell created nothing, there is nothing to keep.
  if (latest !== null && ctx.newestBeforeAdd !== undefined && (latest?.dag_id ?? 0) <= ctx.newestBeforeAdd) {
    err.message += ". obshell created no DAG for it (no maintenance DAG is newer than before the request): nothing was added; run `pulumi up` again";
    return err;
  }
  // The newest is an add that may be ours (it finished before we could look): record it, so destroy can tell it from a later one.
  const mayBeOurs = latest && latest.name === OBPROXY_DAGS.add.name ? summarizeDag(latest) : undefined;
  err.message += ". obshell may have accepted the add: the resource is kept in state; run `pulumi up` to continue it, or `pulumi destroy`";
  const facts: LiveFacts = { agent: await agentFactsOrUnmanaged(ctx, inputs), running: true, adopted: false, ...(mayBeOurs ? { lastDag: mayBeOurs } : {}) };
  return asPartialFailure(err, id, withProvider(buildOutputs(inputs, facts), inputs));
}

/**
 * Takes the OBProxy the agent already manages into state. obshell reports nothing about it (§4.7), so the inputs
 * are trusted to describe it. An OBProxy DAG still running is waited for first, so the state reflects its outcome.
 */
async function adoptExisting(ctx: OpContext, inputs: ObProxyInputs, id: string, deadline: number, timeout: number): Promise<Created> {
  ctx.progress.info("obshell already manages an OBProxy: adopting it (adopt: true)");
  let holder = await ctx.client.findObproxyMaintenanceDag();
  if (holder && holder.state !== "FAILED") holder = await waitDag(ctx, holder, deadline, CREATE_ADVICE(timeout));
  if (holder?.state === "FAILED") ctx.progress.info(`note: ${holder.name} DAG ${holder.id} failed earlier and still holds obshell's OBProxy lock`);
  const last = holder ?? (await ctx.client.getLastMaintenanceDag());
  const lastDag = last && /^[45]/.test(last.id) ? summarizeDag(last) : undefined;
  return completeAdd(ctx, inputs, id, undefined, { deadline, timeout, adopted: true, lastDag });
}

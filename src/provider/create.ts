/**
 * `create` (and its continuation on the next `up` after a partial failure): add the OBProxy through obshell, or
 * adopt the one the agent already manages, wait for the DAG, then stop it when `running: false`.
 */
import { isObshellApiError, isObshellVersionError } from "../obshell";
import { ErrCode, OBPROXY_DAGS, type AddObproxyParams, type AgentStatusInfo, type DagDetail } from "../obshell/schemas";
import type { OpContext } from "./context";
import { isOutcomeUnknown, submitDag, waitDag, type DagError, type WaitAdvice } from "./dags";
import { waitAdvice } from "./messages";
import { startDeadline } from "./deadline";
import { ObProxyError, asPartialFailure, summarizeDag } from "./errors";
import { agentFacts, agentId, buildOutputs, withProvider, type LiveFacts } from "./outputs";
import { resolveAgentPassword } from "./config";
import { AGENT_PASSWORD_CONFIG_KEY, AGENT_PASSWORD_ENV, type LastDag, type ObProxyInputs, type ObProxyOutputs } from "./types";

/** What create returns to the engine. */
export interface Created {
  id: string;
  outs: ObProxyOutputs;
}

/** Fails early, with where to put it, when no agent password is available (every OBProxy route needs one). */
export function requireAgentPassword(ctx: OpContext, props: { agentPassword?: unknown }): void {
  if (resolveAgentPassword(props).source !== "none") return;
  throw new ObProxyError(
    "NoPassword",
    `${ctx.label}: no agent password: set the agentPassword input, the stack config ${AGENT_PASSWORD_CONFIG_KEY} ` +
      `(pulumi config set --secret ${AGENT_PASSWORD_CONFIG_KEY} …) or the environment variable ${AGENT_PASSWORD_ENV}`,
  );
}

/** `GET /api/v1/info`, refusing agents without the OBProxy API (< 4.2.6.0) with a typed error. */
export async function assertSupported(ctx: OpContext): Promise<AgentStatusInfo> {
  try {
    return await ctx.client.assertObproxySupported();
  } catch (e) {
    if (!isObshellVersionError(e)) throw e;
    const text = `${ctx.label}: obshell ${e.version} has no OBProxy API; it needs obshell ≥ ${e.minimum}. Upgrade obshell on that host.`;
    throw new ObProxyError("VersionUnsupported", text, { cause: e });
  }
}

/** The add request body: only what was given, so obshell applies its own defaults. */
export function addParams(inputs: ObProxyInputs): AddObproxyParams {
  const params: AddObproxyParams = { home_path: inputs.homePath };
  if (inputs.name) params.name = inputs.name;
  if (inputs.sqlPort !== undefined) params.sql_port = inputs.sqlPort;
  if (inputs.rpcPort !== undefined) params.rpc_port = inputs.rpcPort;
  if (inputs.exporterPort !== undefined) params.exporter_port = inputs.exporterPort;
  if (inputs.proxyroPassword !== undefined) params.proxyro_password = inputs.proxyroPassword;
  if (inputs.obproxySysPassword !== undefined) params.obproxy_sys_password = inputs.obproxySysPassword;
  if (inputs.rsList !== undefined) params.rs_list = inputs.rsList;
  if (inputs.configUrl !== undefined) params.config_url = inputs.configUrl;
  if (inputs.parameters && Object.keys(inputs.parameters).length > 0) params.parameters = inputs.parameters;
  return params;
}

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
 * Waits for an accepted add, then stops the OBProxy when asked. obshell accepted the add, so from here on any
 * failure keeps the resource in state (partial failure) with what is known, for `destroy` or the next `up`.
 */
export async function completeAdd(
  ctx: OpContext,
  inputs: ObProxyInputs,
  id: string,
  dag: DagDetail | undefined,
  o: { deadline: number; timeout: number; adopted: boolean; lastDag?: LastDag },
): Promise<Created> {
  let lastDag = dag ? summarizeDag(dag) : o.lastDag;
  let running = true;
  let agent: LiveFacts["agent"];
  try {
    if (dag) lastDag = summarizeDag(await waitDag(ctx, dag, o.deadline, CREATE_ADVICE(o.timeout)));
    if (inputs.running === false) {
      lastDag = await stopAndWait(ctx, o.deadline, CREATE_ADVICE(o.timeout), lastDag);
      running = false;
    }
    // Inside the try: the OBProxy exists now, so a failed read must still keep the resource in state.
    agent = agentFacts(await ctx.client.getInfo(), inputs.endpoint);
  } catch (e) {
    const failed = e as DagError;
    const facts: LiveFacts = { agent: await agentFactsOrUnmanaged(ctx, inputs), running, adopted: o.adopted, lastDag: failed.lastDag ?? lastDag };
    throw asPartialFailure(failed, id, withProvider(buildOutputs(inputs, facts), inputs));
  }
  ctx.progress.info(`OBProxy ${o.adopted ? "adopted" : "added"}${running ? "" : " and stopped"}`);
  return { id, outs: buildOutputs(inputs, { agent, running, adopted: o.adopted, lastDag }) };
}

/** Agent facts for a partial failure: read again if possible (the error may be the agent being unreachable). */
async function agentFactsOrUnmanaged(ctx: OpContext, inputs: ObProxyInputs) {
  try {
    return agentFacts(await ctx.client.getInfo(), inputs.endpoint);
  } catch {
    return { agentVersion: "", agentIdentity: "", agentAddress: "", managed: false };
  }
}

/** Submits a stop (resuming or retrying a stop that holds the lock) and waits for it. */
export async function stopAndWait(ctx: OpContext, deadline: number, advice: WaitAdvice, recorded?: LastDag): Promise<LastDag> {
  ctx.progress.info("stopping the OBProxy (running: false)");
  const dag = await submitDag(ctx, "stop", () => ctx.client.stopObproxy(), deadline, recorded);
  return summarizeDag(await waitDag(ctx, dag, deadline, advice));
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

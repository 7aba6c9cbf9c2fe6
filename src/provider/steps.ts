/**
 * Steps more than one verb takes: check the password is there, gate on obshell's version, build the add body,
 * finish an accepted add (create and the continuation of a half-done create), stop or start and wait. Verb modules
 * (create, update, delete, import) import these and never each other.
 */
import { isObshellVersionError } from "../obshell";
import type { AddObproxyParams, AgentStatusInfo, DagDetail } from "../obshell/schemas";
import { resolveAgentPassword } from "./config";
import type { OpContext } from "./context";
import { submitDag, waitDag, type DagError } from "./dags";
import { ObProxyError, asPartialFailure, summarizeDag } from "./errors";
import { waitAdvice, type WaitAdvice } from "./messages";
import { agentFacts, buildOutputs, withProvider, type LiveFacts } from "./outputs";
import { AGENT_PASSWORD_CONFIG_KEY, AGENT_PASSWORD_ENV, type LastDag, type ObProxyInputs, type ObProxyOutputs } from "./types";

/** What create returns to the engine. */
export interface Created {
  id: string;
  outs: ObProxyOutputs;
}

/** Fails early, with where to put it, when no agent password is available (every OBProxy route needs one). */
export function requireAgentPassword(ctx: OpContext, props: { agentPassword?: unknown }): void {
  if (resolveAgentPassword(props, process.env, ctx.config).source !== "none") return;
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
    if (dag) lastDag = summarizeDag(await waitDag(ctx, dag, o.deadline, waitAdvice("create", o.timeout)));
    if (inputs.running === false) {
      lastDag = await stopAndWait(ctx, o.deadline, waitAdvice("create", o.timeout), lastDag);
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
export async function agentFactsOrUnmanaged(ctx: OpContext, inputs: ObProxyInputs) {
  try {
    return agentFacts(await ctx.client.getInfo(), inputs.endpoint);
  } catch {
    return { agentVersion: "", agentIdentity: "", agentAddress: "", managed: false };
  }
}

/** Submits a stop (resuming or retrying a stop of ours that holds the lock) and waits for it. */
export async function stopAndWait(ctx: OpContext, deadline: number, advice: WaitAdvice, recorded?: LastDag): Promise<LastDag> {
  ctx.progress.info("stopping the OBProxy (running: false)");
  const dag = await submitDag(ctx, "stop", () => ctx.client.stopObproxy(), deadline, recorded);
  return summarizeDag(await waitDag(ctx, dag, deadline, advice));
}

/** Submits a start (resuming or retrying a start of ours that holds the lock) and waits for it. */
export async function startAndWait(ctx: OpContext, deadline: number, advice: WaitAdvice, recorded?: LastDag): Promise<LastDag> {
  ctx.progress.info("starting the OBProxy (running: true)");
  const dag = await submitDag(ctx, "start", () => ctx.client.startObproxy(), deadline, recorded);
  return summarizeDag(await waitDag(ctx, dag, deadline, advice));
}

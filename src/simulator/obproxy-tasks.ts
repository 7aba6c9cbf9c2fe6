/**
 * OBProxy DAG templates as data (protocol §4, `ob/agent/executor/obproxy/*.go`): task names from the shared
 * `OBPROXY_DAGS`, each with its effect, obshell's log lines and nominal duration (scaled by timeScale).
 */
import { createHash } from "node:crypto";
import { ErrCode, OBPROXY_DAGS, type ObproxyDagKind } from "../obshell/schemas";
import type { DagSpec, TaskContext, TaskSpec } from "./dag-engine";
import { TaskFailure } from "./sim-errors";
import type { StartCommand } from "./host";
import { healthCheckDialError } from "./obproxy-sql";
import { taskCapabilities } from "./task-capabilities";
import type { AgentState, ManagedObproxy } from "./state";

/** Add parameters after request-time validation (§4.1). */
export interface AddPlan {
  homePath: string;
  name: string;
  sqlPort: number;
  parameters: Record<string, string>;
  clusterName: string;
  sysPassword: string;
  proxyroPassword: string;
  version: string;
}

const HEALTH_CHECK_INTERVAL_MS = 10_000;
const HEALTH_CHECK_MAX_TRIES = 100;
const STOP_INTERVAL_MS = 5_000;
const STOP_MAX_TRIES = 15;
/**
 * What a quick task (sqlite writes, a mkdir, `rm -rf`) takes on the real agent: far below the scheduler tick, which
 * is what a node's duration really comes from (dag-engine.ts).
 */
const FAST_TASK_MS = 20;

type TaskFn = (ctx: TaskContext) => Promise<void>;

type FailFn = NonNullable<TaskSpec["failAs"]>;

function spec(s: AgentState, kind: ObproxyDagKind, run: Record<string, TaskFn>, rollback: Record<string, TaskFn> = {}, failAs: Record<string, FailFn> = {}): DagSpec {
  const d = OBPROXY_DAGS[kind];
  const tasks: TaskSpec[] = d.tasks.map((name) => ({
    name, run: run[name] ?? ((ctx) => ctx.sleep(FAST_TASK_MS)), rollback: rollback[name], can: taskCapabilities(name, s.version), failAs: failAs[name],
  }));
  return { kind, name: d.name, maintenance: d.maintenance, tasks };
}

/** `Check obproxy status` (PrepareForObproxyAgent). */
function checkStatus(s: AgentState, expectManaged: boolean, home?: string) {
  return async (ctx: TaskContext) => {
    await ctx.sleep(FAST_TASK_MS);
    if (expectManaged && !s.isObproxyAgent) throw new TaskFailure(ErrCode.ObproxyNotBeManaged, "This is not an OBProxy agent");
    if (!expectManaged) {
      if (s.isObproxyAgent) throw new TaskFailure(ErrCode.ObproxyAlreadyManaged, "Agent has already managed OBProxy");
      await s.host.mkdirRun(home!);
    }
  };
}

/** The start command (with `-o` options for an add) and the line obshell logs for it. */
function startCommand(s: AgentState, plan: AddPlan | undefined): { cmd: StartCommand; line: string; homePath: string; sqlPort: number; sysPassword: string } {
  const o = plan ?? startPlanFromState(s);
  let options = "";
  if (plan) {
    const params: Record<string, string> = { ...plan.parameters, obproxy_sys_password: plan.sysPassword ? sha1(plan.sysPassword) : "" };
    const bad = Object.keys(params).find((k) => !/^[a-zA-Z0-9_]+$/.test(k));
    if (bad !== undefined) throw new TaskFailure(ErrCode.IllegalArgument, `Illegal argument: invalid parameter key: ${bad}`);
    options = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(",");
  }
  const cmd = plan ? { options, name: plan.name, cluster: plan.clusterName } : { options: "" };
  const line = plan ? s.host.startCommandLine(o.homePath, cmd) : `cd '${o.homePath.replace(/'/g, `'\\''`)}'; ./bin/obproxy`;
  return { cmd, line, homePath: o.homePath, sqlPort: o.sqlPort, sysPassword: o.sysPassword };
}

/** `Start obproxy`: run the command, then health-check every 10 s (fails early when nothing listens). */
function startObproxy(s: AgentState, plan: AddPlan | undefined) {
  return async (ctx: TaskContext) => {
    const c = startCommand(s, plan);
    ctx.log(`start obproxy cmd: ${c.line}`);
    try {
      await s.host.start(c.homePath, c.cmd);
    } catch (e) {
      throw new TaskFailure(ErrCode.Unexpected, (e as Error).message);
    }
    if (s.host.launchMs > 0) await ctx.sleep(s.host.launchMs);
    await healthCheck(s, ctx, c.homePath, c.sqlPort, c.sysPassword);
  };
}

function startPlanFromState(s: AgentState): { homePath: string; sqlPort: number; sysPassword: string } {
  const m = s.obproxy;
  if (!m) throw new TaskFailure(ErrCode.ObproxyNotBeManaged, "This is not an OBProxy agent");
  return { homePath: m.homePath, sqlPort: m.sqlPort, sysPassword: m.sysPassword };
}

/**
 * Every 10 s: obshell's check (MySQL in real mode); a failure is a WARN, then the port is looked up: nothing on it
 * (no socket, not even TIME_WAIT) ends the task, else the next retry.
 */
async function healthCheck(s: AgentState, ctx: TaskContext, home: string, port: number, sysPassword: string): Promise<void> {
  ctx.log("start obproxy health check");
  for (let retry = 1; retry <= HEALTH_CHECK_MAX_TRIES; retry++) {
    await ctx.sleep(HEALTH_CHECK_INTERVAL_MS);
    const err = await s.host.healthCheck(port, sysPassword);
    if (err === undefined) {
      s.startInfo = { sqlPort: port, sysPassword };
      await s.host.recordPid(home, port).catch((e: Error) => {
        throw new TaskFailure(ErrCode.Unexpected, e.message);
      });
      return;
    }
    ctx.warn(`obproxy health check failed(retry ${retry}): ${err}`);
    if (!(await s.host.portInUse(port))) processGone(ctx, port, err);
  }
  throw new TaskFailure(ErrCode.ObproxyHealthCheckTimeout, "OBProxy health check timeout");
}

/** Nothing on the port: obshell's last WARN line, then Common.Unexpected. */
function processGone(ctx: TaskContext, port: number, err: string): never {
  ctx.warn(`no process listening on port ${port}, obproxy may have exited`);
  throw new TaskFailure(ErrCode.Unexpected, `Unexpected error: obproxy start failed: obproxy process not found on port ${port}: ${err}`);
}

/**
 * An injected Start failure without its own message fails like a started process that is gone: the start command,
 * the health check's 10 s, two WARN lines, Common.Unexpected (five log lines with the ERROR one).
 */
function startFailAs(s: AgentState, plan: AddPlan | undefined): FailFn {
  return async (ctx, fate) => {
    if (fate.errCode !== ErrCode.Unexpected || fate.message !== "") {
      await ctx.sleep(FAST_TASK_MS);
      throw new TaskFailure(fate.errCode, fate.message);
    }
    const c = startCommand(s, plan);
    ctx.log(`start obproxy cmd: ${c.line}`);
    if (s.host.launchMs > 0) await ctx.sleep(s.host.launchMs);
    ctx.log("start obproxy health check");
    await ctx.sleep(HEALTH_CHECK_INTERVAL_MS);
    const err = healthCheckDialError(c.sqlPort);
    ctx.warn(`obproxy health check failed(retry 1): ${err}`);
    processGone(ctx, c.sqlPort, err);
  };
}

/** `Stop obproxy`: pid file → kill -9 → sleep 5 s → /proc check, up to 15 rounds (§4.3). */
function stopObproxy(s: AgentState) {
  return async (ctx: TaskContext) => {
    const home = s.obproxy?.homePath ?? "";
    const raw = await s.host.readPidFile(home);
    let pid = "";
    if (raw !== "") {
      if (!/^[+-]?\d+$/.test(raw)) throw new TaskFailure(ErrCode.Unexpected, `strconv.Atoi: parsing ${JSON.stringify(raw)}: invalid syntax`);
      if (await s.host.alive(Number(raw))) pid = String(Number(raw));
    }
    ctx.log(`Get obproxy pid: ${pid}`);
    if (pid === "") return ctx.log("Obproxy is not running");
    for (let i = 0; i < STOP_MAX_TRIES; i++) {
      ctx.log(`Kill obproxy process ${pid}`);
      await s.host.kill(Number(pid));
      await ctx.sleep(STOP_INTERVAL_MS);
      ctx.log("Check obproxy process");
      if (!(await s.host.alive(Number(pid)))) return ctx.log("Successfully killed the obproxy process");
    }
    throw new TaskFailure(ErrCode.ObproxyStopTimeout, "Kill OBProxy process timeout");
  };
}

function sha1(s: string): string {
  return createHash("sha1").update(s).digest("hex");
}

/** "Add obproxy" (§4.1). */
export function addDag(s: AgentState, plan: AddPlan): DagSpec {
  const failAs = { "Start obproxy": startFailAs(s, plan) };
  return spec(s, "add", {
    "Check obproxy status": checkStatus(s, false, plan.homePath),
    "Start obproxy": startObproxy(s, plan),
    "Set proxyro password for connect": async (ctx) => {
      ctx.log("set obproxy user password");
      await ctx.sleep(FAST_TASK_MS);
      // obshell's SetProxyroPassword: the proxyro password becomes the proxy's observer_sys_password, sent over the
      // connection obshell opened for its first OBProxy (so to that one's port, even after it was deleted).
      const port = s.cachedProxyConnection ? (s.proxyDbPort ??= plan.sqlPort) : plan.sqlPort;
      await s.host.setProxyConfig(port, plan.sysPassword, "observer_sys_password", plan.proxyroPassword).catch((e: Error) => {
        throw new TaskFailure(ErrCode.Unexpected, `Unexpected error: set obproxy user password failed: ${e.message}`);
      });
    },
    "Persist obproxy info": async (ctx) => {
      await ctx.sleep(FAST_TASK_MS);
      const m: ManagedObproxy = { homePath: plan.homePath, sqlPort: plan.sqlPort, sysPassword: plan.sysPassword, proxyroPassword: plan.proxyroPassword, version: plan.version };
      s.obproxy = m;
    },
  }, {}, failAs);
}

/** "Delete obproxy" (§4.2). */
export function deleteDag(s: AgentState): DagSpec {
  const home = s.obproxy?.homePath ?? "";
  return spec(s, "delete", {
    "Check obproxy status": checkStatus(s, true),
    "Stop obproxy": stopObproxy(s),
    "Delete obproxy": async (ctx) => {
      await ctx.sleep(FAST_TASK_MS);
      s.obproxy = undefined;
      s.startInfo = undefined;
    },
    "Clean obproxy dir": async (ctx) => {
      await ctx.sleep(FAST_TASK_MS);
      await s.host.cleanHome(home);
    },
  });
}

/** "Start obproxy" (§4.4): no maintenance, `./bin/obproxy` without options. */
export function startDag(s: AgentState): DagSpec {
  return spec(s, "start", { "Check obproxy status": checkStatus(s, true), "Start obproxy": startObproxy(s, undefined) }, {}, { "Start obproxy": startFailAs(s, undefined) });
}

/** "Stop obproxy" (§4.3). */
export function stopDag(s: AgentState): DagSpec {
  return spec(s, "stop", { "Check obproxy status": checkStatus(s, true), "Stop obproxy": stopObproxy(s) });
}

/**
 * "Upgrade obproxy" (§4.5). Gap: the binary is not replaced; the recorded version changes at "Record obproxy info"
 * and a ROLLBACK puts the previous one back.
 */
export function upgradeDag(s: AgentState, targetVersion: string): DagSpec {
  const previous = s.obproxy?.version;
  return spec(s, "upgrade", {
    "Record obproxy info": async (ctx) => {
      await ctx.sleep(FAST_TASK_MS);
      if (s.obproxy) s.obproxy.version = targetVersion;
    },
    "Wait hot restart obproxy finish": (ctx) => ctx.sleep(5_000),
  }, {
    "Record obproxy info": async () => {
      if (s.obproxy && previous) s.obproxy.version = previous;
    },
  });
}

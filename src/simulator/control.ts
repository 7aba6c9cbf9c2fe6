/**
 * The control API (moto-style, apart from the agent's own API): faults, agent restart, key rotation, clock skew,
 * out-of-band OBProxy loss, agent password, state and reset. Also served over HTTP under `/__sim/…`.
 */
import type { FailTaskFault, FaultPlan, MalformedKind } from "./faults";
import { dagDto } from "./dag-dto";
import type { MemoryHomeSpec } from "./memory-host";
import { MemoryHost } from "./memory-host";
import type { ControlHandler } from "./server";
import type { AgentState } from "./state";
import { operatorAct, partyAdd, partyDelete, type PartyResult } from "./second-party";

/** A snapshot of the agent's state (for tests and `/__sim/state`). */
export interface SimulatorStateView {
  managed: boolean;
  obproxy?: { homePath: string; sqlPort: number; version: string };
  agentPasswordSet: boolean;
  skewMs: number;
  /** DAGs with details, plus each one's real finish time (epoch ms) for completion-lag measurements. */
  dags: Array<ReturnType<typeof dagDto> & { finishedAtMs?: number; isFinished: boolean; homePath?: string }>;
  faults: unknown;
}

/** Test-side handle on a running simulator. */
export interface SimulatorControl {
  failTask(f: FailTaskFault): void;
  delayResponses(o: { ms: number; path?: string; count?: number }): void;
  dropConnections(o: { count: number; path?: string }): void;
  resetConnections(o: { count: number; path?: string }): void;
  respond5xx(o: { status: number; count: number; path?: string }): void;
  malformedResponses(o: { kind: MalformedKind; count: number; path?: string }): void;
  /** The next `count` requests (every one when omitted) are accepted and never answered. */
  silence(o?: { count?: number; path?: string }): void;
  /** The next `count` answers (every one when omitted) are written one byte every `byteEveryMs`. */
  slowLoris(o: { byteEveryMs: number; count?: number; path?: string }): void;
  /** Applies a whole FaultPlan. */
  applyFaults(plan: FaultPlan): void;
  clearFaults(): void;
  /** Listener down for `downMs` (connections refused), DAGs keep running. Resolves when it listens again. */
  restart(o: { downMs: number }): Promise<void>;
  rotateKey(): void;
  /** Sets the agent clock offset (ms) relative to the simulator clock. */
  skewClock(ms: number): void;
  /** Kills the managed OBProxy process (default) and/or removes its home, behind obshell's back. */
  loseObproxy(o?: { process?: boolean; home?: boolean }): Promise<void>;
  setAgentPassword(pw: string | null): void;
  /**
   * A second party adds an OBProxy at its own home on this agent (the add route's checks, lock and fates, without
   * a header). Resolves with the DAG created or obshell's refusal.
   */
  partyAddObproxy(params: Record<string, unknown>): Promise<PartyResult>;
  /** A second party's DELETE /api/v1/obproxy. */
  partyDeleteObproxy(): Promise<PartyResult>;
  /** An operator acts on a DAG in obshell's console: "retry", "pass", "cancel" or "rollback". */
  operateDag(dagId: string, operator: string): Promise<PartyResult>;
  /** Memory mode only: describe a home path (missing, non-empty etc/, version…). */
  defineMemoryHome(path: string, spec: MemoryHomeSpec): void;
  state(): SimulatorStateView;
  /** Forgets faults, DAGs are kept; managed OBProxy, password, skew and key go back to the start options. */
  reset(): void;
}

/** Builds the control object over one agent. */
export function createControl(s: AgentState, restart: (downMs: number) => Promise<void>, resetState: () => void): SimulatorControl {
  return {
    failTask: (f) => s.faults.failTask(f),
    delayResponses: (o) => s.faults.apply({ delay: o }),
    dropConnections: (o) => s.faults.apply({ drop: o }),
    resetConnections: (o) => s.faults.apply({ reset: o }),
    respond5xx: (o) => s.faults.apply({ status5xx: o }),
    malformedResponses: (o) => s.faults.apply({ malformed: o }),
    silence: (o = {}) => s.faults.apply({ silent: { count: o.count ?? Infinity, ...(o.path ? { path: o.path } : {}) } }),
    slowLoris: (o) => s.faults.apply({ slowLoris: { ...o, count: o.count ?? Infinity } }),
    applyFaults: (plan) => s.faults.apply(plan),
    clearFaults: () => s.faults.clear(),
    restart: (o) => restart(o.downMs),
    rotateKey: () => s.rotateKey(),
    skewClock: (ms) => void (s.skewMs = ms),
    loseObproxy: async (o = {}) => {
      if (s.obproxy) await s.host.lose(s.obproxy.homePath, o);
    },
    setAgentPassword: (pw) => void (s.agentPassword = pw),
    partyAddObproxy: (params) => partyAdd(s, params),
    partyDeleteObproxy: () => partyDelete(s),
    operateDag: (dagId, operator) => operatorAct(s, dagId, operator),
    defineMemoryHome: (path, spec) => {
      if (!(s.host instanceof MemoryHost)) throw new Error("defineMemoryHome needs mode 'memory'");
      s.host.define(path, spec);
    },
    state: () => ({
      managed: s.isObproxyAgent,
      obproxy: s.obproxy && { homePath: s.obproxy.homePath, sqlPort: s.obproxy.sqlPort, version: s.obproxy.version },
      agentPasswordSet: s.agentPassword !== null,
      skewMs: s.skewMs,
      dags: s.engine.all().map((d) => ({ ...withoutOptionValues(dagDto(d, s.address, true)), finishedAtMs: d.finishedAtMs, isFinished: d.isFinished, ...(d.homePath ? { homePath: d.homePath } : {}) })),
      faults: s.faults.snapshot(),
    }),
    reset: resetState,
  };
}

/**
 * A DAG as the state view shows it: task logs with the values of `-o k=v,…` replaced by `***`. The start command line
 * carries every parameter value and the sha1 of the sys password (as obshell logs it, behind its auth); the state
 * view is for tests and dashboards and shows no secret-derived value. The agent API still serves the real logs.
 */
function withoutOptionValues(dag: ReturnType<typeof dagDto>): ReturnType<typeof dagDto> {
  // The options are shell-quoted: `'…'` with `'\''` for a quote inside a value.
  const keysOnly = (quoted: string) => quoted.slice(1, -1).split(",").map((kv) => `${kv.split("=")[0]}=***`).join(",");
  const scrub = (line: string) => line.replace(/-o ('(?:[^']|'\\'')*')/g, (_m, quoted: string) => `-o '${keysOnly(quoted)}'`);
  const nodes = dag.nodes?.map((n) => ({ ...n, sub_tasks: n.sub_tasks?.map((t) => ({ ...t, task_logs: t.task_logs?.map(scrub) ?? null })) ?? null }));
  return { ...dag, nodes: nodes ?? null };
}

/** `/__sim/…` over HTTP: JSON in, JSON out. */
export function controlHttp(c: SimulatorControl, requests: () => unknown): ControlHandler {
  return async (method, path, body) => {
    let arg: Record<string, unknown> = {};
    try {
      arg = body.length ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};
    } catch {
      return { status: 400, json: { error: "body is not JSON" } };
    }
    const ok = { status: 200, json: { ok: true } };
    const route = `${method} ${path}`;
    try {
      switch (route) {
        case "GET /__sim/state": return { status: 200, json: c.state() };
        case "GET /__sim/requests": return { status: 200, json: requests() };
        case "GET /__sim/faults": return { status: 200, json: c.state().faults };
        case "POST /__sim/faults": c.applyFaults(arg as FaultPlan); return ok;
        case "DELETE /__sim/faults": c.clearFaults(); return ok;
        case "POST /__sim/fail-task": c.failTask(arg as unknown as FailTaskFault); return ok;
        case "POST /__sim/restart": void c.restart({ downMs: Number(arg.downMs ?? 1000) }); return ok;
        case "POST /__sim/rotate-key": c.rotateKey(); return ok;
        case "POST /__sim/skew-clock": c.skewClock(Number(arg.ms ?? 0)); return ok;
        case "POST /__sim/lose-obproxy": await c.loseObproxy(arg as { process?: boolean; home?: boolean }); return ok;
        case "POST /__sim/agent-password": c.setAgentPassword((arg.password as string | null | undefined) ?? null); return ok;
        case "POST /__sim/reset": c.reset(); return ok;
        case "POST /__sim/party/add-obproxy": return partyAnswer(await c.partyAddObproxy((arg.params ?? arg) as Record<string, unknown>));
        case "POST /__sim/party/delete-obproxy": return partyAnswer(await c.partyDeleteObproxy());
        case "POST /__sim/operate-dag": return partyAnswer(await c.operateDag(String(arg.dagId ?? ""), String(arg.operator ?? "")));
        default: return { status: 404, json: { error: `unknown control route ${route}` } };
      }
    } catch (e) {
      return { status: 400, json: { error: (e as Error).message } };
    }
  };
}

/** A party's result over HTTP: 200 with the DAG, or obshell's status with its refusal. */
function partyAnswer(r: PartyResult): { status: number; json: unknown } {
  return r.ok ? { status: 200, json: r } : { status: r.status, json: r };
}

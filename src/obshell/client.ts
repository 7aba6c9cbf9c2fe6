/**
 * `createObshellClient(options)`: options resolved once, one connection pool, one auth state (public key, clock
 * skew), and every agent operation bound to them. Operations are named after obshell's routes.
 */
import { Api } from "./api";
import { waitForDag, type WaitDeps, type WaitForDagOptions } from "./dag";
import { ConfigError, ObshellVersionError } from "./errors";
import * as ob from "./obproxy";
import { resolveOptions, type CallOptions, type ObshellClientOptions } from "./options";
import {
  AgentSecretSchema,
  AgentServiceStatusSchema,
  AgentStatusInfoSchema,
  MIN_OBPROXY_AGENT_VERSION,
  compareVersions,
  type AddObproxyParams,
  type AgentSecret,
  type AgentServiceStatus,
  type AgentStatusInfo,
  type DagDetail,
  type OperateDagOperator,
  type UpgradeObproxyParams,
  type UpgradePkgInfo,
} from "./schemas";
import * as tasks from "./tasks";
import { createUndiciSender, type HttpSender } from "./transport";

/** A client of one obshell agent. */
export interface ObshellClient {
  readonly endpoint: string;
  /** `GET /api/v1/info` (no auth): version, identity, isObproxyAgent, security. */
  getInfo(o?: CallOptions): Promise<AgentStatusInfo>;
  /** `GET /api/v1/status` (no auth). */
  getStatus(o?: CallOptions): Promise<AgentServiceStatus>;
  /** `GET /api/v1/secret` (no auth): the agent's public key. */
  getSecret(o?: CallOptions): Promise<AgentSecret>;
  /** `GET /api/v1/time` (no auth): the agent's clock. */
  getTime(o?: CallOptions): Promise<Date>;
  /** Throws ObshellVersionError below 4.2.6.0. Returns the info. */
  assertObproxySupported(o?: CallOptions): Promise<AgentStatusInfo>;
  /** `POST /api/v1/agent/password`; afterwards this client uses the new password. */
  setAgentPassword(password: string, o?: CallOptions): Promise<void>;
  addObproxy(params: AddObproxyParams, o?: CallOptions): Promise<DagDetail>;
  /** 204 (nothing managed) → `{ kind: "not-managed" }`. */
  deleteObproxy(o?: CallOptions): Promise<{ kind: "dag"; dag: DagDetail } | { kind: "not-managed" }>;
  startObproxy(o?: CallOptions): Promise<DagDetail>;
  stopObproxy(o?: CallOptions): Promise<DagDetail>;
  upgradeObproxy(params: UpgradeObproxyParams, o?: CallOptions): Promise<DagDetail>;
  uploadObproxyPackage(file: { filename: string; data: Buffer }, o?: CallOptions): Promise<UpgradePkgInfo>;
  /** `GET /api/v1/task/dag/:id`. @default showDetails true */
  getDag(id: string, o?: CallOptions & { showDetails?: boolean }): Promise<DagDetail>;
  operateDag(id: string, operator: OperateDagOperator, o?: CallOptions): Promise<void>;
  getUnfinishedDags(o?: CallOptions): Promise<DagDetail[]>;
  /** 404 → undefined. */
  getLastMaintenanceDag(o?: CallOptions): Promise<DagDetail | undefined>;
  /** The unfinished OBProxy maintenance DAG (id prefix 4/5, maintenance_type 4) holding the lock, if any. */
  findObproxyMaintenanceDag(o?: CallOptions): Promise<DagDetail | undefined>;
  /** Waits for SUCCEED (returns the DAG), FAILED (DagFailedError) or the deadline (DagTimeoutError). */
  waitForDag(id: string, o: WaitForDagOptions): Promise<DagDetail>;
  /** Closes the connection pool. */
  close(): Promise<void>;
}

/** Test seam: a different HTTP sender. */
export interface ClientInternals {
  sender?: HttpSender;
}

/** Creates a client; validates the options (ConfigError) but sends nothing yet. */
export function createObshellClient(options: ObshellClientOptions, internals: ClientInternals = {}): ObshellClient {
  const opts = resolveOptions(options);
  const api = new Api(opts, internals.sender ?? createUndiciSender(opts));
  const getInfo = (o?: CallOptions) => api.read(AgentStatusInfoSchema, "/api/v1/info", o);
  return {
    endpoint: opts.endpoint,
    getInfo,
    getStatus: (o) => api.read(AgentServiceStatusSchema, "/api/v1/status", o),
    getSecret: (o) => api.read(AgentSecretSchema, "/api/v1/secret", o),
    getTime: (o) => api.time(o),
    assertObproxySupported: async (o) => {
      const info = await getInfo(o);
      if (compareVersions(info.version, MIN_OBPROXY_AGENT_VERSION) < 0) throw new ObshellVersionError(info.version, MIN_OBPROXY_AGENT_VERSION);
      return info;
    },
    setAgentPassword: async (password, o) => {
      if (typeof password !== "string" || password === "") throw new ConfigError("password", "must be a non-empty string");
      // With no password yet, a SINGLE agent accepts any header; with one, it wants the current one.
      const current = api.auth.passwordOverride ?? opts.password() ?? "";
      await api.authed({ method: "POST", target: "/api/v1/agent/password", json: { password }, authOverride: current }, o);
      api.auth.passwordOverride = password;
    },
    addObproxy: (params, o) => ob.addObproxy(api, params, o),
    deleteObproxy: (o) => ob.deleteObproxy(api, o),
    startObproxy: (o) => ob.startObproxy(api, o),
    stopObproxy: (o) => ob.stopObproxy(api, o),
    upgradeObproxy: (params, o) => ob.upgradeObproxy(api, params, o),
    uploadObproxyPackage: (file, o) => ob.uploadObproxyPackage(api, file, o),
    getDag: (id, o) => tasks.getDag(api, id, o),
    operateDag: (id, operator, o) => tasks.operateDag(api, id, operator, o),
    getUnfinishedDags: (o) => tasks.getUnfinishedDags(api, o),
    getLastMaintenanceDag: (o) => tasks.getLastMaintenanceDag(api, o),
    findObproxyMaintenanceDag: (o) => tasks.findObproxyMaintenanceDag(api, o),
    waitForDag: (id, o) => waitForDag(waitDeps(api), id, o),
    close: () => api.close(),
  };
}

/** What waitForDag needs from this client. */
function waitDeps(api: Api): WaitDeps {
  const opts = api.opts;
  return {
    // waitForDag rides out failures itself, on its own schedule and deadline.
    getDag: (dagId, c) => tasks.getDag(api, dagId, { ...c, retries: 0 }),
    clock: opts.clock,
    random: opts.random,
    skewMs: () => api.auth.skewMs,
    requestTimeoutMs: opts.requestTimeoutMs,
    endpoint: opts.endpoint,
    taskMinDurationsMs: opts.taskMinDurationsMs,
    log: opts.log,
  };
}

/**
 * The obshell wire contract, defined once. The client parses every response with these schemas and the
 * simulator builds every answer through them (docs/protocol.md §1.2, §4, §5, §6).
 * Response objects are "loose": a newer obshell may add fields, which are kept but not required.
 */
import { z } from "zod";

/** DAG, node and sub-task states (obshell `task.State`, §5.2). */
export const DAG_STATES = ["PENDING", "READY", "RUNNING", "FAILED", "SUCCEED"] as const;
export const DagStateSchema = z.enum(DAG_STATES);
export type DagState = z.infer<typeof DagStateSchema>;

/** DAG operators as obshell reports them (§5.2). */
export const DAG_OPERATORS = ["RUN", "RETRY", "ROLLBACK", "CANCEL", "PASS"] as const;
export const DagOperatorSchema = z.enum(DAG_OPERATORS);
export type DagOperator = z.infer<typeof DagOperatorSchema>;

/** Operators a client may send to `POST /api/v1/task/dag/:id` (§5.5; obshell matches them case-insensitively). */
export const OPERATE_DAG_OPERATORS = ["RETRY", "ROLLBACK", "CANCEL", "PASS"] as const;
export type OperateDagOperator = (typeof OPERATE_DAG_OPERATORS)[number];

/** `maintenance_type` values (§5.1). 4 is the OBProxy lock. */
export const MaintenanceType = { NotBootstrap: 0, None: 1, Global: 2, Tenant: 3, Obproxy: 4 } as const;

/** Agent identities (`meta.AgentIdentity`). */
export const AGENT_IDENTITIES = [
  "MASTER",
  "FOLLOWER",
  "SINGLE",
  "CLUSTER AGENT",
  "TAKE OVER MASTER",
  "TAKE OVER FOLLOWER",
  "SCALING OUT",
  "SCALING IN",
  "UNIDENTIFIED",
] as const;
export type AgentIdentity = (typeof AGENT_IDENTITIES)[number];

/** DAG names and their node (= sub-task) names, in order (§4.1–§4.5, `ob/agent/executor/obproxy/enter.go`). */
export const OBPROXY_DAGS = {
  add: { name: "Add obproxy", maintenance: true, tasks: ["Check obproxy status", "Start obproxy", "Set proxyro password for connect", "Persist obproxy info"] },
  delete: { name: "Delete obproxy", maintenance: true, tasks: ["Check obproxy status", "Stop obproxy", "Delete obproxy", "Clean obproxy dir"] },
  start: { name: "Start obproxy", maintenance: false, tasks: ["Check obproxy status", "Start obproxy"] },
  stop: { name: "Stop obproxy", maintenance: true, tasks: ["Check obproxy status", "Stop obproxy"] },
  upgrade: {
    name: "Upgrade obproxy",
    maintenance: true,
    tasks: [
      "Create upgrade dir",
      "Download obproxy pkg from sqlite",
      "Check obproxy pkg",
      "Backup for upgrade",
      "Reinstall obproxy bin",
      "Copy obproxy config db file",
      "Record obproxy info",
      "Hot restart obproxy",
      "Wait hot restart obproxy finish",
      "Remove upgrade dir",
    ],
  },
} as const;
export type ObproxyDagKind = keyof typeof OBPROXY_DAGS;

/** errCode strings the package reacts to (Appendix A of the protocol document). */
export const ErrCode = {
  BadRequest: "Common.BadRequest",
  BindJsonFailed: "Common.BindJsonFailed",
  IllegalArgument: "Common.IllegalArgument",
  InvalidPort: "Common.InvalidPort",
  InvalidPath: "Common.InvalidPath",
  PathNotExist: "Common.PathNotExist",
  PathNotDir: "Common.PathNotDir",
  FilePermissionDenied: "Common.FilePermissionDenied",
  DirNotEmpty: "Common.DirNotEmpty",
  NotFound: "Common.NotFound",
  Unexpected: "Common.Unexpected",
  Unauthorized: "Common.Unauthorized",
  MysqlError: "MySQL.Error",
  HeaderNotFound: "Request.Header.NotFound",
  HeaderTypeInvalid: "Request.Header.Type.Invalid",
  BodyReadFailed: "Request.Body.ReadFailed",
  AesKeyAndIvInvalid: "Request.Body.Decrypt.AES.KeyAndIv.Invalid",
  AesContentLengthInvalid: "Request.Body.Decrypt.AES.ContentLength.Invalid",
  FileMissing: "Request.File.Missing",
  HeaderDecryptFailed: "Security.Authentication.Header.DecryptFailed",
  UriMismatch: "Security.Authentication.Header.UriMismatch",
  WithAgentPassword: "Security.Authentication.WithAgentPassword",
  WithOceanBasePassword: "Security.Authentication.WithOceanBasePassword",
  AgentPasswordNotInitialized: "Security.Authentication.AgentPasswordNotInitialized",
  IncorrectAgentPassword: "Security.Authentication.IncorrectAgentPassword",
  Expired: "Security.Authentication.Expired",
  TimestampInvalid: "Security.Authentication.Timestamp.Invalid",
  ObproxyAlreadyManaged: "OBProxy.AlreadyManaged",
  ObproxyNotBeManaged: "OBProxy.NotBeManaged",
  ObproxyNotRunning: "OBProxy.NotRunning",
  RsListAndConfigUrlConflicted: "OBProxy.RsListAndConfigUrl.Conflicted",
  RsListOrConfigUrlNotSpecified: "OBProxy.RsListOrConfigUrl.NotSpecified",
  ObproxyVersionNotSupported: "OBProxy.Version.NotSupported",
  ObproxyUpgradeToLowerVersion: "OBProxy.UpgradeToLowerVersion",
  ObproxyPackageNotFound: "OBProxy.Package.NotFound",
  ObproxyPackageNameInvalid: "OBProxy.Package.Name.Invalid",
  ObproxyVersionOutputUnexpected: "OBProxy.VersionOutputUnexpected",
  ObproxyHealthCheckTimeout: "OBProxy.HealthCheckTimeout",
  ObproxyStopTimeout: "OBProxy.StopTimeout",
  ObproxyHotRestartTimeout: "OBProxy.HotRestartTimeout",
  ReleaseFormatInvalid: "Package.ReleaseFormat.Invalid",
  UnderMaintenance: "Agent.UnderMaintenance",
  TaskCreateFailed: "Task.CreateFailed",
  TaskNotFound: "Task.NotFound",
  GenericIdInvalid: "Task.GenericID.Invalid",
  OperatorNotSupport: "Task.Dag.Operator.NotSupport",
  RetryNotFailedDag: "Task.Dag.Operator.RetryNotFailedDag",
  RollbackNotFailedDag: "Task.Dag.Operator.RollbackNotFailedDag",
  PassNotFailedDag: "Task.Dag.Operator.PassNotFailedDag",
  RetryNotAllowed: "Task.Dag.Operator.RetryNotAllowed",
  RollbackNotAllowed: "Task.Dag.Operator.RollbackNotAllowed",
  CancelNotAllowed: "Task.Dag.Operator.CancelNotAllowed",
  PassNotAllowed: "Task.Dag.Operator.PassNotAllowed",
  CancelFinishedDag: "Task.Dag.Operator.CancelFinishedDag",
  NoRowAffected: "Gorm.NoRowAffected",
} as const;
export type KnownErrCode = (typeof ErrCode)[keyof typeof ErrCode];

/** Legacy numeric codes (§3.5, Appendix A). */
export const LegacyCode = { DecryptError: 1, Incompatible: 2, Unauthorized: 10008 } as const;

// ---------------------------------------------------------------------------------------------------------------
// Envelope (§1.2)

/** The `error` object, both generations: ≤4.3.0 has only a numeric `code`; ≥4.3.1 has `errCode` and an optional `code`. */
export const ErrorDetailSchema = z.looseObject({
  code: z.number().int().optional(),
  errCode: z.string().optional(),
  message: z.string(),
  subErrors: z.array(z.unknown()).optional(),
});
export type ErrorDetail = z.infer<typeof ErrorDetailSchema>;

/** `OcsAgentResponse`. `data` is omitted when nil; `error` is omitted on success. */
export const EnvelopeSchema = z.looseObject({
  successful: z.boolean(),
  timestamp: z.string(),
  duration: z.number(),
  status: z.number().int(),
  traceId: z.string(),
  data: z.unknown().optional(),
  error: ErrorDetailSchema.optional(),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Agent routes (§2.1, §4.7, §6)

export const AgentInfoSchema = z.looseObject({ ip: z.string(), port: z.number().int() });
export type AgentInfo = z.infer<typeof AgentInfoSchema>;

/** `GET /api/v1/secret` data. `public_key` is base64 of PKCS#1 RSAPublicKey DER. */
export const AgentSecretSchema = z.looseObject({ ip: z.string(), port: z.number().int(), public_key: z.string().min(1) });
export type AgentSecret = z.infer<typeof AgentSecretSchema>;

/** `GET /api/v1/info` data (`meta.AgentStatus`). `isObproxyAgent` exists from 4.2.6.0, `security` from ~4.2.5. */
export const AgentStatusInfoSchema = z.looseObject({
  pid: z.number().int(),
  state: z.number().int(),
  startAt: z.number(),
  homePath: z.string(),
  obVersion: z.string(),
  architecture: z.string().optional(),
  ip: z.string(),
  port: z.number().int(),
  zone: z.string(),
  identity: z.string(),
  version: z.string(),
  isObproxyAgent: z.boolean().optional(),
  security: z.boolean().optional(),
  supportedAuth: z.array(z.string()).nullable().optional(),
});
export type AgentStatusInfo = z.infer<typeof AgentStatusInfoSchema>;

/** `GET /api/v1/status` data (`http.AgentStatus`). `underMaintenance` is the agent-global flag, not the OBProxy lock. */
export const AgentServiceStatusSchema = z.looseObject({
  agent: z.looseObject({ ip: z.string(), port: z.number().int(), identity: z.string() }),
  state: z.number().int(),
  version: z.string(),
  pid: z.number().int(),
  startAt: z.number(),
  port: z.number().int(),
  obState: z.number().int(),
  sqlPort: z.number().int().optional(),
  underMaintenance: z.boolean(),
});
export type AgentServiceStatus = z.infer<typeof AgentServiceStatusSchema>;

/** `GET /api/v1/time` data: Go `time.Time`, RFC 3339 with nanoseconds and the agent's local offset. */
export const AgentTimeSchema = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "not an RFC 3339 time");

// ---------------------------------------------------------------------------------------------------------------
// DAGs (§5.1, §5.3)

/** A generic task id: prefix 1–5 then digits (§5.3). Length rules are the server's and live in `isValidGenericId`. */
export const GenericIdSchema = z.string().regex(/^[1-5][0-9]*$/, "a generic id is digits starting with 1–5");

/** True for ids obshell would accept syntactically: prefix 2/4 need > 16 digits, 3/5 need > 45 (§5.3). */
export function isValidGenericId(id: string): boolean {
  if (!/^[1-5][0-9]*$/.test(id)) return false;
  const prefix = id[0];
  if (prefix === "2" || prefix === "4") return id.length > 16;
  if (prefix === "3" || prefix === "5") return id.length > 45;
  return id.length > 1;
}

/** OBProxy task ids (prefix 4 or 5) need the agent password (`X-OCS-Agent-Header`, §2.3). */
export function isObproxyTaskId(id: string): boolean {
  return id.startsWith("4") || id.startsWith("5");
}

const AdditionalDataSchema = z.record(z.string(), z.unknown()).nullable().optional();

/**
 * What obshell's DAG, node and sub-task DTOs share after `name` (Go embeds one struct in all three, §5.1). Spread in
 * wire order: the simulator's answers are rendered through these schemas, so the key order is the wire's.
 */
const STATE_AND_TIMES = {
  state: DagStateSchema,
  operator: DagOperatorSchema,
  start_time: z.string(),
  end_time: z.string(),
  additional_data: AdditionalDataSchema,
};

export const TaskDetailSchema = z.looseObject({
  id: z.string(),
  task_id: z.number().int(),
  name: z.string(),
  ...STATE_AND_TIMES,
  execute_times: z.number().int(),
  execute_agent: AgentInfoSchema,
  task_logs: z.array(z.string()).nullable(),
});
export type TaskDetail = z.infer<typeof TaskDetailSchema>;

export const NodeDetailSchema = z.looseObject({
  id: z.string(),
  node_id: z.number().int(),
  name: z.string(),
  ...STATE_AND_TIMES,
  sub_tasks: z.array(TaskDetailSchema).nullable(),
});
export type NodeDetail = z.infer<typeof NodeDetailSchema>;

export const DagDetailSchema = z.looseObject({
  id: GenericIdSchema,
  dag_id: z.number().int(),
  name: z.string(),
  stage: z.number().int(),
  max_stage: z.number().int(),
  maintenance_type: z.number().int(),
  maintenance_key: z.string(),
  ...STATE_AND_TIMES,
  nodes: z.array(NodeDetailSchema).nullable(),
});
export type DagDetail = z.infer<typeof DagDetailSchema>;

/** A Go slice in `data` is wrapped as `{contents: [...]}` (IterableData, §1.2). */
export const DagListSchema = z.looseObject({ contents: z.array(DagDetailSchema).nullable() });

// ---------------------------------------------------------------------------------------------------------------
// Request bodies (§3.2, §4.1, §4.5, §5.5). Snake-case keys exactly as obshell binds them.

const PortSchema = z.number().int();

/** `AddObproxyParam`. `home_path` is required; ports default server-side to 2883/2885/2884. */
export const AddObproxyParamsSchema = z.object({
  home_path: z.string().min(1),
  name: z.string().optional(),
  sql_port: PortSchema.nullable().optional(),
  rpc_port: PortSchema.nullable().optional(),
  exporter_port: PortSchema.nullable().optional(),
  proxyro_password: z.string().optional(),
  obproxy_sys_password: z.string().optional(),
  rs_list: z.string().nullable().optional(),
  config_url: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.string()).nullable().optional(),
});
export type AddObproxyParams = z.infer<typeof AddObproxyParamsSchema>;

/** `UpgradeObproxyParam`. */
export const UpgradeObproxyParamsSchema = z.object({
  version: z.string().min(1),
  release: z.string().min(1),
  upgrade_dir: z.string().optional(),
});
export type UpgradeObproxyParams = z.infer<typeof UpgradeObproxyParamsSchema>;

/** `DagOperator` body of `POST /api/v1/task/dag/:id`. */
export const OperateDagParamsSchema = z.object({ operator: z.string().min(1) });
export type OperateDagParams = z.infer<typeof OperateDagParamsSchema>;

/** `SetAgentPasswordParam` body of `POST /api/v1/agent/password`. */
export const SetAgentPasswordParamsSchema = z.object({ password: z.string().min(1) });
export type SetAgentPasswordParams = z.infer<typeof SetAgentPasswordParamsSchema>;

/** `UpgradePkgInfo` from `POST /api/v1/obproxy/package`: Go field names, no JSON tags (§4.6). */
export const UpgradePkgInfoSchema = z.looseObject({
  PkgId: z.number().int(),
  Name: z.string(),
  Version: z.string(),
  ReleaseDistribution: z.string(),
  Distribution: z.string(),
  Release: z.string(),
  Architecture: z.string(),
  Size: z.number(),
  PayloadSize: z.number(),
  ChunkCount: z.number().int(),
  Md5: z.string(),
  GmtModify: z.string(),
});
export type UpgradePkgInfo = z.infer<typeof UpgradePkgInfoSchema>;

// ---------------------------------------------------------------------------------------------------------------
// The encrypted header's JSON (§2.3), as clients build it. The server-side decoder (case-insensitive keys, `Ts` must
// be a string, `Keys` standard base64) lives in the simulator, because only a server needs Go's decoding rules.

/** Fields of the `X-OCS-Agent-Header` / `X-OCS-Header` JSON as sent by a client. */
export interface AuthHeaderFields {
  /** Plain-text password: the agent password for `X-OCS-Agent-Header`. */
  auth: string;
  /** Expiry in unix seconds, as a decimal string. */
  ts: string;
  /** The exact request target: path plus `?query`. */
  uri: string;
  /** base64(AES key ‖ IV), or null when the request has no body (Go SDK style). */
  keys: string | null;
}

/** Header names (§2.3). */
export const AGENT_HEADER = "X-OCS-Agent-Header";
export const OCEANBASE_HEADER = "X-OCS-Header";
export const TRACE_HEADER = "X-OBSHELL-Trace-ID";

/** The oldest obshell with the OBProxy API and `X-OCS-Agent-Header` (§6). */
export const MIN_OBPROXY_AGENT_VERSION = "4.2.6.0";

/** Compare dotted numeric versions (`4.2.6.0` < `4.10.0.0`); missing parts count as 0, non-numeric parts as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

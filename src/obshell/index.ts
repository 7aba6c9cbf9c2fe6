/**
 * `pulumi-obproxy/obshell`: the obshell client — typed operations on one agent, its errors, DAG helpers and the
 * wire types. Named exports only: what is not listed here (poll schedule, envelope parsing, transport, DAG log
 * parsing) is internal and may change in any release. test/unit/api-exports.test.ts pins this list.
 *
 * Loads nothing of @pulumi/pulumi, and undici only when the first request is sent.
 */
export { createObshellClient, type ObshellClient } from "./client";
export type { ObshellClientOptions, ObshellTlsOptions, CallOptions } from "./options";
export { systemClock, type Clock } from "./clock";
export {
  ObshellError,
  ObshellApiError,
  NetworkError,
  RequestTimeoutError,
  ResponseShapeError,
  ObshellVersionError,
  KeyPinMismatchError,
  ConfigError,
  DagFailedError,
  DagTimeoutError,
  isObshellError,
  isObshellApiError,
  isNetworkError,
  isRequestTimeoutError,
  isResponseShapeError,
  isObshellVersionError,
  isKeyPinMismatchError,
  isConfigError,
  isDagFailedError,
  isDagTimeoutError,
  type NetworkErrorKind,
  type ObshellApiErrorFields,
  type DagFailedFields,
} from "./errors";
export {
  isDagFinished,
  isObproxyMaintenanceDag,
  currentTaskName,
  progressOf,
  type WaitForDagOptions,
  type DagProgress,
} from "./dag";
/** The default of the client option `taskMinDurationsMs` (obshell's known minimum task durations). */
export { OBSHELL_TASK_MIN_DURATIONS_MS } from "./poll-schedule";
export {
  ErrCode,
  LegacyCode,
  MaintenanceType,
  OBPROXY_DAGS,
  MIN_OBPROXY_AGENT_VERSION,
  type AddObproxyParams,
  type UpgradeObproxyParams,
  type UpgradePkgInfo,
  type AgentStatusInfo,
  type AgentServiceStatus,
  type AgentSecret,
  type DagDetail,
  type NodeDetail,
  type TaskDetail,
  type DagState,
  type DagOperator,
  type OperateDagOperator,
  type AgentIdentity,
  type ObproxyDagKind,
} from "./schemas";

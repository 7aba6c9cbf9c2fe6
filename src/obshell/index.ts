/** The obshell client: typed operations on one agent, its errors, DAG waiting, and the wire schemas. */
export { createObshellClient, type ObshellClient, type ClientInternals } from "./client";
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
export { parseErrorLogLine, failedSubTasks } from "./dag-failure";
export { nextPollDelay, planPollDelay, dagTimeline, OBSHELL_NODE_MIN_MS, OBSHELL_TASK_MIN_DURATIONS_MS, type PollScheduleInput, type PollPlanInput, type DagTimeline, type NodeTiming } from "./poll-schedule";
export {
  ErrCode,
  LegacyCode,
  MaintenanceType,
  OBPROXY_DAGS,
  MIN_OBPROXY_AGENT_VERSION,
  compareVersions,
  isValidGenericId,
  isObproxyTaskId,
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

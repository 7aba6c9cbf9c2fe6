/**
 * The simulator's error values, each carrying both wire generations: the ≥4.3.1.0 form (errCode, status, legacy
 * code, message) and the ≤4.3.0.x numeric form (code, status, message) read from obshell 737982a. Handlers throw
 * `SimApiError`; only `envelope.ts` decides which form goes on the wire.
 */
import { ErrCode, LegacyCode } from "../obshell/schemas";

/** The ≤4.3.0.x error form: numeric code only. */
export interface NumericErrorForm {
  status: number;
  code: number;
  message: string;
}

/** An obshell API error as a value; thrown by state and handlers, rendered by the envelope per version. */
export class SimApiError extends Error {
  override readonly name = "SimApiError";
  constructor(
    readonly status: number,
    readonly errCode: string,
    message: string,
    /** The legacy number of ≥4.3.1.0 (omitted on the wire when undefined). */
    readonly legacyCode: number | undefined,
    /** The ≤4.3.0.x form. */
    readonly numeric: NumericErrorForm,
  ) {
    super(message);
  }
}

/** Old (≤4.3.0) numeric codes (Appendix A). */
const Old = { BadRequest: 1000, IllegalArgument: 1001, Unexpected: 1002, Known: 1010, Unauthorized: 10008, TaskNotFound: 2300, TaskCreateFailed: 2301 } as const;

const oldBad = (m: string): NumericErrorForm => ({ status: 400, code: Old.BadRequest, message: `Bad request: ${m}` });
const oldAuth = (m: string): NumericErrorForm => ({ status: 401, code: Old.Unauthorized, message: `Verification failed: ${m}` });
const known = (m: string): NumericErrorForm => ({ status: 500, code: Old.Known, message: `Known error: ${m}` });
const raw = (m: string): NumericErrorForm => ({ status: 400, code: Old.BadRequest, message: m });
const oldUnexpected = (m: string): NumericErrorForm => ({ status: 500, code: Old.Unexpected, message: `Unexpected error: ${m}` });

function mk(status: number, errCode: string, message: string, legacy: number | undefined, numeric: NumericErrorForm): SimApiError {
  return new SimApiError(status, errCode, message, legacy, numeric);
}

/** `WrapRetain(Common.Unauthorized, inner)`: keeps the inner code and status, prefixes "Unauthorized: " (§1.2). */
export function unauthorized(inner: SimApiError, oldReason: string): SimApiError {
  return mk(inner.status, inner.errCode, `Unauthorized: ${inner.message}`, inner.legacyCode, oldAuth(oldReason));
}

/** `errors.Wrap(err, msg)`: keeps the inner code, prefixes `msg: `. */
export function wrap(inner: SimApiError, prefix: string): SimApiError {
  return mk(inner.status, inner.errCode, `${prefix}: ${inner.message}`, inner.legacyCode, inner.numeric);
}

const U = LegacyCode.Unauthorized;

function lockTakenText(version: string): string {
  return version.startsWith("4.2.") ? "failed to set status to 4: agent status is not 1" : "failed to start maintenance: agent is under maintenance";
}

/** Factories for every error the simulator answers with. Messages follow `ob/agent/assets/i18n/error/en.json`. */
export const E = {
  headerNotFound: (obproxyRoute = false) =>
    mk(400, ErrCode.HeaderNotFound, "X-OCS-Agent-Header or X-OCS-Header not found in http request header", undefined,
      // 4.2.6.0 really spells "aegnt" for obproxy routes.
      oldAuth(obproxyRoute ? "aegnt header not found" : "header not found")),
  decryptFailed: (goErr: string) =>
    mk(401, ErrCode.HeaderDecryptFailed, `Decrypt http header failed: ${goErr}`, LegacyCode.DecryptError, oldAuth("header decrypt failed")),
  uriMismatch: () => mk(401, ErrCode.UriMismatch, "URI mismatch", U, oldAuth("uri mismatch")),
  withAgentPassword: (reason: string) =>
    unauthorized(mk(401, ErrCode.WithAgentPassword, `Should use agent_password to verify: ${reason}`, U, oldAuth(reason)), "Please use agent password to verify"),
  withObPassword: (reason: string) =>
    unauthorized(mk(401, ErrCode.WithOceanBasePassword, `Should use oceanbase_password to verify: ${reason}`, U, oldAuth(reason)), `${reason}, use oceanbase password to verify`),
  agentPasswordNotInitialized: () =>
    unauthorized(mk(401, ErrCode.AgentPasswordNotInitialized, "Agent password is not initialized", U, oldAuth("")), "agent password is not initialized"),
  timestampInvalid: (ts: string, goErr: string) =>
    unauthorized(mk(401, ErrCode.TimestampInvalid, `Invalid timestamp: ${ts}, err: ${goErr}`, U, oldAuth("")), goErr),
  expired: () => unauthorized(mk(401, ErrCode.Expired, "Authentication expired", U, oldAuth("")), "auth expired"),
  incorrectAgentPassword: () =>
    unauthorized(mk(401, ErrCode.IncorrectAgentPassword, "Agent password is incorrect", U, oldAuth("")), "access denied: agent password is incorrect"),
  bodyReadFailed: (m: string) => mk(400, ErrCode.BodyReadFailed, `Failed to read request body: ${m}`, undefined, oldAuth("read body failed")),
  aesKeyIvInvalid: () =>
    unauthorized(mk(500, ErrCode.AesKeyAndIvInvalid, "AES key and IV size error", undefined, oldAuth("")), "body decrypt failed"),
  aesContentLength: () =>
    unauthorized(mk(500, ErrCode.AesContentLengthInvalid, "Decrypted string length is not a multiple of the block size", undefined, oldAuth("")), "body decrypt failed"),
  bindJson: (text: string) =>
    mk(400, ErrCode.BindJsonFailed, `Bind JSON failed: ${text}`, undefined, { status: 400, code: Old.IllegalArgument, message: `Illegal argument: ${text}` }),
  routeNotFound: () => mk(404, ErrCode.NotFound, "Element not found: 404 not found", undefined, oldBad("404 not found")),
  unexpected: (m: string) => mk(500, ErrCode.Unexpected, `Unexpected error: ${m}`, undefined, oldUnexpected(m)),
  /** A plain Go error reaching the response: Common.Unexpected with the raw text (§1.2). */
  rawGoError: (m: string) => mk(500, ErrCode.Unexpected, m, undefined, oldUnexpected(m)),
  fileMissing: (field: string, m: string) => mk(500, ErrCode.FileMissing, `File '${field}' in the request is missing: ${m}`, undefined, oldUnexpected(m)),
  illegalArgument: (m: string) => mk(400, ErrCode.IllegalArgument, `Illegal argument: ${m}`, undefined, { status: 400, code: Old.IllegalArgument, message: `Illegal argument: ${m}` }),
  // OBProxy (§4). 4.2.6.0 used 1000 "Bad request: <free text>".
  alreadyManaged: () => mk(400, ErrCode.ObproxyAlreadyManaged, "Agent has already managed OBProxy", undefined, oldBad("agent has already managed obproxy")),
  notBeManaged: () => mk(400, ErrCode.ObproxyNotBeManaged, "This is not an OBProxy agent", undefined, oldBad("This is not an obproxy agent")),
  notRunning: () => mk(400, ErrCode.ObproxyNotRunning, "OBProxy is not running", undefined, oldBad("obproxy is not running")),
  // Home path checks (§4.1 step 2). The numeric form holds 4.2.6.0's raw Go text; only invalidHomePath renders it.
  pathNotExist: (p: string) => mk(400, ErrCode.PathNotExist, `'${p}' does not exist`, undefined, raw(`stat ${p}: no such file or directory`)),
  pathNotDir: (p: string) => mk(400, ErrCode.PathNotDir, `'${p}' is not a directory`, undefined, raw(`path '${p}' is not a directory`)),
  permissionDenied: (p: string) =>
    mk(400, ErrCode.FilePermissionDenied, `No read/write permission for file '${p}'`, undefined, raw(`no read/write permission for directory '${p}'`)),
  dirNotEmpty: (p: string) => mk(500, ErrCode.DirNotEmpty, `Directory '${p}' is not empty`, undefined, raw("obproxy etc directory is not empty")),
  /** `errors.Wrap(err, "invalid obproxy home path")`; ≤4.3.0: 1000 "Bad request: invalid obproxy home path: <err>". */
  invalidHomePath: (inner: SimApiError) =>
    mk(inner.status, inner.errCode, `invalid obproxy home path: ${inner.message}`, inner.legacyCode, oldBad(`invalid obproxy home path: ${inner.numeric.message}`)),
  invalidPort: (p: string) => mk(400, ErrCode.InvalidPort, `The port '${p}' is invalid, must be in [1024, 65535]`, undefined, oldBad(`invalid port: ${p}`)),
  invalidPath: (p: string, why: string) => mk(400, ErrCode.InvalidPath, `Path '${p}' is not valid: ${why}`, undefined, oldBad(`invalid path ${p}: ${why}`)),
  versionNotSupported: (v: string) =>
    mk(400, ErrCode.ObproxyVersionNotSupported, `OBProxy version ${v} is lower than the minimum supported version 4.0.0`, undefined,
      oldBad(`obproxy version ${v} is lower than the minimum supported version 4.0.0`)),
  versionOutputUnexpected: (out: string) =>
    mk(500, ErrCode.ObproxyVersionOutputUnexpected, `Version not found in output: ${out}`, undefined, oldBad(`get obproxy version failed: version not found in output: ${out}`)),
  rsConflicted: () =>
    mk(400, ErrCode.RsListAndConfigUrlConflicted, "rs_list and config_url cannot be specified at the same time", undefined, oldBad("rs_list and config_url can not be specified at the same time")),
  rsNotSpecified: () =>
    mk(400, ErrCode.RsListOrConfigUrlNotSpecified, "rs_list or config_url must be specified when agent is not cluster agent", undefined, oldBad("rs_list or config_url must be specified when agent is not cluster agent")),
  upgradeToLower: (target: string, current: string) =>
    mk(400, ErrCode.ObproxyUpgradeToLowerVersion, `Target version ${target} is not greater than current version ${current}. Please verify if the parameters have been filled out correctly`, undefined, oldBad(`target version ${target} is not greater than current version ${current}`)),
  releaseFormatInvalid: (r: string) => mk(400, ErrCode.ReleaseFormatInvalid, `Release format ${r} is illegal`, undefined, oldBad(`release format ${r} is illegal`)),
  packageNotFound: (name: string) => mk(400, ErrCode.ObproxyPackageNotFound, `Package ${name} is not found`, undefined, oldBad(`package ${name} is not found`)),
  packageMissingFiles: (files: string[]) => mk(400, ErrCode.ObproxyPackageNotFound, `These files are missing: '[${files.join(" ")}]'`, undefined, oldBad(`these files are missing: [${files.join(" ")}]`)),
  packageNameInvalid: (name: string) => mk(400, ErrCode.ObproxyPackageNameInvalid, `Unsupported name '${name}', the supported name is 'obproxy-ce'`, undefined, oldBad(`unsupported name '${name}'`)),
  /**
   * The OBProxy lock is held when a maintenance DAG is created (§4.1 step 9). ≤4.3.0 failed inside the sqlite
   * transaction with a plain error that the handler turned into 1002 (text per version, from 737982a and 32187ba).
   */
  underMaintenance: (dagName: string, ipPort: string, version: string) =>
    mk(500, ErrCode.UnderMaintenance, `Create task '${dagName}' failed: ${ipPort} is under maintenance`, undefined,
      oldUnexpected(lockTakenText(version))),
  /** A RETRY that must take the OBProxy lock back while another DAG holds it. */
  agentUnderMaintenance: (ipPort: string, version: string) =>
    mk(500, ErrCode.UnderMaintenance, `${ipPort} is under maintenance`, undefined, oldUnexpected(lockTakenText(version))),
  // Tasks (§5).
  taskNotFound: (detail: string) =>
    mk(404, ErrCode.TaskNotFound, `Task not found: ${detail}`, undefined, { status: 404, code: Old.TaskNotFound, message: `Task not found: ${detail}` }),
  genericIdInvalid: (id: string) => mk(400, ErrCode.GenericIdInvalid, `Invalid ID: ${id}`, undefined, oldBad(`invalid id: ${id}`)),
  // Operators (§5.5). ≤4.3.0 answered 500/1010 "Known error: <plain text>" (737982a, 32187ba executor/task/dag.go).
  operatorNotSupport: (op: string) => mk(400, ErrCode.OperatorNotSupport, `Operator ${op} is not supported`, undefined, known(`invalid operator: ${op}`)),
  retryNotFailed: () => mk(400, ErrCode.RetryNotFailedDag, "Failed to set DAG retry: DAG state is not failed", undefined, known("failed to set dag retry: dag state is not failed")),
  rollbackNotFailed: () =>
    mk(400, ErrCode.RollbackNotFailedDag, "Failed to set DAG rollback: DAG state is not failed", undefined, known("failed to set dag rollback: dag state is not failed")),
  passNotFailed: () => mk(400, ErrCode.PassNotFailedDag, "Failed to pass DAG: DAG is not failed", undefined, known("failed to pass dag: dag is not failed")),
  cancelFinished: () => mk(400, ErrCode.CancelFinishedDag, "Failed to cancel DAG: DAG is finished", undefined, known("failed to cancel dag: dag is finished")),
  retryNotAllowed: (node: string) =>
    mk(400, ErrCode.RetryNotAllowed, `Failed to set DAG retry: node ${node} cannot retry`, undefined, known(`failed to set dag retry: ${node} can not retry`)),
  rollbackNotAllowed: (node: string, nodeId: number) =>
    mk(400, ErrCode.RollbackNotAllowed, `Failed to set DAG rollback: node ${node} cannot rollback`, undefined,
      known(`failed to set dag rollback: node ${nodeId}. ${node} can not rollback`)),
  cancelNotAllowed: (node: string) =>
    mk(400, ErrCode.CancelNotAllowed, `Failed to cancel DAG: node ${node} cannot cancel`, undefined, known(`failed to cancel dag: ${node} can not cancel`)),
  passNotAllowed: (node: string) => mk(400, ErrCode.PassNotAllowed, `Failed to pass DAG: node ${node} cannot pass`, undefined, known(`failed to pass dag: ${node} can not pass`)),
} as const;

/** A task failure as the DAG log records it: `ERROR: [<errCode>]: <message>` (§5.1). */
export class TaskFailure extends Error {
  override readonly name = "TaskFailure";
  constructor(readonly errCode: string, message: string) {
    super(message);
  }
}

/**
 * Errors of the obshell client. ky-style: one base class, a literal `name` per class, facts as fields, the
 * underlying error as `cause`, and `isXxxError()` guards that accept an error from another copy of this package
 * (the Pulumi provider process may load its own copy). The base carries a brand (`isObshellError`, as ky's
 * `isKyError`), so a guard checks `instanceof`, or the brand plus the class name: a new subclass needs no registry.
 *
 * No field or message ever carries a password, a key or a header value: the client builds every message from
 * facts it chose, never from the request it sent.
 */
import type { DagDetail, DagOperator, DagState } from "./schemas";

/** Base of every error this client throws. */
export class ObshellError extends Error {
  override readonly name: string = "ObshellError";
  /** The brand every error of this client carries, whichever copy of the package built it. */
  get isObshellError(): true {
    return true;
  }
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** Facts of an obshell error envelope. */
export interface ObshellApiErrorFields {
  status: number;
  /** String code (obshell ≥ 4.3.1.0), e.g. `Agent.UnderMaintenance`. */
  errCode?: string;
  /** Numeric code: the only code up to 4.3.0.x, a legacy extra (1, 10008) after. */
  code?: number;
  /** obshell's own message. */
  apiMessage: string;
  subErrors?: unknown[];
  traceId: string;
  method: string;
  /** Request path without the query. */
  path: string;
  /** What to do about it, when we know. */
  hint?: string;
}

/** obshell answered with an error envelope (or a 4xx/5xx without one). */
export class ObshellApiError extends ObshellError {
  override readonly name = "ObshellApiError";
  readonly status: number;
  readonly errCode?: string;
  readonly code?: number;
  readonly subErrors?: unknown[];
  readonly traceId: string;
  readonly method: string;
  readonly path: string;
  readonly hint?: string;
  /** obshell's message alone (`message` adds method, path, code and hint). */
  readonly apiMessage: string;
  constructor(f: ObshellApiErrorFields, options?: { cause?: unknown }) {
    const code = f.errCode ?? (f.code !== undefined ? String(f.code) : "no code");
    super(`${f.method} ${f.path} failed: ${f.status} ${code}: ${f.apiMessage}${f.hint ? `. ${f.hint}` : ""}`, options);
    this.status = f.status;
    this.apiMessage = f.apiMessage;
    if (f.errCode !== undefined) this.errCode = f.errCode;
    if (f.code !== undefined) this.code = f.code;
    if (f.subErrors !== undefined) this.subErrors = f.subErrors;
    this.traceId = f.traceId;
    this.method = f.method;
    this.path = f.path;
    if (f.hint !== undefined) this.hint = f.hint;
  }
}

/** How a connection failed. */
export type NetworkErrorKind = "refused" | "reset" | "tls" | "dns" | "timeout" | "aborted" | "other";

// Each class below assigns its own facts in its constructor. The constructors look alike (duplicates reports them)
// but carry different fields: an explicit, readonly field per fact is what callers and `util.inspect` read.

/** The agent could not be reached, or the exchange broke off. */
export class NetworkError extends ObshellError {
  override readonly name: string = "NetworkError";
  readonly endpoint: string;
  readonly kind: NetworkErrorKind;
  constructor(endpoint: string, kind: NetworkErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.endpoint = endpoint;
    this.kind = kind;
  }
}

/**
 * One attempt took longer than its timeout, or the call's deadline (`CallOptions.deadline`) cut it short or left no
 * time to send it (`byDeadline`). A NetworkError of kind "timeout". `what` is the request ("DELETE /api/v1/obproxy").
 */
export class RequestTimeoutError extends NetworkError {
  override readonly name = "RequestTimeoutError";
  readonly timeoutMs: number;
  /** The request that was in flight (or about to be sent), e.g. "DELETE /api/v1/obproxy". */
  readonly what: string;
  /** True when the caller's deadline, not the per-request timeout, ended the attempt. */
  readonly byDeadline: boolean;
  constructor(endpoint: string, timeoutMs: number, what: string, options?: { cause?: unknown; byDeadline?: boolean }) {
    const text = !options?.byDeadline
      ? `${what}: no complete answer from ${endpoint} within ${timeoutMs} ms`
      : timeoutMs > 0
        ? `${what}: no complete answer from ${endpoint} within the ${timeoutMs} ms left before the call's deadline`
        : `${what}: not sent to ${endpoint}: the call's deadline had passed`;
    super(endpoint, "timeout", text, options?.cause === undefined ? undefined : { cause: options.cause });
    this.timeoutMs = timeoutMs;
    this.what = what;
    this.byDeadline = options?.byDeadline === true;
  }
}

/** The agent answered something that is not what obshell sends (not JSON, truncated, too large, wrong shape). */
export class ResponseShapeError extends ObshellError {
  override readonly name = "ResponseShapeError";
  readonly method: string;
  readonly path: string;
  readonly status: number;
  constructor(f: { method: string; path: string; status: number; problem: string }, options?: { cause?: unknown }) {
    super(`${f.method} ${f.path}: unexpected answer (HTTP ${f.status}): ${f.problem}`, options);
    this.method = f.method;
    this.path = f.path;
    this.status = f.status;
  }
}

/** The agent is older than the OBProxy API. */
export class ObshellVersionError extends ObshellError {
  override readonly name = "ObshellVersionError";
  readonly version: string;
  readonly minimum: string;
  constructor(version: string, minimum: string) {
    super(`obshell ${version} has no OBProxy API: it needs obshell ≥ ${minimum}; upgrade obshell on that host`);
    this.version = version;
    this.minimum = minimum;
  }
}

/** The agent's public key differs from the pinned one. Raised before any password is sent. */
export class KeyPinMismatchError extends ObshellError {
  override readonly name = "KeyPinMismatchError";
  readonly endpoint: string;
  /** SHA-256 hex of the key the agent published (a fingerprint, not the key). */
  readonly actualFingerprint: string;
  constructor(endpoint: string, actualFingerprint: string) {
    super(
      `the public key of ${endpoint} (sha256:${actualFingerprint}) is not the pinned one; no password was sent. ` +
        `If the agent's key was regenerated (obshell ≥ 4.4.2.0 replaces 512-bit keys on start), update the pin`,
    );
    this.endpoint = endpoint;
    this.actualFingerprint = actualFingerprint;
  }
}

/** An option is invalid. */
export class ConfigError extends ObshellError {
  override readonly name = "ConfigError";
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** Facts of a FAILED DAG. */
export interface DagFailedFields {
  dagId: string;
  dagName: string;
  state: DagState;
  operator: DagOperator;
  /** Name of the first failed sub task (or node). */
  failedTask?: string;
  /** The last log lines of each failed sub task, in order. */
  failedTaskLogs: string[];
  /** Parsed from the final `ERROR: [code]: message` line. */
  errCode?: string;
  errMessage?: string;
  /** How to go on (retry, pass, rollback, destroy again). */
  hint: string;
  /** The DAG as last read. */
  dag: DagDetail;
}

/** A DAG ended FAILED (including cancelled: operator CANCEL). */
export class DagFailedError extends ObshellError {
  override readonly name = "DagFailedError";
  readonly dagId: string;
  readonly dagName: string;
  readonly state: DagState;
  readonly operator: DagOperator;
  readonly failedTask?: string;
  readonly failedTaskLogs: string[];
  readonly errCode?: string;
  readonly errMessage?: string;
  readonly hint: string;
  readonly dag: DagDetail;
  constructor(message: string, f: DagFailedFields) {
    super(message);
    this.dagId = f.dagId;
    this.dagName = f.dagName;
    this.state = f.state;
    this.operator = f.operator;
    if (f.failedTask !== undefined) this.failedTask = f.failedTask;
    this.failedTaskLogs = f.failedTaskLogs;
    if (f.errCode !== undefined) this.errCode = f.errCode;
    if (f.errMessage !== undefined) this.errMessage = f.errMessage;
    this.hint = f.hint;
    this.dag = f.dag;
  }
}

/** The deadline passed while the DAG was still running. The DAG is left running (never cancelled). */
export class DagTimeoutError extends ObshellError {
  override readonly name = "DagTimeoutError";
  readonly dagId: string;
  readonly dagName: string;
  readonly stage: number;
  readonly maxStage: number;
  readonly taskName: string;
  /** The DAG as last read, if it was read at all. */
  readonly lastDag?: DagDetail;
  constructor(
    f: { dagId: string; dagName: string; stage: number; maxStage: number; taskName: string; lastDag?: DagDetail },
    options?: { cause?: unknown },
  ) {
    const where = f.maxStage > 0 ? ` at stage ${f.stage}/${f.maxStage}${f.taskName ? ` (${f.taskName})` : ""}` : "";
    super(`${f.dagName || "DAG"} ${f.dagId} still running${where} at the deadline; it keeps running in obshell`, options);
    this.dagId = f.dagId;
    this.dagName = f.dagName;
    this.stage = f.stage;
    this.maxStage = f.maxStage;
    this.taskName = f.taskName;
    if (f.lastDag !== undefined) this.lastDag = f.lastDag;
  }
}

/** True when `e` carries the brand of the base class (from this copy of the package or another). */
function isBranded(e: unknown): e is Error {
  return e instanceof Error && (e as { isObshellError?: unknown }).isObshellError === true;
}

/**
 * True when `e` is a `cls` built by another copy of the package: branded, and `cls`'s name is its own or one of its
 * ancestors' (a RequestTimeoutError is a NetworkError in either copy).
 */
function isForeign(e: unknown, cls: { name: string }): boolean {
  if (!isBranded(e)) return false;
  if (e.name === cls.name) return true;
  for (let p: unknown = Object.getPrototypeOf(e); p && p !== Error.prototype; p = Object.getPrototypeOf(p)) {
    if ((p as { constructor?: { name?: string } }).constructor?.name === cls.name) return true;
  }
  return false;
}

function guard<T>(cls: abstract new (...args: never[]) => T): (e: unknown) => e is T {
  return (e: unknown): e is T => e instanceof cls || isForeign(e, cls);
}

/** True for any error of this client. */
export const isObshellError = (e: unknown): e is ObshellError => e instanceof ObshellError || isBranded(e);
/** True for an error envelope from obshell. */
export const isObshellApiError = guard(ObshellApiError);
/** True for a transport failure (RequestTimeoutError included). */
export const isNetworkError = guard(NetworkError);
/** True for a per-attempt timeout. */
export const isRequestTimeoutError = guard(RequestTimeoutError);
/** True for an answer obshell would not send. */
export const isResponseShapeError = guard(ResponseShapeError);
/** True for an agent below the OBProxy API version. */
export const isObshellVersionError = guard(ObshellVersionError);
/** True for a public key that is not the pinned one. */
export const isKeyPinMismatchError = guard(KeyPinMismatchError);
/** True for an invalid option. */
export const isConfigError = guard(ConfigError);
/** True for a FAILED DAG. */
export const isDagFailedError = guard(DagFailedError);
/** True for a DAG still running at the deadline. */
export const isDagTimeoutError = guard(DagTimeoutError);

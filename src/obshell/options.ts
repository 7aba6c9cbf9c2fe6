/**
 * Public client options (all optional but the endpoint) and their resolved form (all set). Every default lives
 * here, once; the rest of the client never re-applies one.
 */
import { ConfigError } from "./errors";
import { OBSHELL_TASK_MIN_DURATIONS_MS } from "./poll-schedule";
import { systemClock, systemRandom, type Clock } from "./clock";

/** TLS settings for an https endpoint. */
export interface ObshellTlsOptions {
  /** CA certificate(s), PEM. @default the system store */
  ca?: string | Buffer;
  /** Client certificate for mutual TLS, PEM. */
  cert?: string | Buffer;
  /** Client key for mutual TLS, PEM. */
  key?: string | Buffer;
  /** Verify the agent's certificate. @default true */
  rejectUnauthorized?: boolean;
}

/** Options of `createObshellClient`. */
export interface ObshellClientOptions {
  /** `http://host:2886` or `https://…`; no path, query or credentials. */
  endpoint: string;
  /** The agent password, or a function read at call time (so a rotated password is picked up). Never logged. */
  agentPassword?: string | (() => string | undefined);
  /** TLS for https endpoints. */
  tls?: ObshellTlsOptions;
  /** Pin of the agent's public key: base64 PKCS#1 DER, or its SHA-256 hex (`sha256:` prefix allowed). */
  publicKeyPin?: string;
  /** Timeout of one attempt (connect to last body byte). @default 30_000 */
  requestTimeoutMs?: number;
  /** Largest accepted response body. @default 4 MiB */
  maxResponseBytes?: number;
  /** Extra attempts of a read (GET) after a transient failure. @default 3 */
  readRetries?: number;
  /** Header lifetime: `Ts` = agent now + this. @default 60 */
  headerLifetimeSec?: number;
  /** Time source. @default systemClock */
  clock?: Clock;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /** Debug lines; never a secret. @default none */
  log?: (line: string) => void;
  /**
   * Minimum durations of sub tasks by name, used by waitForDag to sleep through them instead of polling. Pass
   * scaled values (or `{}`) against a time-scaled simulator. @default obshell's: Start obproxy 10 s, Stop obproxy 5 s
   */
  taskMinDurationsMs?: Readonly<Record<string, number>>;
  /**
   * A deadline (epoch ms, `clock` scale) for every call of this client, read at each attempt: no attempt's timeout,
   * retry or backoff reaches past it. A function, so one operation can set it once it has computed its deadline.
   * A call's own `deadline` wins when earlier. @default none
   */
  deadline?: () => number | undefined;
  /** Aborts every call of this client (when a call passes no signal of its own). @default none */
  signal?: AbortSignal;
}

/** Options of one call. */
export interface CallOptions {
  /** Aborts the call (and its retries). */
  signal?: AbortSignal;
  /** Timeout of each attempt of this call. @default requestTimeoutMs */
  timeoutMs?: number;
  /**
   * Epoch ms (`clock` scale) after which nothing of this call runs: each attempt's timeout is capped by the time
   * left, no retry or backoff starts past it, and an attempt with no time left is not sent (RequestTimeoutError
   * with `byDeadline`).
   */
  deadline?: number;
}

/** The pin in normal form. */
export type KeyPin = { kind: "sha256"; hex: string } | { kind: "der"; der: Buffer };

/** Options with every default applied. */
export interface ResolvedOptions {
  /** Origin without a trailing slash, e.g. `http://127.0.0.1:2886`. */
  endpoint: string;
  protocol: "http:" | "https:";
  password: () => string | undefined;
  tls: ObshellTlsOptions;
  pin?: KeyPin;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  readRetries: number;
  headerLifetimeSec: number;
  clock: Clock;
  random: () => number;
  log: (line: string) => void;
  taskMinDurationsMs: Readonly<Record<string, number>>;
  deadline: () => number | undefined;
  signal?: AbortSignal;
}

/** Below this |skew| the agent's clock is trusted as ours (obshell's `Ts` has one-second resolution). */
export const SKEW_THRESHOLD_MS = 2_000;
/** First backoff of read retries; doubles per attempt, with jitter, up to the cap. */
export const RETRY_BASE_MS = 200;
export const RETRY_CAP_MS = 2_000;

/** Validates and completes the options. Throws ConfigError naming the field. */
export function resolveOptions(o: ObshellClientOptions): ResolvedOptions {
  if (!o || typeof o !== "object") throw new ConfigError("options", "must be an object");
  const { endpoint, protocol } = parseEndpoint(o.endpoint);
  const pw = o.agentPassword;
  if (pw !== undefined && typeof pw !== "string" && typeof pw !== "function") {
    throw new ConfigError("agentPassword", "must be a string or a function returning one");
  }
  const password = typeof pw === "function" ? pw : () => pw;
  return {
    endpoint,
    protocol,
    password,
    tls: { ...(o.tls ?? {}) },
    ...(o.publicKeyPin !== undefined ? { pin: parsePin(o.publicKeyPin) } : {}),
    requestTimeoutMs: positive("requestTimeoutMs", o.requestTimeoutMs, 30_000),
    maxResponseBytes: positive("maxResponseBytes", o.maxResponseBytes, 4 * 1024 * 1024),
    readRetries: nonNegativeInt("readRetries", o.readRetries, 3),
    headerLifetimeSec: positive("headerLifetimeSec", o.headerLifetimeSec, 60),
    clock: o.clock ?? systemClock,
    random: o.random ?? systemRandom,
    log: o.log ?? (() => undefined),
    taskMinDurationsMs: durations(o.taskMinDurationsMs),
    deadline: typeof o.deadline === "function" ? o.deadline : () => undefined,
    ...(o.signal ? { signal: o.signal } : {}),
  };
}

/** Parses the endpoint into an origin. obshell serves from the root, and the header binds the exact path. */
export function parseEndpoint(raw: unknown): { endpoint: string; protocol: "http:" | "https:" } {
  if (typeof raw !== "string" || raw.trim() === "") throw new ConfigError("endpoint", "must be a URL such as http://127.0.0.1:2886");
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError("endpoint", "is not a valid URL (expected http://host:port or https://host:port)");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError("endpoint", `protocol ${url.protocol} is not http: or https:`);
  // Never echo credentials found in the URL.
  if (url.username || url.password) throw new ConfigError("endpoint", "must not contain credentials; use agentPassword");
  if (url.pathname !== "/" && url.pathname !== "") {
    throw new ConfigError("endpoint", `has a path (${url.pathname}); obshell serves /api/v1 at the root and signs the exact path`);
  }
  if (url.search || url.hash) throw new ConfigError("endpoint", "must not have a query or fragment");
  if (!url.hostname) throw new ConfigError("endpoint", "has no host");
  return { endpoint: url.origin, protocol: url.protocol };
}

/** Accepts base64 PKCS#1 DER, or SHA-256 hex with an optional `sha256:` prefix. */
export function parsePin(raw: unknown): KeyPin {
  if (typeof raw !== "string" || raw.trim() === "") throw new ConfigError("publicKeyPin", "must be a non-empty string");
  const s = raw.trim();
  const hex = s.toLowerCase().startsWith("sha256:") ? s.slice(7) : s;
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return { kind: "sha256", hex: hex.toLowerCase() };
  if (s.toLowerCase().startsWith("sha256:")) throw new ConfigError("publicKeyPin", "sha256: must be followed by 64 hex digits");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s) || s.length % 4 !== 0) {
    throw new ConfigError("publicKeyPin", "is neither 64 hex digits (SHA-256) nor standard base64 (PKCS#1 DER)");
  }
  return { kind: "der", der: Buffer.from(s, "base64") };
}

function positive(field: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new ConfigError(field, "must be a positive number");
  return v;
}

function nonNegativeInt(field: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 0) throw new ConfigError(field, "must be a non-negative integer");
  return v;
}

function durations(v: Readonly<Record<string, number>> | undefined): Readonly<Record<string, number>> {
  if (v === undefined) return OBSHELL_TASK_MIN_DURATIONS_MS;
  if (typeof v !== "object" || v === null) throw new ConfigError("taskMinDurationsMs", "must be an object of task name → ms");
  for (const [k, ms] of Object.entries(v)) {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) throw new ConfigError("taskMinDurationsMs", `${k} must be a non-negative number of ms`);
  }
  return { ...v };
}

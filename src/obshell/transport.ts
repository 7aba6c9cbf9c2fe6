/**
 * HTTP to the agent on undici: one Agent (connection pools by origin) shared by every client with the same TLS and
 * connect settings (a fleet of clients in one process costs one dispatcher, not one each), a per-attempt timeout, the caller's abort
 * signal, a response size cap, network failures mapped to NetworkError naming the endpoint, and retries of reads
 * only. Envelope parsing lives in envelope.ts; header and body encryption in auth.ts.
 */
import { createHash } from "node:crypto";
import type { Agent } from "undici";
import { abortReason } from "./clock";
import { NetworkError, RequestTimeoutError, ResponseShapeError, type NetworkErrorKind } from "./errors";
import { RETRY_BASE_MS, RETRY_CAP_MS, type ResolvedOptions } from "./options";

/** One HTTP request as sent. `target` is the exact request target (path + query) that the header signs. */
export interface HttpRequest {
  method: "GET" | "POST" | "DELETE";
  target: string;
  headers: Record<string, string>;
  body?: string;
}

/** One HTTP answer, body read in full (within the size cap). */
export interface HttpResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

/** Per-attempt options. */
export interface AttemptOptions {
  signal?: AbortSignal;
  timeoutMs: number;
}

/** Sends requests to one endpoint. */
export interface HttpSender {
  send(req: HttpRequest, o: AttemptOptions): Promise<HttpResponse>;
  close(): Promise<void>;
}

/** Our marker for the per-attempt timer, to tell it from the caller's abort. */
const TIMEOUT = Symbol("attempt timeout");

/** One shared undici Agent and the clients using it. */
interface SharedAgent {
  agent: Agent;
  users: number;
}

/** Shared Agents by their settings' fingerprint (TLS material is hashed, never kept as a key). */
const sharedAgents = new Map<string, SharedAgent>();

function agentKey(opts: ResolvedOptions): string {
  const t = opts.tls;
  const h = createHash("sha256");
  for (const part of [t.ca, t.cert, t.key]) h.update(part === undefined ? "-" : Buffer.from(part as string | Buffer).toString("base64")).update("|");
  return `${h.digest("hex")}|${t.rejectUnauthorized !== false}|${Math.min(opts.requestTimeoutMs, 10_000)}`;
}

function newAgent(opts: ResolvedOptions): Agent {
  const tls = opts.tls;
  // Loaded on first use: the provider process often only checks and diffs, and undici is the slowest module to load.
  const { Agent: UndiciAgent } = require("undici") as typeof import("undici");
  return new UndiciAgent({
    // Shorter than any server idle timeout we know, so a POST rarely meets a socket the server already closed.
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 10_000,
    // One connection per agent: a fleet destroy holds one socket per agent, not three (the done-check's reads and a
    // first contact's key and clock reads queue behind each other for a round trip each), and undici then uses a
    // plain Client per origin instead of a Pool with a 2,048-slot queue: ~35 MB less at 1,000 agents (measured).
    connections: 1,
    connect: {
      timeout: Math.min(opts.requestTimeoutMs, 10_000),
      ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
      ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
      ...(tls.key !== undefined ? { key: tls.key } : {}),
      rejectUnauthorized: tls.rejectUnauthorized !== false,
    },
  });
}

/**
 * The undici sender for the resolved options, on the Agent shared by clients with the same settings. Closing the last
 * client of an Agent closes it; a client's close never cuts another client's requests.
 */
export function createUndiciSender(opts: ResolvedOptions): HttpSender {
  const key = agentKey(opts);
  let shared = sharedAgents.get(key);
  if (!shared) {
    shared = { agent: newAgent(opts), users: 0 };
    sharedAgents.set(key, shared);
  }
  shared.users++;
  const mine = shared;
  let closed = false;
  return {
    send: (req, o) => sendOnce(mine.agent, opts, req, o),
    close: async () => {
      if (closed) return;
      closed = true;
      if (--mine.users > 0) return;
      if (sharedAgents.get(key) === mine) sharedAgents.delete(key);
      await mine.agent.close().catch(() => mine.agent.destroy());
    },
  };
}

async function sendOnce(agent: Agent, opts: ResolvedOptions, req: HttpRequest, o: AttemptOptions): Promise<HttpResponse> {
  const what = `${req.method} ${pathOf(req.target)}`;
  if (o.signal?.aborted) throw aborted(opts.endpoint, what, o.signal);
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(o.signal?.reason);
  o.signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => ctl.abort(TIMEOUT), o.timeoutMs);
  try {
    const res = await agent.request({
      origin: opts.endpoint,
      path: req.target,
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      signal: ctl.signal,
      // Our own timer bounds the whole attempt; undici's would only fire later.
      headersTimeout: o.timeoutMs + 1_000,
      bodyTimeout: o.timeoutMs + 1_000,
    });
    const body = await readCapped(res.body, opts.maxResponseBytes, res.headers["content-length"], { method: req.method, path: pathOf(req.target), status: res.statusCode });
    const ct = res.headers["content-type"];
    return { status: res.statusCode, contentType: Array.isArray(ct) ? ct.join(", ") : (ct ?? ""), body };
  } catch (e) {
    if (e instanceof ResponseShapeError) throw e;
    if (ctl.signal.aborted && ctl.signal.reason === TIMEOUT) throw new RequestTimeoutError(opts.endpoint, o.timeoutMs, what);
    if (o.signal?.aborted) throw aborted(opts.endpoint, what, o.signal);
    throw networkError(opts.endpoint, what, e);
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener("abort", onAbort);
  }
}

type Body = AsyncIterable<Buffer | Uint8Array> & { destroy?(e?: Error): unknown; dump?(): Promise<unknown> };

async function readCapped(body: Body, cap: number, declared: string | string[] | undefined, at: { method: string; path: string; status: number }): Promise<Buffer> {
  const length = Number(Array.isArray(declared) ? declared[0] : declared);
  const tooLarge = (n: string) => new ResponseShapeError({ ...at, problem: `answer of ${n} bytes exceeds maxResponseBytes (${cap})` });
  if (Number.isFinite(length) && length > cap) {
    body.destroy?.();
    throw tooLarge(String(length));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > cap) {
      body.destroy?.();
      throw tooLarge(`more than ${cap}`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** The path of a request target, for messages (queries never hold secrets here, but keep messages short). */
export function pathOf(target: string): string {
  const q = target.indexOf("?");
  return q < 0 ? target : target.slice(0, q);
}

function aborted(endpoint: string, what: string, signal: AbortSignal): NetworkError {
  return new NetworkError(endpoint, "aborted", `${what} to ${endpoint} was aborted`, { cause: abortReason(signal) });
}

const KIND_BY_CODE: Record<string, NetworkErrorKind> = {
  ECONNREFUSED: "refused",
  ECONNRESET: "reset",
  EPIPE: "reset",
  UND_ERR_SOCKET: "reset",
  UND_ERR_CLOSED: "reset",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_NONAME: "dns",
  ETIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  EPROTO: "tls",
};

const KIND_TEXT: Record<NetworkErrorKind, string> = {
  refused: "connection refused (is obshell running and listening there?)",
  reset: "connection reset or closed before a complete answer",
  tls: "TLS handshake failed (check the CA, client certificate and https/http)",
  dns: "host name not found",
  timeout: "timed out",
  aborted: "aborted",
  other: "failed",
};

/** Classifies a transport failure by its code (looking through `cause` chains). */
export function classifyNetworkError(e: unknown): NetworkErrorKind {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = String((cur as { code?: unknown }).code ?? "");
    if (KIND_BY_CODE[code]) return KIND_BY_CODE[code];
    if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) || /certificate|SSL routines|TLS/i.test(String((cur as Error).message ?? ""))) return "tls";
  }
  return "other";
}

function networkError(endpoint: string, what: string, e: unknown): NetworkError {
  const kind = classifyNetworkError(e);
  const code = (e as { code?: unknown })?.code;
  const detail = typeof code === "string" ? ` [${code}]` : "";
  return new NetworkError(endpoint, kind, `${what} to ${endpoint}: ${KIND_TEXT[kind]}${detail}`, { cause: e });
}

/** Transient failures a read may retry: connection refused/reset, timeouts, and gateway answers 502/503/504. */
export function isTransient(e: unknown): boolean {
  if (e instanceof NetworkError) return e.kind === "refused" || e.kind === "reset" || e.kind === "timeout";
  const status = (e as { status?: unknown })?.status;
  const name = (e as { name?: unknown })?.name;
  return name === "ObshellApiError" && (status === 502 || status === 503 || status === 504);
}

/** Backoff before retry `attempt` (0-based): exponential from RETRY_BASE_MS, capped, with ±50 % jitter. */
export function retryDelayMs(attempt: number, random: () => number): number {
  const base = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** attempt);
  return Math.round(base * (0.5 + random()));
}

/**
 * Runs `attempt` once, or for reads up to `1 + retries` times while failures are transient, sleeping with backoff
 * between. Never retries a write: a DAG-creating request is sent at most once here. No backoff reaches past
 * `deadline` (epoch ms): a retry that could not start before it is not made.
 */
export async function withReadRetries<T>(
  idempotent: boolean,
  opts: ResolvedOptions,
  signal: AbortSignal | undefined,
  attempt: () => Promise<T>,
  deadline?: number,
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (!idempotent || i >= opts.readRetries || !isTransient(e) || signal?.aborted) throw e;
      if (e instanceof RequestTimeoutError && e.byDeadline) throw e;
      const delay = retryDelayMs(i, opts.random);
      if (deadline !== undefined && opts.clock.now() + delay >= deadline) throw e;
      opts.log(`retrying after ${(e as Error).name} (${(e as NetworkError).kind ?? (e as { status?: number }).status}) in ${delay} ms`);
      try {
        await opts.clock.sleep(delay, signal);
      } catch {
        throw signal?.aborted ? aborted(opts.endpoint, "retry of the request", signal) : e;
      }
    }
  }
}

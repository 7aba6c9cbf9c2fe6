/**
 * `X-OCS-Agent-Header` for every authenticated request: the agent's public key (fetched once per endpoint and process,
 * checked against each client's pin before any password leaves this process), the clock-skew offset (measured once
 * per endpoint from `GET /api/v1/time`, again after ten minutes or an expiry), a
 * fresh AES key per request for the body, and one resend after the agent rejected the header as undecryptable
 * (its key changed) or expired (the clocks moved). Both rejections happen before any handler runs, so nothing was
 * created and resending is safe even for a DAG-creating POST.
 */
import { abortReason, type Clock } from "./clock";
import { encodeAesKeys, encryptAuthHeader, encryptBody, generateAesKeys, parseAgentPublicKey, type AgentPublicKey } from "./crypto";
import { ConfigError, KeyPinMismatchError, NetworkError, ObshellApiError, ResponseShapeError } from "./errors";
import { isHeaderDecryptFailure, isHeaderExpired } from "./hints";
import type { CallOptions, KeyPin, ResolvedOptions } from "./options";
import { SKEW_THRESHOLD_MS } from "./options";
import { AGENT_HEADER, type AgentSecret } from "./schemas";
import type { HttpRequest } from "./transport";

/** An authenticated request before encryption. */
export interface AuthedSpec {
  method: "GET" | "POST" | "DELETE";
  /** Exact request target: path + query. */
  target: string;
  /** A JSON body. */
  json?: unknown;
  /** A raw body (multipart): encrypted as is, sent with this Content-Type. */
  raw?: { bytes: Buffer; contentType: string };
  /** Use this `auth` instead of the agent password (setting the first password on a SINGLE agent). */
  authOverride?: string;
}

/** What auth needs from the client: the two unauthenticated reads. */
export interface AuthDeps {
  fetchSecret(o: CallOptions): Promise<AgentSecret>;
  fetchTime(o: CallOptions): Promise<Date>;
}

/** What every client of one endpoint can share: the agent's key (fetch in flight or done) and the last skew. */
interface EndpointFacts {
  key?: Promise<AgentPublicKey>;
  skew?: { ms: number; at: number };
}

/** A measured skew is reused this long by later clients of the endpoint. */
const SKEW_REUSE_MS = 10 * 60_000;

/**
 * Facts by clock, then endpoint: a fleet destroy makes one client per resource, and each would otherwise fetch the
 * same key and time first (2 of a delete's requests). Keyed by clock so a test's fake clock never sees real facts.
 */
const factsByClock = new WeakMap<Clock, Map<string, EndpointFacts>>();

function endpointFacts(clock: Clock, endpoint: string): EndpointFacts {
  let byEndpoint = factsByClock.get(clock);
  if (!byEndpoint) factsByClock.set(clock, (byEndpoint = new Map()));
  let facts = byEndpoint.get(endpoint);
  if (!facts) byEndpoint.set(endpoint, (facts = {}));
  return facts;
}

/** Per-client authentication state. */
export class AgentAuth {
  private keyPromise?: Promise<AgentPublicKey>;
  /** The one skew measurement in flight or done; cleared to measure again. */
  private skewPromise?: Promise<void>;
  /** Agent clock minus ours, ms, as last measured (0 until then). */
  private rawSkewMs = 0;
  /** Password set through setAgentPassword; wins over the option so the client keeps working after a change. */
  passwordOverride?: string;

  private readonly facts: EndpointFacts;

  constructor(
    private readonly opts: ResolvedOptions,
    private readonly deps: AuthDeps,
  ) {
    this.facts = endpointFacts(opts.clock, opts.endpoint);
  }

  /** Measured skew (agent − local, ms); 0 before the first measurement. */
  get skewMs(): number {
    return this.rawSkewMs;
  }

  /** The skew applied to `Ts`: only beyond the threshold, below it is noise of the round trip. */
  get appliedSkewMs(): number {
    return Math.abs(this.rawSkewMs) > SKEW_THRESHOLD_MS ? this.rawSkewMs : 0;
  }

  /**
   * Sends `spec` through `exchange` with a fresh header per attempt; resends once after a decrypt failure (new key)
   * and once after an expiry (new skew). `exchange` builds its request with the function it is given.
   */
  async send<T>(spec: AuthedSpec, o: CallOptions, exchange: (build: () => HttpRequest) => Promise<T>): Promise<T> {
    const password = spec.authOverride ?? this.passwordOverride ?? this.opts.password();
    // An explicit override may be "" (the first password on a SINGLE agent); a missing agent password may not.
    if (password === undefined || (password === "" && spec.authOverride === undefined)) {
      throw new ConfigError("agentPassword", `no agent password given; ${spec.method} ${spec.target.split("?")[0]} needs the agent's password`);
    }
    let keyRefetched = false;
    let skewRemeasured = false;
    for (;;) {
      // Independent first-contact reads, sent together: one round trip, not two.
      const [key] = await Promise.all([this.publicKey(o), this.ensureSkew(o)]);
      try {
        return await exchange(() => this.build(spec, key, password));
      } catch (e) {
        if (!(e instanceof ObshellApiError)) throw e;
        if (!keyRefetched && isHeaderDecryptFailure(e)) {
          keyRefetched = true;
          this.forgetKey();
          this.opts.log(`header not decryptable by the agent; refetching its public key and resending ${spec.method} ${e.path} once`);
          continue;
        }
        if (!skewRemeasured && isHeaderExpired(e)) {
          skewRemeasured = true;
          this.skewPromise = undefined;
          delete this.facts.skew;
          this.opts.log(`header expired at the agent; measuring clock skew again and resending ${spec.method} ${e.path} once`);
          continue;
        }
        throw e;
      }
    }
  }

  /**
   * The agent's public key: fetched once per endpoint (shared by this process's clients), and again only after a
   * decrypt failure. Concurrent first calls share one fetch; it runs without any caller's signal (one caller giving
   * up must not fail the others), and each caller stops waiting when its own signal aborts. Each client checks its
   * own pin against the key, shared or not.
   */
  publicKey(o: CallOptions): Promise<AgentPublicKey> {
    if (!this.keyPromise) {
      let raw = this.facts.key;
      if (!raw) {
        const fetched = this.fetchKey(shared(o));
        this.facts.key = raw = fetched;
        // A failed fetch is not cached.
        fetched.catch(() => {
          if (this.facts.key === fetched) delete this.facts.key;
        });
      }
      const p = raw.then((key) => this.checkPin(key));
      this.keyPromise = p;
      p.catch(() => {
        if (this.keyPromise === p) this.keyPromise = undefined;
      });
    }
    return untilAborted(this.keyPromise, o.signal, this.opts.endpoint);
  }

  /** Drops the key here and for the endpoint: the agent no longer decrypts with it. */
  private forgetKey(): void {
    this.keyPromise = undefined;
    delete this.facts.key;
  }

  private async fetchKey(o: CallOptions): Promise<AgentPublicKey> {
    const secret = await this.deps.fetchSecret(o);
    try {
      return parseAgentPublicKey(secret.public_key);
    } catch (e) {
      throw new ResponseShapeError({ method: "GET", path: "/api/v1/secret", status: 200, problem: `public_key is not a PKCS#1 RSA key: ${(e as Error).message}` });
    }
  }

  private checkPin(key: AgentPublicKey): AgentPublicKey {
    if (this.opts.pin && !pinMatches(this.opts.pin, key)) throw new KeyPinMismatchError(this.opts.endpoint, key.fingerprint);
    this.opts.log(`agent public key: ${key.bits} bits, sha256:${key.fingerprint}`);
    return key;
  }

  /** Measures the skew once (and again after an expiry), shared like the key. A failed one is retried next call. */
  private ensureSkew(o: CallOptions): Promise<void> {
    if (!this.skewPromise) {
      const known = this.facts.skew;
      if (known && this.opts.clock.now() - known.at < SKEW_REUSE_MS) {
        this.rawSkewMs = known.ms;
        this.skewPromise = Promise.resolve();
      } else {
        this.skewPromise = this.measureSkew(shared(o));
      }
    }
    return untilAborted(this.skewPromise, o.signal, this.opts.endpoint);
  }

  private async measureSkew(o: CallOptions): Promise<void> {
    const t0 = this.opts.clock.now();
    let agent: Date;
    try {
      agent = await this.deps.fetchTime(o);
    } catch (e) {
      this.opts.log(`could not read the agent's time (${(e as Error).name}); assuming no clock skew for now`);
      this.skewPromise = undefined;
      return;
    }
    const t1 = this.opts.clock.now();
    this.rawSkewMs = Math.round(agent.getTime() - (t0 + t1) / 2);
    this.facts.skew = { ms: this.rawSkewMs, at: t1 };
    if (this.appliedSkewMs !== 0) this.opts.log(`agent clock differs by ${this.rawSkewMs} ms; correcting header timestamps`);
  }

  /** One encrypted request. */
  private build(spec: AuthedSpec, key: AgentPublicKey, password: string): HttpRequest {
    const ts = buildTs(this.opts.clock.now(), this.appliedSkewMs, this.opts.headerLifetimeSec);
    const plain = spec.raw ? spec.raw.bytes : spec.json !== undefined ? Buffer.from(JSON.stringify(spec.json), "utf8") : undefined;
    const aes = plain ? generateAesKeys() : undefined;
    const header = encryptAuthHeader({ auth: password, ts, uri: spec.target, keys: aes ? encodeAesKeys(aes) : null }, key);
    const headers: Record<string, string> = { [AGENT_HEADER]: header, "Accept-Language": "en" };
    if (spec.raw) headers["Content-Type"] = spec.raw.contentType;
    else if (plain) headers["Content-Type"] = "application/json";
    return { method: spec.method, target: spec.target, headers, ...(plain && aes ? { body: encryptBody(plain, aes) } : {}) };
  }
}

/** `Ts`: the header's expiry in unix seconds on the agent's clock, as a decimal string. */
export function buildTs(localNowMs: number, skewMs: number, lifetimeSec: number): string {
  return String(Math.floor((localNowMs + skewMs) / 1000) + Math.ceil(lifetimeSec));
}

/** True when the key is the pinned one (by DER bytes or by SHA-256 of the DER). */
export function pinMatches(pin: KeyPin, key: AgentPublicKey): boolean {
  return pin.kind === "sha256" ? pin.hex === key.fingerprint : pin.der.equals(key.der);
}

/** Call options of a fetch shared by several callers: their timeout and retry budget, but no caller's signal. */
function shared(o: CallOptions): CallOptions {
  const { signal: _signal, ...rest } = o;
  return rest;
}

/** `p`, or a NetworkError of kind "aborted" as soon as `signal` aborts. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined, endpoint: string): Promise<T> {
  if (!signal) return p;
  const aborted = () => new NetworkError(endpoint, "aborted", `the call to ${endpoint} was aborted`, { cause: abortReason(signal) });
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * The request pipeline shared by every operation: plain reads of the public routes (/info, /status, /secret,
 * /time: sent with no header, because obshell tries to decrypt any header on every route), and authenticated
 * requests through AgentAuth. Reads retry transient failures; writes are sent once (auth.ts may resend once after a
 * header rejection, which created nothing).
 */
import type { z } from "zod";
import { AgentAuth, type AuthedSpec } from "./auth";
import { parseAnswer, parseData, type ApiAnswer } from "./envelope";
import type { CallOptions, ResolvedOptions } from "./options";
import { AgentSecretSchema, AgentTimeSchema, type AgentSecret } from "./schemas";
import { RequestTimeoutError } from "./errors";
import { withReadRetries, type HttpRequest, type HttpSender } from "./transport";

/** Internal call options: the public ones plus a retry override (waitForDag rides out failures itself). */
export interface InternalCallOptions extends CallOptions {
  retries?: number;
}

/** The pipeline of one client. */
export class Api {
  readonly auth: AgentAuth;

  constructor(
    readonly opts: ResolvedOptions,
    private readonly sender: HttpSender,
  ) {
    this.auth = new AgentAuth(opts, {
      fetchSecret: (o) => this.read(AgentSecretSchema, "/api/v1/secret", o) as Promise<AgentSecret>,
      fetchTime: (o) => this.time(o),
    });
  }

  /** `GET /api/v1/time`: the agent's clock (RFC 3339 with nanoseconds and the agent's offset). */
  async time(o: InternalCallOptions = {}): Promise<Date> {
    return new Date(Date.parse(await this.read(AgentTimeSchema, "/api/v1/time", o)));
  }

  /**
   * Sends one request and parses its envelope; reads retry transient failures. The call's deadline (its own, or the
   * client's) caps each attempt's timeout and every retry, and an attempt with no time left is not sent.
   */
  private exchange(build: () => HttpRequest, o: InternalCallOptions): Promise<ApiAnswer> {
    const opts = o.retries === undefined ? this.opts : { ...this.opts, readRetries: o.retries };
    const timeoutMs = o.timeoutMs ?? this.opts.requestTimeoutMs;
    const deadline = earliest(o.deadline, this.opts.deadline());
    const signal = o.signal ?? this.opts.signal;
    const first = build();
    let req: HttpRequest | undefined = first;
    return withReadRetries(first.method === "GET", opts, signal, async () => {
      const r = req ?? build();
      req = undefined;
      const what = `${r.method} ${r.target.split("?")[0]}`;
      const left = deadline === undefined ? Infinity : deadline - this.opts.clock.now();
      if (left <= 0) throw new RequestTimeoutError(this.opts.endpoint, 0, what, { byDeadline: true });
      const capped = left < timeoutMs;
      const started = this.opts.clock.now();
      try {
        const res = await this.sender.send(r, { timeoutMs: Math.max(1, Math.min(timeoutMs, left)), ...(signal ? { signal } : {}) });
        const trace = `${what} → ${res.status} (${Math.round(this.opts.clock.now() - started)} ms)`;
        try {
          const answer = parseAnswer(res, { method: r.method, target: r.target });
          this.opts.log(trace);
          return answer;
        } catch (e) {
          const f = e as { errCode?: string; traceId?: string };
          this.opts.log(`${trace}${f.errCode ? ` errCode ${f.errCode}` : ""}${f.traceId ? ` traceId ${f.traceId}` : ""}`);
          throw e;
        }
      } catch (e) {
        // The deadline, not the request's own timeout, ended it: say so (callers report the operation's deadline).
        if (capped && e instanceof RequestTimeoutError) throw new RequestTimeoutError(this.opts.endpoint, Math.round(left), what, { byDeadline: true, cause: e });
        throw e;
      }
    }, deadline);
  }

  /** GET of a public route, no header. */
  async read<S extends z.ZodType>(schema: S, target: string, o: InternalCallOptions = {}): Promise<z.infer<S>> {
    const answer = await this.exchange(() => ({ method: "GET", target, headers: { "Accept-Language": "en" } }), o);
    return parseData(schema, answer, { method: "GET", target });
  }

  /** An authenticated request; returns the raw answer (204 has no envelope). */
  authed(spec: AuthedSpec, o: InternalCallOptions = {}): Promise<ApiAnswer> {
    return this.auth.send(spec, o, (build) => this.exchange(build, o));
  }

  /** An authenticated request whose `data` is parsed with `schema`. */
  async authedData<S extends z.ZodType>(schema: S, spec: AuthedSpec, o: InternalCallOptions = {}): Promise<z.infer<S>> {
    const answer = await this.authed(spec, o);
    return parseData(schema, answer, { method: spec.method, target: spec.target });
  }

  close(): Promise<void> {
    return this.sender.close();
  }
}

/** The earlier of two optional deadlines. */
function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.min(a, b);
}

/**
 * The node:http adapter: read the request (body capped), apply connection faults, route `/__sim/…` to the control
 * API and everything else through the obshell pipeline, write the answer (or a malformed one), log it.
 * No domain logic lives here. The listener can be taken down and brought back (agent restart fault).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { FaultState, MalformedKind } from "./faults";
import { controlRefusal } from "./control-auth";
import { runPipeline, type PipelineResult } from "./pipeline";
import { logEntry, type RequestLogEntry } from "./request-log";
import { E } from "./sim-errors";
import { renderError } from "./envelope";
import type { AgentState } from "./state";

/** Handles `/__sim/…`; returns status and JSON. */
export type ControlHandler = (method: string, path: string, body: Buffer) => Promise<{ status: number; json: unknown }>;

/** Server options. */
export interface SimServerOptions {
  state: AgentState;
  host: string;
  control: ControlHandler;
  /** The token every control request must carry (control-auth.ts). */
  controlToken: string;
  maxBodyBytes: number;
  log?: (line: string) => void;
}

/** The HTTP side of one simulator. */
export class SimServer {
  private server: Server;
  private readonly sockets = new Set<Socket>();
  readonly requestLog: RequestLogEntry[] = [];
  private port = 0;
  /** Aborted by close(): wakes delayed answers so no timer outlives the listener. */
  private closing = new AbortController();
  private stopped = false;
  /** Aborted by stop(): cuts an agent restart's down time short. */
  private readonly stopping = new AbortController();

  constructor(private readonly o: SimServerOptions) {
    this.server = this.create();
  }

  private create(): Server {
    const server = createServer((req, res) => void this.handle(req, res));
    // Like Go's http.Server without IdleTimeout: no `Keep-Alive: timeout=5` header, idle connections are not cut.
    server.keepAliveTimeout = 0;
    server.on("connection", (sock) => {
      this.sockets.add(sock);
      sock.on("close", () => this.sockets.delete(sock));
    });
    return server;
  }

  /** Binds (port 0 = ephemeral) and returns the bound port. */
  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, this.o.host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const addr = this.server.address();
    this.port = typeof addr === "object" && addr ? addr.port : port;
    return this.port;
  }

  /** For good (simulator stop): a restart in progress does not bring the listener back. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    await this.close();
  }

  /** Closes the listener and destroys every open connection. */
  async close(): Promise<void> {
    this.closing.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  /** The restart in progress, if any: restarts are serialized. */
  private restarting: Promise<void> = Promise.resolve();

  /**
   * Agent restart: down now, listening again on the same port after `downMs` (through `sleep`). A restart asked for
   * during another one runs after it: overlapping ones used to bind a second server over the first one's port.
   */
  restart(downMs: number, sleep: (ms: number, signal?: AbortSignal) => Promise<void>): Promise<void> {
    const run = this.restarting.then(() => this.restartOnce(downMs, sleep));
    this.restarting = run.catch(() => undefined);
    return run;
  }

  private async restartOnce(downMs: number, sleep: (ms: number, signal?: AbortSignal) => Promise<void>): Promise<void> {
    if (this.stopped) return;
    await this.close();
    await sleep(downMs, this.stopping.signal).catch(() => undefined);
    // The simulator may have been stopped while the agent was down: stay down.
    if (this.stopped) return;
    this.server = this.create();
    this.closing = new AbortController();
    await this.listen(this.port);
  }

  private faults(): FaultState {
    return this.o.state.faults;
  }

  private async readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      // Keep draining (without storing) so the client can read our answer.
      if (size <= this.o.maxBodyBytes) chunks.push(chunk as Buffer);
    }
    return size > this.o.maxBodyBytes ? "too-large" : Buffer.concat(chunks);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const uri = req.url ?? "/";
    const path = uri.split("?")[0]!;
    const receivedAt = this.o.state.clock.now();
    try {
      if (path.startsWith("/__sim/")) return await this.handleControl(method, path, req, res);
      const fault = this.faults().takeConnectionFault(path);
      if (fault?.kind === "drop") return this.record(method, uri, receivedAt, 0, "drop", () => req.socket.destroy());
      if (fault?.kind === "reset") return this.record(method, uri, receivedAt, 0, "reset", () => req.socket.resetAndDestroy());
      if (fault?.kind === "silent") return await this.silent(method, uri, receivedAt, req);
      const body = await this.readBody(req);
      if (fault?.kind === "status") {
        res.writeHead(fault.status, { "Content-Type": "text/plain" }).end(`${fault.status} injected by obshell-sim\n`);
        return this.record(method, uri, receivedAt, fault.status, `status ${fault.status}`);
      }
      const result = await this.process(method, uri, req, res, body);
      // A slow agent: the request is handled (a DAG is created) at once, the answer comes late. Like Go, the work is
      // done even when the client has given up meanwhile.
      const delay = this.faults().takeDelay(path);
      if (delay > 0) await this.o.state.clock.sleep(delay, this.closing.signal).catch(() => undefined);
      const entry = logEntry(method, uri, result, this.o.state.clock.now(), receivedAt);
      if (fault?.kind === "malformed") entry.fault = `malformed ${fault.malformed}`;
      if (res.destroyed || res.socket?.destroyed) entry.fault = `${entry.fault ? `${entry.fault}, ` : ""}client gone`;
      else if (fault?.kind === "slow-loris") await this.trickle(res, result, fault.byteEveryMs);
      else this.write(res, result, fault?.kind === "malformed" ? fault.malformed : undefined);
      this.requestLog.push(entry);
      this.o.log?.(`${method} ${path} ${result.status}${result.errCode ? ` ${result.errCode}` : ""}${entry.fault ? ` (${entry.fault})` : ""}`);
    } catch (e) {
      if (!res.headersSent && !res.destroyed) res.writeHead(500, { "Content-Type": "text/plain" }).end(`obshell-sim internal error: ${(e as Error).message}\n`);
      this.o.log?.(`${method} ${path} simulator error: ${(e as Error).message}`);
    }
  }

  private async process(method: string, uri: string, req: IncomingMessage, res: ServerResponse, body: Buffer | "too-large"): Promise<PipelineResult> {
    if (body !== "too-large") return runPipeline(this.o.state, { method, uri, headers: req.headers, body });
    // Gap: gin reads any size; the simulator caps bodies and answers like a failed read, then closes.
    const s = this.o.state;
    res.setHeader("Connection", "close");
    return renderError(E.bodyReadFailed("http: request body too large"), { generation: s.generation, nowMs: s.agentNow(), startedMs: s.agentNow(), traceId: "" });
  }

  /** Accepts and never answers: the connection stays open until the client gives up or the simulator closes. */
  private async silent(method: string, uri: string, receivedAt: number, req: IncomingMessage): Promise<void> {
    this.record(method, uri, receivedAt, 0, "silent");
    await new Promise<void>((resolve) => {
      if (this.closing.signal.aborted || req.socket.destroyed) return resolve();
      this.closing.signal.addEventListener("abort", () => resolve(), { once: true });
      req.socket.once("close", () => resolve());
    });
    req.socket.destroy();
  }

  /** Slow-loris: the whole answer announced, then one byte every `everyMs` until done or the client is gone. */
  private async trickle(res: ServerResponse, r: PipelineResult, everyMs: number): Promise<void> {
    const body = Buffer.from(r.body ?? "", "utf8");
    res.writeHead(r.status, { "Content-Type": r.contentType ?? "application/json", "Content-Length": body.length });
    for (let i = 0; i < body.length; i++) {
      if (res.destroyed || this.closing.signal.aborted) return;
      res.write(body.subarray(i, i + 1));
      await this.o.state.clock.sleep(everyMs, this.closing.signal).catch(() => undefined);
    }
    if (!res.destroyed) res.end();
  }

  private record(method: string, uri: string, receivedAt: number, status: number, fault: string, act?: () => void): void {
    act?.();
    this.requestLog.push({ method, path: uri, status, time: this.o.state.clock.now(), receivedAt, fault });
    this.o.log?.(`${method} ${uri.split("?")[0]} ${status || "-"} (${fault})`);
  }

  private write(res: ServerResponse, r: PipelineResult, malformed?: MalformedKind): void {
    const headers = { "Content-Type": r.contentType ?? "application/json" };
    // Go's net/http answers a body it has whole with Content-Length, never chunked.
    const whole = (body: string) => void res.writeHead(r.status, { ...headers, "Content-Length": Buffer.byteLength(body) }).end(body);
    if (r.body === undefined) return void res.writeHead(r.status, headers).end();
    if (!malformed) return whole(r.body);
    if (malformed === "non-json") return whole("<html><body>not json</body></html>");
    if (malformed === "wrong-envelope") return whole(JSON.stringify({ ok: true, result: JSON.parse(r.body) }));
    if (malformed === "oversized") {
      const pad = "x".repeat(8 << 20);
      return void res.writeHead(r.status, headers).end(r.body.replace(/^\{/, `{"padding":"${pad}",`));
    }
    // Truncated: announce the full length, send half, then cut the connection.
    res.writeHead(r.status, { ...headers, "Content-Length": Buffer.byteLength(r.body) });
    res.write(r.body.slice(0, Math.floor(r.body.length / 2)), () => res.socket?.destroy());
  }

  private async handleControl(method: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.readBody(req);
    const refusal = controlRefusal(method, req.headers, this.o.controlToken);
    if (refusal) {
      this.o.log?.(`${method} ${path} ${refusal.status} (control refused: ${refusal.error})`);
      return void res.writeHead(refusal.status, { "Content-Type": "application/json" }).end(JSON.stringify({ error: refusal.error }));
    }
    const out = await this.o.control(method, path, body === "too-large" ? Buffer.alloc(0) : body);
    res.writeHead(out.status, { "Content-Type": "application/json" }).end(JSON.stringify(out.json));
  }
}

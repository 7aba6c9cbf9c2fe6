/**
 * obshell simulator: a faithful, fault-injectable obshell agent (OBProxy routes, DAGs, hybrid encryption) for tests,
 * demos and CI. See docs/simulator.md.
 */
import type { AgentIdentity } from "../obshell/schemas";
import { realClock, type SimClock } from "./clock";
import { createControl, controlHttp, type SimulatorControl } from "./control";
import { newControlToken } from "./control-auth";
import type { FaultPlan } from "./faults";
import { RealHost } from "./host";
import { MemoryHost } from "./memory-host";
import type { RequestLogEntry } from "./request-log";
import { SimServer } from "./server";
import { AgentState } from "./state";

export { createFakeObproxyHome, readFakeObproxyLog, makeFakeObproxyExitAtStart, type FakeObproxyLogEntry } from "./fake-home";
export type { SimulatorControl, SimulatorStateView } from "./control";
export { CONTROL_TOKEN_HEADER } from "./control-auth";
export type { FaultPlan, FailTaskFault, CountedFault, MalformedKind } from "./faults";
export type { RequestLogEntry } from "./request-log";
export type { MemoryHomeSpec } from "./memory-host";
export type { SimClock } from "./clock";

/** Options of `startSimulator`. */
export interface SimulatorOptions {
  /** Listen address; loopback only. @default "127.0.0.1" */
  host?: string;
  /** @default 0 (ephemeral) */
  port?: number;
  /** Agent version: "4.2.6.0"/"4.3.0.0" numeric codes, ≥"4.3.1.0" errCode, ≥"4.4.2.0" 1024-bit key + code 1. @default "4.5.0.0" */
  version?: string;
  /** null = not set (every OBProxy route then answers AgentPasswordNotInitialized). @default null */
  agentPassword?: string | null;
  /** @default "SINGLE" */
  identity?: AgentIdentity;
  /** Identity ip used in generic ids. @default "127.0.0.1" */
  agentIp?: string;
  /** Multiplies task durations (Start obproxy ≥ 10 s, Stop obproxy ≥ 5 s). @default 1 */
  timeScale?: number;
  /**
   * Where in its period the engine's scheduler tick falls, in ms past each whole (scaled) period of the clock: agents
   * started apart tick out of step, so several simulators in one process that should behave like independent hosts
   * get different phases. @default the moment the simulator starts
   */
  tickPhaseMs?: number;
  /** Real files and processes, or in memory. @default "real" */
  mode?: "real" | "memory";
  /** Fixed PKCS#1 PEM key (tests); otherwise generated, 512/1024 bits by version. */
  privateKeyPem?: string;
  faults?: FaultPlan;
  /** One line per request: method path status errCode; never a secret. */
  log?: (line: string) => void;
  /** Time source. @default the real clock */
  clock?: SimClock;
  /** Request bodies above this are refused (400 Request.Body.ReadFailed) and the connection closed. @default 64 MiB */
  maxBodyBytes?: number;
  /** Stand-in OBProxy processes exit after this long at most. @default 3_600_000 */
  standinMaxLifetimeMs?: number;
  /**
   * Like obshell (seen on 4.5.0.0): "Set proxyro password for connect" uses the connection opened for the agent's
   * first OBProxy, so an add on another SQL port after a delete fails there (`dial tcp 127.0.0.1:<first port>`).
   * Off by default: most tests add several OBProxies on fresh ports to one simulator. @default false
   */
  cachedProxyConnection?: boolean;
  /** The token `/__sim/…` requests must send in the `x-sim-control-token` header. @default a fresh random one */
  controlToken?: string;
}

/** A running simulator. */
export interface Simulator {
  url: string;
  port: number;
  /** Closes the listener, kills stand-in processes, stops DAGs and timers. */
  stop(): Promise<void>;
  control: SimulatorControl;
  /** The token for `/__sim/…` over HTTP (header `x-sim-control-token`); in-process callers use `control` instead. */
  controlToken: string;
  /** The request log (copies). */
  requests(): RequestLogEntry[];
}

/** Starts a simulated obshell agent on 127.0.0.1. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const o = {
    host: options.host ?? "127.0.0.1", port: options.port ?? 0, version: options.version ?? "4.5.0.0",
    agentPassword: options.agentPassword ?? null, identity: options.identity ?? "SINGLE", agentIp: options.agentIp ?? "127.0.0.1",
    timeScale: options.timeScale ?? 1, mode: options.mode ?? "real", clock: options.clock ?? realClock,
    maxBodyBytes: options.maxBodyBytes ?? 64 << 20, standinMaxLifetimeMs: options.standinMaxLifetimeMs ?? 3_600_000,
  };
  if (!["127.0.0.1", "::1", "localhost"].includes(o.host)) throw new Error(`obshell-sim listens on loopback only, not ${o.host}`);
  const host = o.mode === "memory" ? new MemoryHost() : new RealHost(o.standinMaxLifetimeMs);
  const state = new AgentState({ ...o, host, privateKeyPem: options.privateKeyPem, faults: options.faults, cachedProxyConnection: options.cachedProxyConnection, tickPhaseMs: options.tickPhaseMs });
  let server: SimServer | undefined;
  const requests = () => server!.requestLog.map((e) => ({ ...e }));
  const control = createControl(state, (downMs) => server!.restart(downMs, (ms, signal) => o.clock.sleep(ms, signal)), () => {
    state.reset();
    server!.requestLog.length = 0;
  });
  const controlRoutes = controlHttp(control, requests);
  const controlToken = options.controlToken ?? newControlToken();
  if (controlToken.length < 16) throw new Error("obshell-sim controlToken must be at least 16 characters");
  server = new SimServer({ state, host: o.host, control: controlRoutes, controlToken, maxBodyBytes: o.maxBodyBytes, log: options.log });
  state.port = await server.listen(o.port);
  const port = state.port;
  return {
    url: `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${port}`,
    port,
    control,
    controlToken,
    requests,
    stop: async () => {
      state.engine.stop();
      await server!.stop();
      await state.host.stop();
    },
  };
}

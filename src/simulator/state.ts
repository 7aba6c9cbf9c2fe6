/**
 * The agent's domain state, apart from any wire translation: identity, clock skew, RSA key, agent password, the
 * managed OBProxy (sqlite `obproxy_info`), uploaded packages, DAGs, host effects and faults.
 */
import { isIPv6 } from "node:net";
import { agentKeyPairFromPem, generateAgentKeyPair, loadAgentPrivateKey, type AgentKeyPair, type AgentPrivateKey } from "../obshell/crypto";
import { compareVersions, type AgentIdentity, type UpgradePkgInfo } from "../obshell/schemas";
import type { SimClock } from "./clock";
import { DagEngine } from "./dag-engine";
import type { AgentAddress } from "./dag-dto";
import { generationOf, type Generation } from "./envelope";
import { FaultState, type FaultPlan } from "./faults";
import { E } from "./sim-errors";
import type { ObproxyHost } from "./host";

/** The managed OBProxy as obshell stores it. */
export interface ManagedObproxy {
  homePath: string;
  sqlPort: number;
  sysPassword: string;
  proxyroPassword: string;
  /** `a.b.c.d-build` from `bin/obproxy -V`. */
  version: string;
}

/** Fully resolved state options. */
export interface AgentStateOptions {
  version: string;
  identity: AgentIdentity;
  agentIp: string;
  agentPassword: string | null;
  timeScale: number;
  clock: SimClock;
  host: ObproxyHost;
  privateKeyPem?: string;
  faults?: FaultPlan;
  /** obshell's cached OBProxy connection (see `AgentState.proxyDbPort`). @default false */
  cachedProxyConnection?: boolean;
  /** The scheduler tick's phase (SimulatorOptions.tickPhaseMs). */
  tickPhaseMs?: number | undefined;
}

/** A fresh agent key: 1024-bit from 4.4.2.0, 512-bit before (node-forge when OpenSSL refuses 512). */
export function generateKeyForVersion(version: string): AgentKeyPair {
  const bits = compareVersions(version, "4.4.2.0") >= 0 ? 1024 : 512;
  try {
    return generateAgentKeyPair(bits);
  } catch {
    // Loaded only here: OpenSSL builds that refuse 512-bit keys are rare, and the module is slow to load.
    const forge = require("node-forge") as typeof import("node-forge");
    const pair = forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 });
    return agentKeyPairFromPem(forge.pki.privateKeyToPem(pair.privateKey));
  }
}

/** One simulated agent. */
export class AgentState {
  readonly version: string;
  readonly generation: Generation;
  readonly identity: AgentIdentity;
  readonly agentIp: string;
  readonly clock: SimClock;
  readonly host: ObproxyHost;
  readonly faults: FaultState;
  engine: DagEngine;
  readonly startedAtMs: number;
  /** Set once the listener is bound. */
  port = 0;
  agentPassword: string | null;
  skewMs = 0;
  keyPair: AgentKeyPair;
  privateKey: AgentPrivateKey;
  obproxy?: ManagedObproxy;
  /** sql_port and sys password stored by the Start obproxy task before the add DAG persists the rest. */
  startInfo?: { sqlPort: number; sysPassword: string };
  packages: UpgradePkgInfo[] = [];
  /**
   * The SQL port of obshell's cached OBProxy connection (`obproxyInstance`), opened by the first "Set proxyro
   * password" of the agent process and never re-opened: a later OBProxy on another port is not reached through it.
   * Only with `cachedProxyConnection`; otherwise each add talks to its own port.
   */
  proxyDbPort?: number;
  readonly cachedProxyConnection: boolean;
  private readonly initialKey: AgentKeyPair;

  constructor(private readonly o: AgentStateOptions) {
    this.version = o.version;
    this.generation = generationOf(o.version);
    this.identity = o.identity;
    this.agentIp = o.agentIp;
    this.clock = o.clock;
    this.host = o.host;
    this.agentPassword = o.agentPassword;
    this.faults = new FaultState(o.faults);
    this.cachedProxyConnection = o.cachedProxyConnection ?? false;
    this.startedAtMs = o.clock.now();
    this.keyPair = o.privateKeyPem ? agentKeyPairFromPem(o.privateKeyPem) : generateKeyForVersion(o.version);
    this.privateKey = loadAgentPrivateKey(this.keyPair.privateKeyPem);
    this.initialKey = this.keyPair;
    this.engine = this.newEngine();
  }

  private newEngine(): DagEngine {
    return new DagEngine({
      clock: this.o.clock, timeScale: this.o.timeScale, agentNow: () => this.agentNow(), ...(this.o.tickPhaseMs !== undefined ? { tickPhaseMs: this.o.tickPhaseMs } : {}),
      underMaintenance: () => E.agentUnderMaintenance(this.agentString, this.version),
    });
  }

  /** Back to the start options: no faults, no DAGs, nothing managed, initial password, key and clock. */
  reset(): void {
    this.engine.stop();
    this.engine = this.newEngine();
    this.faults.clear();
    this.obproxy = undefined;
    this.startInfo = undefined;
    this.packages = [];
    this.proxyDbPort = undefined;
    this.agentPassword = this.o.agentPassword;
    this.skewMs = 0;
    this.keyPair = this.initialKey;
    this.privateKey = loadAgentPrivateKey(this.keyPair.privateKeyPem);
  }

  /** The agent's clock: the simulator clock plus the injected skew. */
  agentNow(): number {
    return this.clock.now() + this.skewMs;
  }

  /** `meta.OCS_AGENT.String()`: `ip:port`, `[ip]:port` for IPv6. */
  get agentString(): string {
    return isIPv6(this.agentIp) ? `[${this.agentIp}]:${this.port}` : `${this.agentIp}:${this.port}`;
  }

  get address(): AgentAddress {
    return { ip: this.agentIp, port: this.port };
  }

  /** `meta.IsObproxyAgent()`: obproxy_info.home_path is non-empty. */
  get isObproxyAgent(): boolean {
    return !!this.obproxy?.homePath;
  }

  /** Replaces the RSA key, as a restart after an upgrade to ≥4.4.2.0 does; cached client keys go stale. */
  rotateKey(): void {
    this.keyPair = generateKeyForVersion(this.version);
    this.privateKey = loadAgentPrivateKey(this.keyPair.privateKeyPem);
  }
}

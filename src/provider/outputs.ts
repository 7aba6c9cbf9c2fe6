/**
 * Building the outputs stored in state. obshell reports no home path, ports or running state for the OBProxy it
 * manages (§4.7), so outputs are the inputs (ports resolved as obshell resolves them) plus what the agent does report.
 */
import type { AgentStatusInfo } from "../obshell/schemas";
import { resolveAgentPassword } from "./config";
import { PORT_KEYS, resolvePort } from "./ports";
import { DEFAULT_PORTS, PROVIDER_KEY, type LastDag, type ObProxyInputs, type ObProxyOutputs } from "./types";

const FALLBACK_PORT = { sqlPort: DEFAULT_PORTS.sql, rpcPort: DEFAULT_PORTS.rpc, exporterPort: DEFAULT_PORTS.exporter };

/** The resource id: the agent's own address, since one agent manages at most one OBProxy. */
export function agentId(info: Pick<AgentStatusInfo, "ip" | "port">, endpoint: string): string {
  if (info.ip) return `${info.ip}:${info.port}`;
  const url = new URL(endpoint);
  return `${url.hostname}:${url.port || (url.protocol === "https:" ? 443 : 80)}`;
}

/** What the agent reports about itself, as stored in outputs. */
export interface AgentFacts {
  agentVersion: string;
  agentIdentity: string;
  agentAddress: string;
  managed: boolean;
}

/** Agent facts from `GET /api/v1/info`. */
export function agentFacts(info: AgentStatusInfo, endpoint: string): AgentFacts {
  return {
    agentVersion: info.version,
    agentIdentity: info.identity,
    agentAddress: agentId(info, endpoint),
    managed: info.isObproxyAgent === true,
  };
}

/** Agent facts as stored by an earlier operation (for updates that make no remote call). */
export function storedAgentFacts(olds: Partial<ObProxyOutputs>): AgentFacts {
  return {
    agentVersion: String(olds.agentVersion ?? ""),
    agentIdentity: String(olds.agentIdentity ?? ""),
    agentAddress: String(olds.agentAddress ?? ""),
    managed: olds.managed === true,
  };
}

/** What changes between operations on the same inputs. */
export interface LiveFacts {
  agent: AgentFacts;
  running: boolean;
  adopted: boolean;
  lastDag?: LastDag;
}

/** Drops undefined values: the engine's Struct conversion has no "undefined". */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Full outputs for these inputs. The agent password is kept only when it was an input: one read from stack config
 * or the environment stays there, so rotating it there works and it never lands in state through us.
 */
export function buildOutputs(inputs: ObProxyInputs, facts: LiveFacts): ObProxyOutputs {
  const { [PROVIDER_KEY]: _provider, agentPassword, ...rest } = inputs;
  const ports = Object.fromEntries(PORT_KEYS.map((k) => [k, resolvePort(inputs as never, k) ?? FALLBACK_PORT[k]]));
  return compact({
    ...rest,
    ...(resolveAgentPassword(inputs).source === "input" ? { agentPassword } : {}),
    ...(ports as Pick<ObProxyOutputs, "sqlPort" | "rpcPort" | "exporterPort">),
    running: facts.running,
    adopt: inputs.adopt ?? false,
    ...facts.agent,
    adopted: facts.adopted,
    lastDag: facts.lastDag,
  });
}

/** Outputs plus `__provider` from the inputs, as a partial-failure error must carry them. */
export function withProvider(outputs: ObProxyOutputs, inputs: ObProxyInputs): Record<string, unknown> {
  return { ...outputs, [PROVIDER_KEY]: inputs[PROVIDER_KEY] };
}

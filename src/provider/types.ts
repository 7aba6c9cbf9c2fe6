/**
 * The plain (wire) shapes the provider works on: what the engine hands to `check`/`create`/… after Pulumi resolved
 * every Input, and what the provider stores as outputs. The Pulumi-facing `ObProxyArgs` (with `Input<>`s) lives in
 * resource.ts; these types are the contract between the serialized shim and `pulumi-obproxy/provider-v1`, so they
 * only ever grow (old states are read by new code).
 */

/** The value Pulumi substitutes for a not-yet-known Input during preview (`check`/`diff` must tolerate it). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Where the serialized provider lives in inputs and outputs (`pulumi.dynamic.Resource`). */
export const PROVIDER_KEY = "__provider";

/** TLS settings for reaching obshell over https. */
export interface TlsInputs {
  /** PEM bundle trusted for the agent's certificate. */
  ca?: string;
  /** PEM client certificate (mutual TLS); needs `key`. */
  cert?: string;
  /** PEM private key of `cert` (secret). */
  key?: string;
  /** Accept any agent certificate (tests only). @default false */
  insecureSkipVerify?: boolean;
}

/** A duration: "20m", "90s", "1h30m", "500ms", or a number of seconds. */
export type Duration = string | number;

/** Per-operation deadlines; `customTimeouts` never reach a dynamic provider, so these are the ones enforced. */
export interface TimeoutsInputs {
  create?: Duration;
  update?: Duration;
  delete?: Duration;
}

/** Resource inputs as the provider receives them (all Inputs resolved). */
export interface ObProxyInputs {
  endpoint: string;
  agentPassword?: string;
  tls?: TlsInputs;
  agentPublicKeyPin?: string;
  homePath: string;
  name?: string;
  sqlPort?: number;
  rpcPort?: number;
  exporterPort?: number;
  rsList?: string;
  configUrl?: string;
  proxyroPassword?: string;
  obproxySysPassword?: string;
  parameters?: Record<string, string>;
  running?: boolean;
  adopt?: boolean;
  timeouts?: TimeoutsInputs;
  /** The Pulumi resource name, set by the `ObProxy` constructor: the provider never sees the URN. */
  resourceName?: string;
  __provider?: string;
}

/** The last DAG this resource ran or found (obshell's own record of what happened). */
export interface LastDag {
  id: string;
  name: string;
  state: string;
  operator: string;
}

/** Outputs stored in state. Input keys keep their input values, except the ports, which hold the resolved ones. */
export interface ObProxyOutputs extends Omit<ObProxyInputs, "sqlPort" | "rpcPort" | "exporterPort" | "running" | "adopt"> {
  sqlPort: number;
  rpcPort: number;
  exporterPort: number;
  running: boolean;
  adopt: boolean;
  /** obshell version, e.g. "4.5.0.0". */
  agentVersion: string;
  /** obshell identity, e.g. "SINGLE" or "CLUSTER AGENT". */
  agentIdentity: string;
  /** The agent's own ip:port (also the resource id). */
  agentAddress: string;
  /** Whether obshell reports managing an OBProxy (`isObproxyAgent`). */
  managed: boolean;
  /** True when `create` took over an OBProxy the agent already managed (adopt) instead of adding one. */
  adopted: boolean;
  lastDag?: LastDag;
}

/** obshell's port defaults (`ob/agent/constant/obproxy.go`). */
export const DEFAULT_PORTS = { sql: 2883, rpc: 2885, exporter: 2884 } as const;

/** The `parameters` key each port overrides when the port itself is not given (§4.1). */
export const PORT_PARAMETERS = {
  sqlPort: "listen_port",
  rpcPort: "rpc_listen_port",
  exporterPort: "prometheus_listen_port",
} as const;

/** Stack config key and environment variable holding the agent password when the input is absent. */
export const AGENT_PASSWORD_CONFIG_KEY = "obshell:agentPassword";
export const AGENT_PASSWORD_ENV = "OBSHELL_AGENT_PASSWORD";

/**
 * Input keys whose values are secrets: never logged, never echoed in errors, secret in state. `parameters` joins
 * them when one of its keys looks like a password (secrets.ts `SECRET_PARAMETER_KEY_RE`).
 */
export const SECRET_INPUT_KEYS = ["agentPassword", "proxyroPassword", "obproxySysPassword", "tls"] as const;

/** Inputs and outputs together, as a resource's state holds them (house naming). */
export type ObProxyState = ObProxyOutputs;

/**
 * The Pulumi package schema of the native plugin (`obproxy:index:ObProxy`), built from tables typed against the
 * provider's own TypeScript types: a key added to `ObProxyInputs`, `TlsInputs`, `TimeoutsInputs`, `LastDag` or
 * `ObProxyOutputs` fails to compile until it is described here, and test/unit/plugin-schema.test.ts checks the
 * rest (secret keys, check rules, types) against src/provider, so the schema cannot drift from the lifecycle.
 */
import { formatDuration } from "../obshell/clock";
import { DEFAULT_TIMEOUTS_MS, type TimeoutKey } from "../provider/durations";
import type { LastDag, ObProxyInputs, ObProxyOutputs, TimeoutsInputs, TlsInputs } from "../provider/types";

/** A schema property: its type (or a reference to a nested type), a description and whether it is secret. */
export interface PropertySpec {
  type?: "string" | "integer" | "boolean" | "object";
  $ref?: string;
  additionalProperties?: { type: "string" };
  description: string;
  secret?: boolean;
  default?: unknown;
}

/** The package name: plugin name, type token prefix and config namespace. */
export const PACKAGE_NAME = "obproxy";
/** The resource type token. */
export const OBPROXY_TOKEN = `${PACKAGE_NAME}:index:ObProxy`;
const TLS_TOKEN = `${PACKAGE_NAME}:index:Tls`;
const TIMEOUTS_TOKEN = `${PACKAGE_NAME}:index:Timeouts`;
const LAST_DAG_TOKEN = `${PACKAGE_NAME}:index:LastDag`;
const ref = (token: string) => `#/types/${token}`;

const str = (description: string, extra: Partial<PropertySpec> = {}): PropertySpec => ({ type: "string", description, ...extra });
const int = (description: string): PropertySpec => ({ type: "integer", description });
const bool = (description: string, extra: Partial<PropertySpec> = {}): PropertySpec => ({ type: "boolean", description, ...extra });
const duration = (op: TimeoutKey): PropertySpec =>
  str(`Deadline of ${op} ("20m", "90s", "1h30m"; default ${formatDuration(DEFAULT_TIMEOUTS_MS[op])}). A customTimeouts.${op} resource option wins over it.`);

/** Keys of the resource's user inputs: everything but what the hosts set themselves. */
type UserInputKey = Exclude<keyof ObProxyInputs, "resourceName" | "__provider">;
/** Keys the outputs add to the inputs. */
type OutputOnlyKey = Exclude<keyof ObProxyOutputs, keyof ObProxyInputs>;

/** `obproxy:index:Tls`. */
export const TLS_PROPERTIES: { [K in keyof Required<TlsInputs>]: PropertySpec } = {
  ca: str("PEM bundle trusted for the agent's certificate."),
  cert: str("PEM client certificate (mutual TLS); needs `key`."),
  key: str("PEM private key of `cert`.", { secret: true }),
  insecureSkipVerify: bool("Accept any agent certificate (tests only).", { default: false }),
};

/** `obproxy:index:Timeouts`. */
export const TIMEOUT_PROPERTIES: { [K in keyof Required<TimeoutsInputs>]: PropertySpec } = {
  create: duration("create"),
  update: duration("update"),
  delete: duration("delete"),
};

/** `obproxy:index:LastDag`. */
export const LAST_DAG_PROPERTIES: { [K in keyof LastDag]: PropertySpec } = {
  id: str("obshell's DAG id."),
  name: str('DAG name, e.g. "Delete obproxy".'),
  state: str("DAG state: READY, RUNNING, FAILED or SUCCEED."),
  operator: str("Last operator: RUN, RETRY, ROLLBACK, CANCEL or PASS."),
};

/** The resource's inputs (also outputs, with the ports resolved). */
export const INPUT_PROPERTIES: { [K in UserInputKey]-?: PropertySpec } = {
  endpoint: str('obshell URL, e.g. "http://10.0.0.5:2886". Changing it replaces the resource.'),
  agentPassword: str(
    "obshell agent password. When absent: provider config `obproxy:agentPassword`, then the environment variable " +
      "OBSHELL_AGENT_PASSWORD, read when each operation runs; a password from there is never written to state.",
    { secret: true },
  ),
  tls: { $ref: ref(TLS_TOKEN), description: "TLS options for an https endpoint (default: provider config `obproxy:tls`).", secret: true },
  agentPublicKeyPin: str("Expected agent public key: base64 PKCS#1 DER, or its SHA-256 hex (\"sha256:\" allowed)."),
  homePath: str("Absolute directory where OBProxy is unpacked. obshell's delete removes bin/, lib/, etc/, log/, run/ here."),
  name: str("OBProxy app name (`-n`)."),
  sqlPort: int("SQL port (default parameters.listen_port, else 2883)."),
  rpcPort: int("RPC port (default parameters.rpc_listen_port, else 2885)."),
  exporterPort: int("Prometheus exporter port (default parameters.prometheus_listen_port, else 2884)."),
  rsList: str('Root servers, "ip:port;ip:port". Exclusive with configUrl.'),
  configUrl: str("Config server URL. Exclusive with rsList."),
  proxyroPassword: str("Password of proxyro@sys on the OceanBase cluster.", { secret: true }),
  obproxySysPassword: str("Password of root@proxysys.", { secret: true }),
  parameters: { type: "object", additionalProperties: { type: "string" }, description: "Extra OBProxy startup parameters; values without ','." },
  running: bool("Whether the OBProxy should run; changing it starts or stops it in place.", { default: true }),
  adopt: bool("Take the OBProxy the agent already manages into state instead of failing with OBProxy.AlreadyManaged.", { default: false }),
  timeouts: { $ref: ref(TIMEOUTS_TOKEN), description: "Operation deadlines; customTimeouts resource options win over them." },
};

/** What the outputs add. */
export const OUTPUT_ONLY_PROPERTIES: { [K in OutputOnlyKey]-?: PropertySpec } = {
  agentVersion: str('obshell version, e.g. "4.5.0.0".'),
  agentIdentity: str('obshell identity, e.g. "SINGLE" or "CLUSTER AGENT".'),
  agentAddress: str("The agent's own ip:port (also the resource id)."),
  managed: bool("Whether obshell reports managing an OBProxy."),
  adopted: bool("Whether create took over an OBProxy the agent already managed."),
  lastDag: { $ref: ref(LAST_DAG_TOKEN), description: "The last OBProxy DAG this resource ran or found." },
};

/** Inputs a program must set. */
export const REQUIRED_INPUTS = ["endpoint", "homePath"] as const;
/** Outputs always present. */
export const REQUIRED_OUTPUTS = [
  ...REQUIRED_INPUTS, "sqlPort", "rpcPort", "exporterPort", "running", "adopt", "agentVersion", "agentIdentity", "agentAddress", "managed", "adopted",
] as const;

/** Provider configuration (`obproxy:<key>` in stack config, or the explicit provider's inputs). */
export const CONFIG_PROPERTIES = {
  agentPassword: str("Agent password for every ObProxy without its own (environment fallback: OBSHELL_AGENT_PASSWORD).", { secret: true }),
  tls: { $ref: ref(TLS_TOKEN), description: "TLS options for every https ObProxy without its own `tls`.", secret: true } as PropertySpec,
} satisfies Record<string, PropertySpec>;

/** Input keys whose values are secret, according to the schema. */
export function schemaSecretKeys(props: Record<string, PropertySpec> = INPUT_PROPERTIES): string[] {
  return Object.entries(props).filter(([, p]) => p.secret === true).map(([k]) => k);
}

const objectType = (description: string, properties: Record<string, PropertySpec>, required: string[] = []) => ({
  type: "object",
  description,
  properties,
  ...(required.length > 0 ? { required } : {}),
});

/** The package schema, for GetSchema (`version` is the plugin's). */
export function packageSchema(version: string): Record<string, unknown> {
  return {
    name: PACKAGE_NAME,
    displayName: "OBProxy (obshell)",
    version,
    description: "Manage an OBProxy through obshell: destroy waits for obshell's Delete DAG.",
    license: "Apache-2.0",
    config: { variables: CONFIG_PROPERTIES },
    provider: { description: "The obproxy provider.", inputProperties: CONFIG_PROPERTIES },
    types: {
      [TLS_TOKEN]: objectType("TLS settings for reaching obshell over https.", TLS_PROPERTIES),
      [TIMEOUTS_TOKEN]: objectType("Per-operation deadlines.", TIMEOUT_PROPERTIES),
      [LAST_DAG_TOKEN]: objectType("A DAG as obshell reported it.", LAST_DAG_PROPERTIES, Object.keys(LAST_DAG_PROPERTIES)),
    },
    resources: {
      [OBPROXY_TOKEN]: {
        description: "One OBProxy managed through the obshell agent at `endpoint`. Import id: `<endpoint>#<homePath>`.",
        inputProperties: INPUT_PROPERTIES,
        requiredInputs: [...REQUIRED_INPUTS],
        properties: { ...INPUT_PROPERTIES, ...OUTPUT_ONLY_PROPERTIES },
        required: [...REQUIRED_OUTPUTS],
      },
    },
    language: { nodejs: { packageName: "@pulumi-obproxy/obproxy" }, python: { packageName: "pulumi_obproxy" } },
  };
}

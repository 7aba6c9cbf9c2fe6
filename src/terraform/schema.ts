/**
 * The Terraform schema of resource `obproxy` and of the provider block, derived from the lifecycle's own types:
 * every ObProxyInputs key is listed in `INPUT_FIELDS` (the compiler refuses a missing one), secrets come from
 * SECRET_INPUT_KEYS, and HCL names are the snake_case of the camelCase keys. Nothing here decides behaviour: the
 * lifecycle checks, diffs and applies; this only says how its values look in HCL.
 */
import { SECRET_INPUT_KEYS, type LastDag, type ObProxyInputs, type ObProxyOutputs, type TimeoutsInputs, type TlsInputs } from "../provider/types";

/** A cty type in its JSON form (what GetProviderSchema carries in `type`). */
export type CtyType = "string" | "number" | "bool" | ["map", CtyType] | ["object", Record<string, CtyType>];

/** One attribute: its HCL name, its lifecycle key, and how Terraform treats it. */
export interface AttributeSpec {
  name: string;
  key: string;
  type: CtyType;
  description: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
}

/** A block's attributes and its nested SINGLE blocks (the only nesting this provider uses). */
export interface BlockSpec {
  attributes: AttributeSpec[];
  blocks?: { name: string; key: string; description: string; block: BlockSpec }[];
}

/** HCL name of a camelCase key: `homePath` → `home_path`. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

type Kind = Pick<AttributeSpec, "type" | "required" | "optional" | "computed" | "description">;
const opt = (type: CtyType, description: string): Kind => ({ type, optional: true, description });
const optComputed = (type: CtyType, description: string): Kind => ({ type, optional: true, computed: true, description });

/**
 * Every input of the lifecycle and how it appears in HCL: an attribute, a block ("block"), or nothing (null, for
 * keys that only the Pulumi shim sets). Typed over every ObProxyInputs key, so a new input fails to compile here.
 */
export const INPUT_FIELDS: { [K in keyof Required<ObProxyInputs>]: Kind | "block" | null } = {
  endpoint: optComputed("string", "obshell agent URL, e.g. http://10.0.0.5:2886. Defaults to the provider's endpoint."),
  agentPassword: opt("string", "obshell agent password. Defaults to the provider's agent_password, then OBSHELL_AGENT_PASSWORD."),
  tls: "block",
  agentPublicKeyPin: opt("string", "Expected agent public key (PEM or SHA-256 fingerprint)."),
  homePath: { type: "string", required: true, description: "OBProxy home directory on the agent's host (bin/obproxy must exist)." },
  name: opt("string", "OBProxy application name."),
  sqlPort: optComputed("number", "SQL port (default: parameters.listen_port, else 2883)."),
  rpcPort: optComputed("number", "RPC port (default: parameters.rpc_listen_port, else 2885)."),
  exporterPort: optComputed("number", "Prometheus exporter port (default: parameters.prometheus_listen_port, else 2884)."),
  rsList: opt("string", "Root server list, ip:port;ip:port (exclusive with config_url)."),
  configUrl: opt("string", "OceanBase config server URL (exclusive with rs_list)."),
  proxyroPassword: opt("string", "Password of the proxyro user."),
  obproxySysPassword: opt("string", "Password of OBProxy's root@proxysys user."),
  parameters: opt(["map", "string"], "OBProxy start parameters."),
  running: optComputed("bool", "Whether the OBProxy runs (default true)."),
  adopt: opt("bool", "Take over an OBProxy the agent already manages instead of failing."),
  timeouts: "block",
  resourceName: null,
  __provider: null,
};

/** What the lifecycle reports besides its inputs; typed over the output keys it adds. */
const OUTPUT_FIELDS: { [K in Exclude<keyof ObProxyOutputs, keyof ObProxyInputs>]-?: Kind } = {
  agentVersion: { type: "string", computed: true, description: "obshell version." },
  agentIdentity: { type: "string", computed: true, description: "obshell identity (SINGLE, CLUSTER AGENT, …)." },
  agentAddress: { type: "string", computed: true, description: "The agent's own ip:port." },
  managed: { type: "bool", computed: true, description: "Whether obshell reports managing an OBProxy." },
  adopted: { type: "bool", computed: true, description: "Whether create took over an existing OBProxy." },
  lastDag: {
    type: ["object", { id: "string", name: "string", state: "string", operator: "string" } satisfies Record<keyof LastDag, CtyType>],
    computed: true,
    description: "The last obshell DAG this resource ran or found.",
  },
};

const SECRET_KEYS: readonly string[] = SECRET_INPUT_KEYS;

function attributes(fields: Record<string, Kind | "block" | null>, secret: (key: string) => boolean): AttributeSpec[] {
  const out: AttributeSpec[] = [];
  for (const [key, kind] of Object.entries(fields)) {
    if (kind === null || kind === "block") continue;
    out.push({ name: snakeCase(key), key, ...kind, ...(secret(key) ? { sensitive: true } : {}) });
  }
  return out;
}

const TLS_FIELDS: Record<keyof TlsInputs, Kind> = {
  ca: opt("string", "PEM bundle trusted for the agent's certificate."),
  cert: opt("string", "PEM client certificate (mutual TLS); needs key."),
  key: opt("string", "PEM private key of cert."),
  insecureSkipVerify: opt("bool", "Accept any agent certificate (tests only)."),
};

const TIMEOUT_FIELDS: Record<keyof TimeoutsInputs, Kind> = {
  create: opt("string", 'Create deadline, e.g. "20m" (default 20m).'),
  update: opt("string", 'Update deadline (default 10m).'),
  delete: opt("string", 'Delete deadline (default 10m).'),
};

/** The `obproxy` resource. `tls` is secret as a whole, so all of its attributes are sensitive. */
export const RESOURCE_BLOCK: BlockSpec = {
  attributes: [
    { name: "id", key: "id", type: "string", computed: true, description: "The agent's ip:port (one agent manages one OBProxy)." },
    ...attributes(INPUT_FIELDS, (k) => SECRET_KEYS.includes(k)),
    ...attributes(OUTPUT_FIELDS, () => false),
  ],
  blocks: [
    { name: "tls", key: "tls", description: "TLS settings for an https:// endpoint.", block: { attributes: attributes(TLS_FIELDS, () => SECRET_KEYS.includes("tls")) } },
    { name: "timeouts", key: "timeouts", description: "Operation deadlines (the lifecycle's rules).", block: { attributes: attributes(TIMEOUT_FIELDS, () => false) } },
  ],
};

/** The provider block: defaults for every resource. */
export const PROVIDER_BLOCK: BlockSpec = {
  attributes: [
    { name: "endpoint", key: "endpoint", type: "string", optional: true, description: "Default obshell agent URL for resources that set none." },
    {
      name: "agent_password",
      key: "agentPassword",
      type: "string",
      optional: true,
      sensitive: true,
      description: "Agent password for resources that set none; falls back to OBSHELL_AGENT_PASSWORD.",
    },
  ],
};

/** The resource type name. */
export const RESOURCE_TYPE = "obproxy";

/** The tfplugin6 `Schema.Block` message of a block. */
export function blockMessage(block: BlockSpec): Record<string, unknown> {
  return {
    attributes: block.attributes.map((a) => ({
      name: a.name,
      type: Buffer.from(JSON.stringify(a.type)),
      description: a.description,
      required: a.required === true,
      optional: a.optional === true,
      computed: a.computed === true,
      sensitive: a.sensitive === true,
    })),
    block_types: (block.blocks ?? []).map((b) => ({ type_name: b.name, nesting: 1 /* SINGLE */, block: { ...blockMessage(b.block), description: b.description } })),
  };
}

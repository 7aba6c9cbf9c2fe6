/**
 * The `ObProxy` resource: one OBProxy managed through the obshell agent at `endpoint`.
 * Type token `pulumi-nodejs:dynamic/obshell:ObProxy`. See docs/resource.md for the full reference.
 */
import * as pulumi from "@pulumi/pulumi";
import { hasSecretParameter } from "./secrets";
import { shimProvider } from "./shim";
import type { Duration, LastDag } from "./types";

/** TLS settings for an https obshell endpoint. */
export interface ObProxyTlsArgs {
  /** PEM bundle trusted for the agent's certificate. */
  ca?: pulumi.Input<string>;
  /** PEM client certificate (mutual TLS); needs `key`. */
  cert?: pulumi.Input<string>;
  /** PEM private key of `cert`; stored as a secret. */
  key?: pulumi.Input<string>;
  /** Accept any certificate (tests only). @default false */
  insecureSkipVerify?: pulumi.Input<boolean>;
}

/** Deadlines per operation ("20m", "90s", "1h30m", or seconds). `customTimeouts` do not reach dynamic providers. */
export interface ObProxyTimeouts {
  /** @default "25m" */
  create?: Duration;
  /** @default "25m" (starting the OBProxy, or finishing a half-done add, waits for a health check of up to ≈ 17 min) */
  update?: Duration;
  /** @default "15m" */
  delete?: Duration;
}

/** Inputs of an ObProxy. */
export interface ObProxyArgs {
  /** obshell URL, e.g. "http://10.0.0.5:2886". Changing it replaces the resource. */
  endpoint: pulumi.Input<string>;
  /**
   * obshell agent password (secret). When absent: stack config `obshell:agentPassword`, then the environment
   * variable `OBSHELL_AGENT_PASSWORD`, read when each operation runs (so rotating it there also works on destroy);
   * a password from there is never written to state.
   */
  agentPassword?: pulumi.Input<string>;
  /** TLS options for an https endpoint. */
  tls?: pulumi.Input<ObProxyTlsArgs>;
  /** Expected agent public key: base64 PKCS#1 DER, or its SHA-256 hex ("sha256:" allowed). */
  agentPublicKeyPin?: pulumi.Input<string>;
  /** Absolute directory where OBProxy is unpacked (bin/, lib/). obshell's delete removes bin/, lib/, etc/, log/, run/ here. */
  homePath: pulumi.Input<string>;
  /** OBProxy app name (`-n`). */
  name?: pulumi.Input<string>;
  /** SQL port. @default parameters.listen_port, else 2883 */
  sqlPort?: pulumi.Input<number>;
  /** RPC port. @default parameters.rpc_listen_port, else 2885 */
  rpcPort?: pulumi.Input<number>;
  /** Prometheus exporter port. @default parameters.prometheus_listen_port, else 2884 */
  exporterPort?: pulumi.Input<number>;
  /** Root servers, "ip:port;ip:port". Exclusive with `configUrl`; one is needed unless the agent is a CLUSTER AGENT. */
  rsList?: pulumi.Input<string>;
  /** Config server URL. Exclusive with `rsList`. */
  configUrl?: pulumi.Input<string>;
  /** Password of proxyro@sys on the OceanBase cluster (secret). */
  proxyroPassword?: pulumi.Input<string>;
  /** Password of root@proxysys (secret). */
  obproxySysPassword?: pulumi.Input<string>;
  /**
   * Extra OBProxy startup parameters; keys `^[a-zA-Z0-9_]+$`, values strings without ','. When a key looks like a
   * password (`*password*`, `*passwd*`, `*pwd*`, `*secret*`, `*token*`, `*credential*`, a `key` word) the whole map
   * is secret in state and its value is redacted from messages; wrap any other value in `pulumi.secret(...)`.
   */
  parameters?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Whether the OBProxy should run; changing it starts or stops it in place. @default true */
  running?: pulumi.Input<boolean>;
  /** Take the OBProxy the agent already manages into state instead of failing with OBProxy.AlreadyManaged. @default false */
  adopt?: pulumi.Input<boolean>;
  /** Operation deadlines. */
  timeouts?: pulumi.Input<ObProxyTimeouts>;
}

/**
 * Every output key. Each must be in the props (undefined when not given) for the resource to get a property for it:
 * undefined props are filled in from the provider's outputs.
 */
const OUTPUT_KEYS = [
  "endpoint", "agentPassword", "tls", "agentPublicKeyPin", "homePath", "name", "sqlPort", "rpcPort", "exporterPort",
  "rsList", "configUrl", "proxyroPassword", "obproxySysPassword", "parameters", "running", "adopt", "timeouts",
  "agentVersion", "agentIdentity", "agentAddress", "managed", "adopted", "lastDag",
] as const;

/** Output keys holding secrets, marked secret whatever the inputs were (the engine re-marks only matching keys). */
export const SECRET_OUTPUT_KEYS = ["agentPassword", "proxyroPassword", "obproxySysPassword", "tls"];

function secret<T>(value: pulumi.Input<T> | undefined): pulumi.Output<pulumi.Unwrap<T>> | undefined {
  return value === undefined ? undefined : pulumi.secret(value);
}

/**
 * `parameters`, secret as a whole when a key looks like a password. Secrecy is per property in Pulumi state, so one
 * password-like entry makes the map secret; the keys are only known once the Input resolves, hence `apply`.
 */
function parametersInput(value: ObProxyArgs["parameters"]): pulumi.Output<Record<string, string>> | undefined {
  if (value === undefined) return undefined;
  const resolved = pulumi.output(value) as pulumi.Output<Record<string, string>>;
  return resolved.apply((p) => (hasSecretParameter(p) ? pulumi.secret(p) : pulumi.output(p)));
}

/** Output keys kept secret for these args: the fixed ones, plus `parameters` when it is known now to hold a password. */
function secretOutputKeys(args: ObProxyArgs): string[] {
  const p = args.parameters;
  const known = p !== null && typeof p === "object" && !pulumi.Output.isInstance(p) && !(p instanceof Promise);
  return known && hasSecretParameter(p) ? [...SECRET_OUTPUT_KEYS, "parameters"] : SECRET_OUTPUT_KEYS;
}

/** The props handed to the dynamic resource: inputs (secrets wrapped), the resource name, and output keys as undefined. */
function propsFor(name: string, args: ObProxyArgs): pulumi.Inputs {
  const props: pulumi.Inputs = Object.fromEntries(OUTPUT_KEYS.map((k) => [k, undefined]));
  Object.assign(props, {
    ...args,
    agentPassword: secret(args.agentPassword),
    proxyroPassword: secret(args.proxyroPassword),
    obproxySysPassword: secret(args.obproxySysPassword),
    tls: secret(args.tls),
    parameters: parametersInput(args.parameters),
    // The provider never sees the URN; it names the resource in progress lines and errors with this.
    resourceName: name,
  });
  return props;
}

/** An OBProxy managed through obshell. */
export class ObProxy extends pulumi.dynamic.Resource {
  // `declare`: with ES2022 class fields a plain `x!:` field would be re-initialized to undefined after super().
  declare public readonly endpoint: pulumi.Output<string>;
  declare public readonly homePath: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string | undefined>;
  /** The SQL port obshell uses (resolved like obshell: input, parameters.listen_port, 2883). */
  declare public readonly sqlPort: pulumi.Output<number>;
  declare public readonly rpcPort: pulumi.Output<number>;
  declare public readonly exporterPort: pulumi.Output<number>;
  declare public readonly rsList: pulumi.Output<string | undefined>;
  declare public readonly configUrl: pulumi.Output<string | undefined>;
  declare public readonly parameters: pulumi.Output<Record<string, string> | undefined>;
  declare public readonly running: pulumi.Output<boolean>;
  declare public readonly adopt: pulumi.Output<boolean>;
  /** obshell version, e.g. "4.5.0.0". */
  declare public readonly agentVersion: pulumi.Output<string>;
  /** obshell identity, e.g. "SINGLE" or "CLUSTER AGENT". */
  declare public readonly agentIdentity: pulumi.Output<string>;
  /** The agent's ip:port (also the resource id). */
  declare public readonly agentAddress: pulumi.Output<string>;
  /** Whether obshell reports managing an OBProxy. */
  declare public readonly managed: pulumi.Output<boolean>;
  /** Whether create adopted an existing OBProxy instead of adding one. */
  declare public readonly adopted: pulumi.Output<boolean>;
  /** The last OBProxy DAG run or found: id, name, state, operator. */
  declare public readonly lastDag: pulumi.Output<LastDag | undefined>;

  constructor(name: string, args: ObProxyArgs, opts?: pulumi.CustomResourceOptions) {
    const options = pulumi.mergeOptions(opts, { additionalSecretOutputs: secretOutputKeys(args) });
    super(shimProvider, name, propsFor(name, args), options, "obshell", "ObProxy");
  }
}

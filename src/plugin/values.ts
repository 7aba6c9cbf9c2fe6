/**
 * Property values on the wire. The plugin answers Configure with `acceptSecrets`, so secret inputs arrive wrapped
 * in Pulumi's secret signature object; the lifecycle works on plain values. On the way out, the secret keys are
 * wrapped again, so state holds them encrypted whatever the language host did with the schema.
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { SECRET_INPUT_KEYS } from "../provider/types";

/** The key Pulumi marks special values with, and the signature of a secret. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export type Props = Record<string, any>;

/** True for a wrapped secret. */
function isSecret(value: unknown): value is { value: unknown } {
  return value !== null && typeof value === "object" && (value as Props)[SIG_KEY] === SECRET_SIG;
}

/** Removes every secret wrapper (deeply). */
export function unwrapSecrets(value: unknown): any {
  if (isSecret(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/** Wraps a value as a secret. */
export function secret(value: unknown): Props {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** The props with every secret key (agentPassword, proxyroPassword, obproxySysPassword, tls) wrapped. */
export function wrapSecretKeys(props: Props): Props {
  const out: Props = { ...props };
  for (const key of SECRET_INPUT_KEYS) if (out[key] !== undefined && out[key] !== null) out[key] = secret(out[key]);
  return out;
}

/** A request Struct as plain props (secrets unwrapped). */
export function fromStruct(struct: Struct | undefined): Props {
  return unwrapSecrets(struct?.toJavaScript() ?? {}) as Props;
}

/** Props as a response Struct (undefined values dropped, secret keys wrapped). */
export function toStruct(props: Props): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(wrapSecretKeys(props))));
}

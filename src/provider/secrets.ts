/**
 * Keeping secrets out of text. Client errors never contain a password (contract), but the provider also prints
 * obshell task logs, whose lines it does not control; every line the provider writes or throws goes through `redact`,
 * and every error leaving the provider through `redactError` (its whole graph: causes, aggregated errors, fields).
 */
import { resolveAgentPassword, type ConfigReader } from "./config";

/**
 * `parameters` keys whose values are treated as secrets: redacted from text, and the whole `parameters` map secret
 * in state. Matches `*password*`, `*passwd*`, `*pwd*`, `*secret*`, `*token*`, `*credential*` and a `key` word
 * (`ssl_key`, `key_file`, not `keepalive`). Any other value is made secret by passing it as `pulumi.secret(...)`.
 */
export const SECRET_PARAMETER_KEY_RE = /passw(?:or)?d|pwd|secret|token|credential|(?:^|_)key(?:_|$)/i;

/** True when `parameters` holds a key that looks like a password (see SECRET_PARAMETER_KEY_RE). */
export function hasSecretParameter(parameters: unknown): boolean {
  if (parameters === null || typeof parameters !== "object") return false;
  return Object.keys(parameters).some((k) => SECRET_PARAMETER_KEY_RE.test(k));
}

/** Values treated as secret for these props: the passwords (wherever the agent one came from), the TLS key and
 * password-like `parameters`. */
export function secretValues(props: Record<string, unknown>, config?: ConfigReader): string[] {
  const values = [props.proxyroPassword, props.obproxySysPassword, resolveAgentPassword(props, process.env, config).value];
  const tls = props.tls;
  if (tls !== null && typeof tls === "object") values.push((tls as Record<string, unknown>).key);
  const parameters = props.parameters;
  if (parameters !== null && typeof parameters === "object") {
    for (const [k, v] of Object.entries(parameters)) if (SECRET_PARAMETER_KEY_RE.test(k)) values.push(v);
  }
  // Very short values would blank out ordinary words; obshell passwords are longer in practice.
  return values.filter((v): v is string => typeof v === "string" && v.length >= 3);
}

/** Replaces every occurrence of each secret with "***" (longest first, so a secret containing another goes whole). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join("***");
  return out;
}

/**
 * Fields an error may carry that must keep their values: a partial failure's `properties` are the outputs the engine
 * stores in state (secret there, by the resource's additionalSecretOutputs), and `id` is the resource id.
 */
const KEPT_FIELDS = new Set(["properties", "id"]);
const MAX_DEPTH = 12;

/**
 * Redacts an error and everything reachable from it — message, stack, `cause` chain, AggregateError `errors`, and
 * every own field (strings, arrays, objects such as a DagFailedError's `failedTaskLogs` and `dag`) — in place, so
 * `instanceof` and `name` still identify it. A partial failure's `properties` become non-enumerable: the plugin
 * reads them by name, but `util.inspect(err)` and `console.error(err)` no longer print them.
 */
export function redactError<T>(error: T, secrets: readonly string[]): T {
  if (secrets.length === 0 && !(error instanceof Error)) return error;
  redactErrorNode(error, secrets, new WeakSet(), 0);
  return error;
}

function redactErrorNode(error: unknown, secrets: readonly string[], seen: WeakSet<object>, depth: number): void {
  if (!(error instanceof Error) || seen.has(error) || depth > MAX_DEPTH) return;
  seen.add(error);
  const fields = error as unknown as Record<string, unknown>;
  // `stack` may be an accessor (V8) and holds the message as it was when the error was made.
  if (typeof error.stack === "string") setField(fields, "stack", redact(error.stack, secrets));
  for (const key of new Set([...Object.getOwnPropertyNames(error), "message", "cause"])) {
    if (KEPT_FIELDS.has(key) || key === "stack") continue;
    const descriptor = Object.getOwnPropertyDescriptor(error, key);
    if (!descriptor || !("value" in descriptor) || !descriptor.writable) continue;
    const value = descriptor.value;
    if (value instanceof Error) redactErrorNode(value, secrets, seen, depth + 1);
    else setField(fields, key, redactValue(value, secrets, seen, depth + 1));
  }
  if ("properties" in fields) Object.defineProperty(error, "properties", { enumerable: false });
}

function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  try {
    target[key] = value;
  } catch {
    // A frozen field keeps its value; fields of our errors are plain data and never frozen.
  }
}

/** A redacted copy of plain data (strings, arrays, objects); errors inside are redacted in place. */
function redactValue(value: unknown, secrets: readonly string[], seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === "string") return redact(value, secrets);
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
  if (value instanceof Error) {
    redactErrorNode(value, secrets, seen, depth);
    return value;
  }
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, seen, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets, seen, depth + 1)]));
}

/**
 * Keeping secrets out of text. Client errors never contain a password (contract), but the provider also prints
 * obshell task logs, whose lines it does not control; every line the provider writes or throws goes through `redact`.
 */
import { resolveAgentPassword } from "./config";

/** Values treated as secret for these props: the passwords (wherever the agent one came from) and the TLS key. */
export function secretValues(props: Record<string, unknown>): string[] {
  const values = [props.proxyroPassword, props.obproxySysPassword, resolveAgentPassword(props).value];
  const tls = props.tls;
  if (tls !== null && typeof tls === "object") values.push((tls as Record<string, unknown>).key);
  // Very short values would blank out ordinary words; obshell passwords are longer in practice.
  return values.filter((v): v is string => typeof v === "string" && v.length >= 3);
}

/** Replaces every occurrence of each secret with "***". */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("***");
  return out;
}

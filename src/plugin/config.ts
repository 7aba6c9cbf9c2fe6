/**
 * Provider configuration of the native plugin: `obproxy:agentPassword` (secret) and `obproxy:tls` (TLS defaults),
 * from stack config or an explicit provider's inputs. The plugin process serves exactly one provider, so the
 * agent password is handed to the lifecycle through its stack-config reader (src/provider/config.ts, which keeps
 * the OBSHELL_AGENT_PASSWORD fallback); TLS defaults fill in `tls` for https endpoints at check time.
 */
import type { ConfigReader } from "../provider/config";
import { problems, SCALAR_RULES, TLS_RULES } from "../provider/rules";
import { AGENT_PASSWORD_CONFIG_KEY, type TlsInputs } from "../provider/types";
import { PACKAGE_NAME } from "./schema";
import type { Props } from "./values";

/** The provider configuration the plugin understands. */
export interface ProviderConfig {
  agentPassword?: string;
  tls?: TlsInputs;
}

/** A config value as the engine sends it: objects may arrive JSON-encoded (stack config values are strings). */
function decode(value: unknown): unknown {
  if (typeof value !== "string" || !value.trimStart().startsWith("{")) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Strips the namespace of `obproxy:agentPassword` / `obproxy:config:agentPassword` variable keys. */
function variableName(key: string): string | undefined {
  const prefix = `${PACKAGE_NAME}:`;
  if (!key.startsWith(prefix)) return undefined;
  const rest = key.slice(prefix.length);
  return rest.startsWith("config:") ? rest.slice("config:".length) : rest;
}

/** Provider config from Configure's `args` (preferred) or its `variables` map. */
export function readProviderConfig(args: Props | undefined, variables: Map<string, string> | [string, string][]): Props {
  if (args && Object.keys(args).length > 0) return args;
  const out: Props = {};
  for (const [key, value] of variables) {
    const name = variableName(key);
    if (name) out[name] = value;
  }
  return out;
}

/** CheckConfig: each failure names the config key; unknown keys are refused so a typo is not silently ignored. */
export function checkProviderConfig(news: Props): { config: ProviderConfig; failures: { property: string; reason: string }[] } {
  const failures: { property: string; reason: string }[] = [];
  const config: ProviderConfig = {};
  for (const [key, raw] of Object.entries(news)) {
    const value = decode(raw);
    if (value === undefined || value === null || key === "version") continue;
    if (key === "agentPassword") {
      for (const p of problems(SCALAR_RULES.agentPassword, value)) failures.push({ property: key, reason: p.message });
      if (typeof value === "string") config.agentPassword = value;
    } else if (key === "tls") {
      if (typeof value !== "object" || Array.isArray(value)) {
        failures.push({ property: "tls", reason: "must be an object (ca, cert, key, insecureSkipVerify)" });
        continue;
      }
      for (const [k, v] of Object.entries(value as Props)) {
        const rule = TLS_RULES[k];
        if (!rule) failures.push({ property: `tls.${k}`, reason: "is not a TLS option (ca, cert, key, insecureSkipVerify)" });
        else for (const p of problems(rule, v)) failures.push({ property: `tls.${k}`, reason: p.message });
      }
      config.tls = value as TlsInputs;
    } else {
      failures.push({ property: key, reason: `is not an ${PACKAGE_NAME} provider setting (agentPassword, tls)` });
    }
  }
  return { config, failures };
}

/** `config` as the lifecycle reads it (the agent password fallback), for the lifecycles this plugin creates. */
export function providerConfigReader(config: ProviderConfig): ConfigReader {
  const password = config.agentPassword;
  return { get: (key) => (key === AGENT_PASSWORD_CONFIG_KEY ? password : undefined) };
}

/** The inputs with the provider's TLS defaults, when the resource has none and talks https. */
export function withTlsDefaults(news: Props, config: ProviderConfig): Props {
  const endpoint = news.endpoint;
  if (!config.tls || news.tls !== undefined || typeof endpoint !== "string" || !endpoint.startsWith("https:")) return news;
  return { ...news, tls: config.tls };
}

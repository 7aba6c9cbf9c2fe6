/**
 * Where the agent password comes from, decided at call time in the provider process: the resource input, else the
 * stack config `obshell:agentPassword` (handed to `configure()` of the lifecycle instance, which passes it through
 * each operation's context — no module state), else the environment `OBSHELL_AGENT_PASSWORD`.
 * Reading late is what lets a rotated password work on destroy and refresh, which run the code stored in state
 * with the config and environment of *now*. Nothing here is ever captured by the serialized shim.
 */
import { AGENT_PASSWORD_CONFIG_KEY, AGENT_PASSWORD_ENV } from "./types";

/** The part of the dynamic provider's config object the provider uses. */
export interface ConfigReader {
  get(key: string): string | undefined;
}

/** Where a credential was found. Only "input" credentials are ever written to outputs. */
export type CredentialSource = "input" | "config" | "env" | "none";

/** Reads the config value of `key`; not set when absent, empty, or the config cannot be read. */
function configValue(config: ConfigReader | undefined, key: string): string | undefined {
  try {
    const value = config?.get(key);
    return typeof value === "string" && value.length > 0 ? value : undefined;
  } catch {
    // The plugin's Config throws when the Configure RPC never came (rawConfig undefined): treat as not set.
    return undefined;
  }
}

/** The agent password to use for these inputs, and where it came from. */
export function resolveAgentPassword(
  props: { agentPassword?: unknown },
  env: NodeJS.ProcessEnv = process.env,
  config?: ConfigReader,
): { value: string | undefined; source: CredentialSource } {
  if (typeof props.agentPassword === "string" && props.agentPassword.length > 0) {
    return { value: props.agentPassword, source: "input" };
  }
  const fromConfig = configValue(config, AGENT_PASSWORD_CONFIG_KEY);
  if (fromConfig !== undefined) return { value: fromConfig, source: "config" };
  const fromEnv = env[AGENT_PASSWORD_ENV];
  if (fromEnv) return { value: fromEnv, source: "env" };
  return { value: undefined, source: "none" };
}

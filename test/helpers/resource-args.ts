/**
 * ObProxy arguments for tests that create a real (simulated) OBProxy: a fresh fake OBProxy home, ports nothing
 * listens on, an rs list, and every password. Shared by the provider's integration tests and the engine harness.
 */
import { freePort } from "./ports";
import { fakeHome } from "../engine/harness/homes";

export { freePort };

/** The three passwords a test stack uses (each suite has its own, so a leak names its source). */
export interface TestPasswords {
  agent: string;
  proxyro: string;
  sys: string;
}

/** Arguments of one ObProxy against `endpoint`: a fresh fake home, free ports, every password. */
export async function freshObProxyArgs(endpoint: string, passwords: TestPasswords): Promise<Record<string, unknown>> {
  return {
    endpoint,
    homePath: await fakeHome(),
    rsList: "127.0.0.1:2881",
    sqlPort: await freePort(),
    rpcPort: await freePort(),
    exporterPort: await freePort(),
    agentPassword: passwords.agent,
    proxyroPassword: passwords.proxyro,
    obproxySysPassword: passwords.sys,
  };
}

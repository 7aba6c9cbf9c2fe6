/**
 * ObProxy arguments for tests that create a real (simulated) OBProxy: a fresh fake OBProxy home, ports nothing
 * listens on, an rs list, and every password. Shared by the provider's integration tests and the engine harness.
 */
import net from "node:net";
import { fakeHome } from "../engine/harness/homes";

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

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

/**
 * Shared set-up for the provider's integration tests: a simulator per suite, a fake OBProxy home per resource,
 * free ports, and a lifecycle whose progress lines are captured instead of printed.
 */
import { freePort, freshObProxyArgs } from "../../helpers/resource-args";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../../src/simulator";
import { createLifecycle, type ObProxyLifecycle } from "../../../src/provider/lifecycle";

export const AGENT_PASSWORD = "Agent-pw-7f3c9d";
export const PROXYRO_PASSWORD = "Proxyro-pw-51ae02";
export const SYS_PASSWORD = "Sys-pw-c0ffee42";

/** A simulator with the agent password set, tasks 100× faster than obshell's real durations. */
export function startSim(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ agentPassword: AGENT_PASSWORD, timeScale: 0.01, ...options });
}

export { freePort };

/** Inputs as the engine would pass them to create: a fresh fake home, free ports, every password. */
export async function inputsFor(sim: Simulator, overrides: Record<string, unknown> = {}): Promise<Record<string, any>> {
  return {
    ...(await freshObProxyArgs(sim.url, { agent: AGENT_PASSWORD, proxyro: PROXYRO_PASSWORD, sys: SYS_PASSWORD })),
    resourceName: "proxy",
    __provider: "exports.handler = () => ({});",
    ...overrides,
  };
}

/** A fresh lifecycle (no stack config) writing progress into `lines`. */
export function capturingLifecycle(): { lifecycle: ObProxyLifecycle; lines: string[] } {
  const lines: string[] = [];
  // The simulator runs tasks faster than obshell: poll instead of sleeping through obshell's task durations.
  const lifecycle = createLifecycle({ sink: (line) => lines.push(line), clientOptions: { taskMinDurationsMs: {} } });
  return { lifecycle, lines };
}

/** The requests the simulator saw for one method and path (query ignored). */
export function requestsTo(sim: Simulator, method: string, path: string) {
  return sim.requests().filter((r) => r.method === method && r.path.split("?")[0] === path);
}

/** Rejects with the thrown error, or fails when the promise resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, any>> {
  try {
    await promise;
  } catch (e) {
    return e as Error & Record<string, any>;
  }
  throw new Error("expected a rejection");
}

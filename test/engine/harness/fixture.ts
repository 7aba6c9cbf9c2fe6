/**
 * What an engine test needs around the harness: the shared packed project, a simulator, a captured ObProxy for a
 * fresh fake home, and plugin processes that are always stopped.
 */
import { freePort, freshObProxyArgs } from "../../helpers/resource-args";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../../src/simulator";
import { captureObProxy, type CapturedResource } from "./capture";
import { startPlugin, type PluginHandle } from "./plugin";
import { sharedPackedProject, type PackedProject } from "./project";

export const AGENT_PASSWORD = "Agent-pw-e2f81b";
export const PROXYRO_PASSWORD = "Proxyro-pw-9d04c7";
export const SYS_PASSWORD = "Sys-pw-a61d3e5f";

export { freePort };

/** Per-suite resources: call `setup()` in before(), `teardown()` in after(). */
export class EngineFixture {
  project!: PackedProject;
  sim!: Simulator;
  private plugins: PluginHandle[] = [];

  constructor(private readonly simOptions: SimulatorOptions = {}) {}

  async setup(): Promise<void> {
    this.project = await sharedPackedProject();
    this.sim = await startSimulator({ agentPassword: AGENT_PASSWORD, timeScale: 0.01, ...this.simOptions });
  }

  /** Starts a plugin in the project and sends Configure with `config` (the engine always configures first). */
  async plugin(config: Record<string, string> = {}, env: Record<string, string> = {}): Promise<PluginHandle> {
    // The simulator's tasks are time-scaled; tell the provider so its polling matches (OBSHELL_TASK_TIME_SCALE).
    const scale = String(this.simOptions.timeScale ?? 0.01);
    const plugin = await startPlugin(this.project.dir, { OBSHELL_TASK_TIME_SCALE: scale, ...env });
    this.plugins.push(plugin);
    await plugin.rpc.configure(config);
    return plugin;
  }

  /** `new ObProxy(name, args)` under mocks in the project; args default to a fresh home, free ports, all passwords. */
  async capture(name: string, args: Record<string, unknown> = {}): Promise<CapturedResource> {
    const passwords = { agent: AGENT_PASSWORD, proxyro: PROXYRO_PASSWORD, sys: SYS_PASSWORD };
    return captureObProxy(this.project.dir, name, { ...(await freshObProxyArgs(this.sim.url, passwords)), ...args });
  }

  async teardown(): Promise<void> {
    await Promise.all(this.plugins.map((p) => p.stop("SIGKILL")));
    await this.sim?.stop();
  }
}

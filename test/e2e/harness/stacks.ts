/**
 * Ready-to-run stacks of the examples against real-mode simulators (fake OBProxy homes, stand-in processes on
 * free ports), with everything registered for cleanup.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createFakeObproxyHome, startSimulator, type SimClock, type Simulator } from "../../../src/simulator";
import { AGENT_PASSWORD, freePort, PROXYRO_PASSWORD } from "../../engine/harness/fixture";
import type { Cleanups } from "./checks";
import { Workspace } from "./workspace";

export { AGENT_PASSWORD, PROXYRO_PASSWORD };

/** Every secret the e2e stacks use: none of them may appear in state or CLI output. */
export const SECRETS = [AGENT_PASSWORD, PROXYRO_PASSWORD];

export interface BasicStack {
  sim: Simulator;
  ws: Workspace;
  home: string;
  sqlPort: number;
}

/** A real-mode simulator with a fake home, and examples/basic configured for it (secrets set with --secret). */
export async function basicStack(cleanups: Cleanups, timeScale = 0.03, clock?: SimClock): Promise<BasicStack> {
  const homes = await mkdtemp(path.join(os.tmpdir(), "obproxy-e2e-home-"));
  cleanups.add(() => rm(homes, { recursive: true, force: true }));
  const home = await createFakeObproxyHome(path.join(homes, "obproxy"));
  const sim = await startSimulator({ agentPassword: AGENT_PASSWORD, timeScale, clock });
  cleanups.add(() => sim.stop());
  const ws = await Workspace.create("basic", { OBSHELL_TASK_TIME_SCALE: String(timeScale) });
  cleanups.add(() => ws.cleanup());
  const sqlPort = await freePort();
  await ws.configure(
    { "obshell:endpoint": sim.url, homePath: home, rsList: "127.0.0.1:2881", sqlPort: String(sqlPort) },
    { "obshell:agentPassword": AGENT_PASSWORD, proxyroPassword: PROXYRO_PASSWORD },
  );
  return { sim, ws, home, sqlPort };
}

export interface FleetAgent {
  sim: Simulator;
  home: string;
  sqlPort: number;
}

/**
 * `count` real-mode agents on this machine, and examples/fleet configured with its `agents` list: each agent gets
 * its own home path and ports, as separate hosts would not need.
 */
export async function fleetStack(cleanups: Cleanups, count: number, timeScale = 0.03): Promise<{ ws: Workspace; agents: FleetAgent[] }> {
  const homes = await mkdtemp(path.join(os.tmpdir(), "obproxy-e2e-fleet-homes-"));
  cleanups.add(() => rm(homes, { recursive: true, force: true }));
  const agents: FleetAgent[] = [];
  for (let i = 0; i < count; i++) {
    const sim = await startSimulator({ agentPassword: AGENT_PASSWORD, timeScale });
    cleanups.add(() => sim.stop());
    agents.push({ sim, home: await createFakeObproxyHome(path.join(homes, `agent-${i}`)), sqlPort: await freePort() });
  }
  const ws = await Workspace.create("fleet", { OBSHELL_TASK_TIME_SCALE: String(timeScale) });
  cleanups.add(() => ws.cleanup());
  const list = [];
  for (const a of agents) {
    list.push({ endpoint: a.sim.url, homePath: a.home, sqlPort: a.sqlPort, rpcPort: await freePort(), exporterPort: await freePort() });
  }
  await ws.configure({ rsList: "127.0.0.1:2881" }, { "obshell:agentPassword": AGENT_PASSWORD }, { agents: list });
  return { ws, agents };
}

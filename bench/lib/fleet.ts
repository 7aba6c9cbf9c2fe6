/**
 * The fleet benchmark: N OBProxies on N simulated agents (memory mode, obshell's real timing), created then destroyed
 * through ONE dynamic-provider plugin process driven over gRPC like the engine does (test/engine/harness), all Delete
 * RPCs in flight at once. Reports the destroy's wall time against the longest single Delete DAG, the plugin's idle
 * RSS (@pulumi/pulumi and our lifecycle loaded, no work), its peak RSS during the destroy and above idle, its file
 * descriptors, the polls and requests each delete cost, and any request timeout it logged.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { captureObProxy } from "../../test/engine/harness/capture";
import { startPlugin } from "../../test/engine/harness/plugin";
import type { PackedProject } from "../../test/engine/harness/project";
import { startSimulator, type Simulator } from "../../src/simulator";
import { SCHEDULER_TICK_MS } from "../../src/simulator/dag-engine";
import { mean } from "./stats";

/** Fleet figures of one size. */
export interface FleetResult {
  agents: number;
  wallMs: number;
  longestDagMs: number;
  wallRatio: number;
  idleRssMb: number;
  peakRssMb: number;
  peakRssAboveIdleMb: number;
  /** Whether the peak covers the destroy only (VmHWM reset before it) or the plugin's whole life. */
  peakRssScope: "destroy" | "create+destroy";
  peakFds: number;
  pollsPerDag: number;
  pollsPerSecond: number;
  requestsPerDelete: number;
  /** Plugin log lines about request timeouts (0 expected). */
  requestTimeouts: number;
  createWallMs: number;
  /** First to last DELETE accepted by the agents (ms): how long the plugin took to get every delete going. */
  deleteSpreadMs: number;
  /** CPU the plugin and this process (all simulated agents) used during the destroy, ms. */
  pluginCpuMs: number;
  agentsCpuMs: number;
}

/** utime + stime of a process, ms (USER_HZ = 100). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function statusMb(pid: number, field: "VmHWM" | "VmRSS"): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith(`${field}:`));
  return Number(line?.replace(/\D+/g, "") ?? NaN) / 1024;
}

function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Extra environment of the plugin processes: BENCH_PLUGIN_NODE_OPTIONS → NODE_OPTIONS (for profiling runs). */
const pluginEnv = (): Record<string, string> => (process.env.BENCH_PLUGIN_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_PLUGIN_NODE_OPTIONS } : {});

const fdCount = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The tick phase of agent `i` of `n`, spread evenly over obshell's scheduler period: independent hosts' engines run
 * out of step (each ticks from its own start), where simulators started together in one process would tick in unison
 * and turn every poll into a burst no real fleet sends.
 */
export function spreadPhase(i: number, n: number): number {
  return Math.floor((i * SCHEDULER_TICK_MS) / n);
}

/** Starts `n` simulated agents in this process, a few at a time (one shared key: generating 1,000 takes long). */
async function startAgents(n: number, password: string, privateKeyPem: string): Promise<Simulator[]> {
  const sims: Simulator[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) => startSimulator({ agentPassword: password, mode: "memory", privateKeyPem, tickPhaseMs: spreadPhase(i + j, n) }));
    sims.push(...(await Promise.all(batch)));
  }
  return sims;
}

/**
 * Creates `size` OBProxies through one plugin process, then destroys them through a fresh one, like `pulumi up` then
 * `pulumi destroy` (each runs its own plugin: the destroy's clients start knowing nothing of the agents).
 */
export async function runFleet(project: PackedProject, size: number, password: string, privateKeyPem: string): Promise<FleetResult> {
  const sims = await startAgents(size, password, privateKeyPem);
  try {
    const template = (await captureObProxy(project.dir, "fleet", { endpoint: sims[0]!.url, homePath: "/opt/fleet/0", rsList: "127.0.0.1:2881", agentPassword: password })).inputs;
    const creator = await startPlugin(project.dir, pluginEnv());
    const createStarted = Date.now();
    const created = await (async () => {
      try {
        await creator.rpc.configure({});
        return await Promise.all(sims.map((sim, i) => creator.rpc.create({ ...template, endpoint: sim.url, homePath: `/opt/fleet/${i}`, resourceName: `fleet-${i}` })));
      } finally {
        await creator.stop("SIGKILL");
      }
    })();
    const createWallMs = Date.now() - createStarted;
    return { ...(await destroyFleet(project, sims, template, created)), createWallMs };
  } finally {
    for (let i = 0; i < sims.length; i += 100) await Promise.all(sims.slice(i, i + 100).map((s) => s.stop()));
  }
}

type Created = { id: string; properties: Record<string, unknown> };

/** The measured part: a fresh plugin's idle RSS, then all deletes at once. */
async function destroyFleet(project: PackedProject, sims: Simulator[], template: Record<string, unknown>, created: Created[]): Promise<Omit<FleetResult, "createWallMs">> {
  const plugin = await startPlugin(project.dir, pluginEnv());
  try {
    await plugin.rpc.configure({});
    // Idle: a check loads the provider and our lifecycle without talking to any agent.
    await plugin.rpc.check({}, template);
    await sleep(1_000);
    const idleRssMb = statusMb(plugin.pid, "VmRSS");
    // Peak RSS of the destroy alone: writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0).
    const reset = resetPeakRss(plugin.pid);
    const marks = sims.map((sim) => sim.requests().length);
    let peakFds = fdCount(plugin.pid);
    const fdTimer = setInterval(() => (peakFds = Math.max(peakFds, fdCount(plugin.pid))), 250);
    const cpu0 = { plugin: cpuMs(plugin.pid), agents: cpuMs(process.pid) };
    const started = Date.now();
    await Promise.all(created.map((c) => plugin.rpc.delete(c.id, c.properties))).finally(() => clearInterval(fdTimer));
    const wallMs = Date.now() - started;
    const pluginCpuMs = cpuMs(plugin.pid) - cpu0.plugin;
    const agentsCpuMs = cpuMs(process.pid) - cpu0.agents;
    const peakRssMb = statusMb(plugin.pid, "VmHWM");
    const perSim = sims.map((sim, i) => {
      const window = sim.requests().slice(marks[i]);
      const del = window.find((r) => r.method === "DELETE" && r.status === 200);
      const dag = sim.control.state().dags.find((d) => d.name === "Delete obproxy");
      if (!del || !dag?.finishedAtMs) throw new Error(`fleet agent ${i}: no finished Delete DAG`);
      const polls = window.filter((r) => r.method === "GET" && r.path.startsWith("/api/v1/task/dag/")).length;
      return { dagMs: dag.finishedAtMs - del.time, polls, requests: window.length, acceptedAt: del.time };
    });
    const accepted = perSim.map((s) => s.acceptedAt);
    const longestDagMs = Math.max(...perSim.map((s) => s.dagMs));
    return {
      agents: sims.length,
      wallMs,
      longestDagMs,
      wallRatio: wallMs / longestDagMs,
      idleRssMb,
      peakRssMb,
      peakRssAboveIdleMb: peakRssMb - idleRssMb,
      peakRssScope: reset ? "destroy" : "create+destroy",
      peakFds,
      pollsPerDag: mean(perSim.map((s) => s.polls)),
      pollsPerSecond: mean(perSim.map((s) => s.polls / (s.dagMs / 1000))),
      requestsPerDelete: mean(perSim.map((s) => s.requests)),
      requestTimeouts: plugin.output().filter((l) => /RequestTimeout|timed out/i.test(l)).length,
      deleteSpreadMs: Math.max(...accepted) - Math.min(...accepted),
      pluginCpuMs,
      agentsCpuMs,
    };
  } finally {
    await plugin.stop("SIGKILL");
  }
}

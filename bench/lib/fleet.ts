/**
 * The fleet benchmark: 100 OBProxies on 100 simulated agents (memory mode, obshell's own durations), created then
 * destroyed through ONE dynamic-provider plugin process driven over gRPC like the engine does (test/engine/harness),
 * with all Delete RPCs in flight at once. Reports the destroy's wall time against the longest single Delete DAG, the
 * plugin's peak RSS (VmHWM), and the polls each DAG cost.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { captureObProxy } from "../../test/engine/harness/capture";
import { startPlugin } from "../../test/engine/harness/plugin";
import { preparePackedProject } from "../../test/engine/harness/project";
import { startSimulator, type Simulator } from "../../src/simulator";
import { mean } from "./stats";

/** Fleet figures. */
export interface FleetResult {
  size: number;
  timeScale: number;
  wallMs: number;
  longestDagMs: number;
  peakRssMb: number;
  /** Whether the peak covers the destroy only (VmHWM reset before it) or the plugin's whole life. */
  peakRssScope: "destroy" | "create+destroy";
  pollsPerDag: number;
  pollsPerSecond: number;
}

function vmHwmMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmHWM:"));
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

/** Creates and destroys `size` OBProxies through one plugin process. */
export async function runFleet(size: number, timeScale: number, password: string): Promise<FleetResult> {
  const project = await preparePackedProject({ build: false });
  const sims: Simulator[] = [];
  const plugin = await startPlugin(project.dir, timeScale === 1 ? {} : { OBSHELL_TASK_TIME_SCALE: String(timeScale) });
  try {
    for (let i = 0; i < size; i++) sims.push(await startSimulator({ agentPassword: password, timeScale, mode: "memory" }));
    await plugin.rpc.configure({});
    // One capture gives the serialized provider (`__provider`) the engine would send; the rest are plain inputs.
    const template = (await captureObProxy(project.dir, "fleet", { endpoint: sims[0]!.url, homePath: "/opt/fleet/0", rsList: "127.0.0.1:2881", agentPassword: password })).inputs;
    const created = await Promise.all(
      sims.map((sim, i) => plugin.rpc.create({ ...template, endpoint: sim.url, homePath: `/opt/fleet/${i}`, resourceName: `fleet-${i}` })),
    );
    // Peak RSS of the destroy alone: writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0); the creates came before.
    const reset = resetPeakRss(plugin.pid);
    const marks = sims.map((sim) => sim.requests().length);
    const started = Date.now();
    await Promise.all(created.map((c) => plugin.rpc.delete(c.id, c.properties)));
    const wallMs = Date.now() - started;
    const peakRssMb = vmHwmMb(plugin.pid);
    const perSim = sims.map((sim, i) => {
      const window = sim.requests().slice(marks[i]);
      const del = window.find((r) => r.method === "DELETE" && r.status === 200);
      const dag = sim.control.state().dags.find((d) => d.name === "Delete obproxy");
      if (!del || !dag?.finishedAtMs) throw new Error(`fleet agent ${i}: no finished Delete DAG`);
      const polls = window.filter((r) => r.method === "GET" && r.path.startsWith("/api/v1/task/dag/")).length;
      return { dagMs: dag.finishedAtMs - del.time, polls, spanMs: Math.max(1, Date.now() - del.time) };
    });
    return {
      size,
      timeScale,
      wallMs,
      longestDagMs: Math.max(...perSim.map((s) => s.dagMs)),
      peakRssMb,
      peakRssScope: reset ? "destroy" : "create+destroy",
      pollsPerDag: mean(perSim.map((s) => s.polls)),
      pollsPerSecond: mean(perSim.map((s) => s.polls / (s.dagMs / 1000))),
    };
  } finally {
    await plugin.stop("SIGKILL");
    await Promise.all(sims.map((s) => s.stop()));
    await project.cleanup();
  }
}

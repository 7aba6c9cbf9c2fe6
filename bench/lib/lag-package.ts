/**
 * This package's side of the completion-lag benchmark: create then delete through the provider's lifecycle
 * functions (the code `pulumi destroy` runs), N times on one simulator, measuring each delete.
 */
import { OBSHELL_TASK_MIN_DURATIONS_MS } from "../../src/obshell";
import { createLifecycle } from "../../src/provider/lifecycle";
import type { Simulator } from "../../src/simulator";
import { sampleDelete, type DeleteSample } from "./deletes";

/** Props for a create on `sim`. */
export function benchInputs(sim: Simulator, password: string, name: string): Record<string, unknown> {
  return { endpoint: sim.url, homePath: `/opt/bench/${name}`, rsList: "127.0.0.1:2881", agentPassword: password, resourceName: name, __provider: "exports.handler = () => ({});" };
}

/** Runs `n` create → delete cycles; obshell's task durations are scaled like the simulator's (OBSHELL_TASK_TIME_SCALE). */
export async function measurePackageDeletes(sim: Simulator, password: string, n: number, timeScale: number): Promise<DeleteSample[]> {
  const scaled = Object.fromEntries(Object.entries(OBSHELL_TASK_MIN_DURATIONS_MS).map(([k, ms]) => [k, ms * timeScale]));
  const lifecycle = createLifecycle({ sink: () => undefined, clientOptions: { taskMinDurationsMs: scaled } });
  const samples: DeleteSample[] = [];
  for (let i = 0; i < n; i++) {
    const { id, outs } = await lifecycle.create(benchInputs(sim, password, `pkg-${i}`));
    const from = sim.requests().length;
    await lifecycle.delete(id, outs);
    const returnedAt = Date.now();
    samples.push(sampleDelete(sim, sim.requests().slice(from), returnedAt));
  }
  return samples;
}

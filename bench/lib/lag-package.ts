/**
 * This package's side of the completion-lag benchmark: each sample on its own simulated agent, all at once. The
 * OBProxy is created through one lifecycle (set-up, not measured), then deleted through another whose client knows
 * nothing of the agent yet, like a `pulumi destroy` in a new plugin process: the delete's requests are the agent's
 * key, its time, the DELETE and the DAG polls.
 */
import { OBSHELL_TASK_MIN_DURATIONS_MS, systemClock, type Clock } from "../../src/obshell";
import { createLifecycle } from "../../src/provider/lifecycle";
import type { Simulator } from "../../src/simulator";
import { sampleDelete, type DeleteSample } from "./deletes";

/** Props for a create on `sim`. */
export function benchInputs(sim: Simulator, password: string, name: string): Record<string, unknown> {
  return { endpoint: sim.url, homePath: `/opt/bench/${name}`, rsList: "127.0.0.1:2881", agentPassword: password, resourceName: name, __provider: "exports.handler = () => ({});" };
}

/** A clock of its own: the client caches agent facts (key, skew) per clock, so the set-up leaves none behind. */
const setUpClock: Clock = { now: () => systemClock.now(), sleep: (ms, signal) => systemClock.sleep(ms, signal) };

/** One create → delete per simulator, concurrently; obshell's task durations scaled like the simulator's. */
export async function measurePackageDeletes(sims: readonly Simulator[], password: string, timeScale: number): Promise<DeleteSample[]> {
  const scaled = Object.fromEntries(Object.entries(OBSHELL_TASK_MIN_DURATIONS_MS).map(([k, ms]) => [k, ms * timeScale]));
  const setUp = createLifecycle({ sink: () => undefined, clientOptions: { taskMinDurationsMs: scaled, clock: setUpClock } });
  const lifecycle = createLifecycle({ sink: () => undefined, clientOptions: { taskMinDurationsMs: scaled } });
  return Promise.all(
    sims.map(async (sim, i) => {
      const { id, outs } = await setUp.create(benchInputs(sim, password, `pkg-${i}`));
      const from = sim.requests().length;
      await lifecycle.delete(id, outs);
      const returnedAt = Date.now();
      return sampleDelete(sim, sim.requests().slice(from), returnedAt);
    }),
  );
}

/**
 * Simulator + client pairs for the client's integration tests: started per test on 127.0.0.1, both closed after
 * it. Every password used is registered as a secret, and the client's log lines are scanned for secrets.
 */
import { OBSHELL_TASK_MIN_DURATIONS_MS } from "../../src/obshell/poll-schedule";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/simulator";
import { createObshellClient, systemClock, type Clock, type ObshellClient, type ObshellClientOptions } from "../../src/obshell";
import { TEST_PEM } from "./raw-agent";
import { secret, testLog } from "./secrets";

export const SIM_PW = secret("Sim-Agent-Pw-9f3!");
export const WRONG_PW = secret("Wrong-Pw-123");
export const HOME = "/home/admin/obproxy";

/** Minimum task durations of a simulator running at `scale` (the prediction must scale with it). */
export function scaledMins(scale: number): Record<string, number> {
  return Object.fromEntries(Object.entries(OBSHELL_TASK_MIN_DURATIONS_MS).map(([task, ms]) => [task, ms * scale]));
}

/** A real clock object of its own (agent facts are cached per clock). */
function ownClock(): Clock {
  return { now: () => systemClock.now(), sleep: (ms, signal) => systemClock.sleep(ms, signal) };
}

/** Starts simulators and clients for one test file; `closeAll()` in afterEach. */
export function simFixture(defaults: { scale?: number } = {}) {
  const sims: Simulator[] = [];
  const clients: ObshellClient[] = [];
  const scale = defaults.scale ?? 0.02;
  return {
    scale,
    async sim(o: SimulatorOptions = {}): Promise<Simulator> {
      const sim = await startSimulator({ mode: "memory", timeScale: scale, agentPassword: SIM_PW, privateKeyPem: TEST_PEM, ...o });
      sims.push(sim);
      return sim;
    },
    client(url: string, o: Partial<ObshellClientOptions> = {}): ObshellClient {
      const c = createObshellClient({
        endpoint: url, agentPassword: SIM_PW, taskMinDurationsMs: scaledMins(scale), requestTimeoutMs: 5_000, log: testLog, ...o,
      });
      clients.push(c);
      return c;
    },
    /**
     * A simulator and a client of it. The client gets a clock of its own: the client caches an agent's key and skew
     * per clock and endpoint, and a simulator started later on a port an earlier one used (ports are reused) must
     * not meet the earlier one's key.
     */
    async start(o: SimulatorOptions = {}, c: Partial<ObshellClientOptions> = {}): Promise<{ sim: Simulator; client: ObshellClient }> {
      const sim = await this.sim(o);
      return { sim, client: this.client(sim.url, { clock: ownClock(), ...c }) };
    },
    async closeAll(): Promise<void> {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await Promise.all(sims.splice(0).map((s) => s.stop()));
    },
  };
}

/** Adds an OBProxy and waits for it. */
export async function addAndWait(c: ObshellClient, deadlineMs = 20_000): Promise<void> {
  const dag = await c.addObproxy({ home_path: HOME, rs_list: "127.0.0.1:2881" });
  await c.waitForDag(dag.id, { deadline: Date.now() + deadlineMs });
}

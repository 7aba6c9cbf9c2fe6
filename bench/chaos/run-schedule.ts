/**
 * Runs one schedule: a fresh simulator (memory mode), create → destroy through the provider's lifecycle functions
 * with the schedule's faults, then — as an operator would after a failed destroy at 3 a.m. — clear the faults,
 * follow the error's advice when it names a DAG holding obshell's lock, and destroy once more.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { createObshellClient, OBSHELL_TASK_MIN_DURATIONS_MS } from "../../src/obshell";
import { startSimulator, type Simulator } from "../../src/simulator";
import { createLifecycle, type ObProxyLifecycle } from "../../src/provider/lifecycle";
import { timeoutMs } from "../../src/provider/durations";
import { armFaults } from "./arm";
import { publicState } from "./checks";
import { runOperation, type OpRecord } from "./operation";
import type { Phase, Schedule } from "./schedule";

const KEY_PEM = readFileSync(path.join(__dirname, "..", "..", "test", "fixtures", "test-agent-key-1024.pem"), "utf8");

/** What one schedule produced; the verdicts are computed in verdict.ts. */
export interface ScheduleRun {
  schedule: Schedule;
  secrets: string[];
  /** Every line the provider printed or returned, and every error text, for the secret scan. */
  texts: string[];
  ops: OpRecord[];
  /** create failed without keeping the resource in state (nothing for destroy to act on). */
  createLostTrack: boolean;
  /** Our OBProxy's home, and the second party's. */
  homes: { ours: string; party: string };
  /** Agent state at the end, after everything settled: whether OUR OBProxy is still managed (the party's is theirs). */
  finalManaged: boolean;
  finalUnfinishedDags: string[];
  /** Every DAG the agent ran, by id and name (to tell what a request acted on). */
  allDags?: Array<{ id: string; name: string }>;
  /** Failure of the harness itself (not of the package). */
  harnessError?: string;
}

/**
 * A simulator on a port below Linux's ephemeral range (32768+): an agent restart frees its port for the down time,
 * and an ephemeral one could be handed to another schedule's simulator or socket meanwhile.
 */
async function startSim(s: Schedule, password: string): Promise<Simulator> {
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + ((s.seed + attempt * 7_919) % 12_000);
    try {
      return await startSimulator({ port, agentPassword: password, timeScale: s.timeScale, mode: "memory", version: s.version, privateKeyPem: KEY_PEM });
    } catch (e) {
      if ((e as { code?: string }).code !== "EADDRINUSE" || attempt >= 20) throw e;
    }
  }
}

/** Obshell's minimum task durations scaled like the simulator's, as OBSHELL_TASK_TIME_SCALE would. */
function scaledDurations(scale: number): Record<string, number> {
  return Object.fromEntries(Object.entries(OBSHELL_TASK_MIN_DURATIONS_MS).map(([k, ms]) => [k, ms * scale]));
}

function inputsFor(sim: Simulator, s: Schedule, secrets: string[]): Record<string, unknown> {
  return {
    endpoint: sim.url,
    homePath: homesFor(s).ours,
    rsList: "127.0.0.1:2881",
    sqlPort: 2883,
    agentPassword: secrets[0],
    proxyroPassword: secrets[1],
    obproxySysPassword: secrets[2],
    timeouts: s.timeouts,
    resourceName: `chaos-${s.index}`,
    __provider: "exports.handler = () => ({});",
  };
}

function homesFor(s: Schedule): { ours: string; party: string } {
  return { ours: `/opt/chaos/obproxy-${s.index}`, party: `/opt/chaos/party-${s.index}` };
}

/** Runs schedule `s` to its end; never throws for the package's failures (they are data in the result). */
export async function runSchedule(s: Schedule): Promise<ScheduleRun> {
  const hex = s.seed.toString(16).padStart(8, "0");
  const secrets = [`Agent-${hex}-pw`, `Proxyro-${hex}-pw`, `Sys-${hex}-pw`];
  const texts: string[] = [];
  // The simulator's timers are unref'd; while the harness awaits an agent restart nothing else may hold the loop.
  const keepAlive = setInterval(() => undefined, 60_000);
  const sim = await startSim(s, secrets[0]!);
  const homes = homesFor(s);
  const run: ScheduleRun = { schedule: s, secrets, texts, ops: [], createLostTrack: false, homes, finalManaged: false, finalUnfinishedDags: [] };
  const lifecycle: ObProxyLifecycle = createLifecycle({
    sink: (line) => texts.push(line),
    clientOptions: { taskMinDurationsMs: scaledDurations(s.timeScale), log: (line) => texts.push(line) },
  });
  const op = async (name: string, phase: Phase, fn: () => Promise<unknown>, faults: boolean): Promise<OpRecord> => {
    const armed = await armFaults(sim, phase, faults ? s.events : [], { password: secrets[0]!, partyHome: homes.party });
    const rec = await runOperation(sim, name, phase, timeoutMs(s.timeouts, phase === "create" ? "create" : "delete"), fn, armed);
    texts.push(rec.errorText ?? "", JSON.stringify(publicState(rec.value ?? {})));
    sim.control.clearFaults();
    run.ops.push(rec);
    return rec;
  };
  try {
    const inputs = inputsFor(sim, s, secrets);
    const created = await op("create", "create", () => lifecycle.create(inputs), true);
    const value = created.value as { id: string; outs: Record<string, unknown> } | undefined;
    const failure = created.error as { id?: string; properties?: Record<string, unknown> } | undefined;
    const id = value?.id ?? failure?.id;
    const state = value?.outs ?? failure?.properties;
    if (id && state) {
      const first = await op("destroy", "destroy", () => lifecycle.delete(id, state), true);
      if (first.error !== undefined) await recover(sim, lifecycle, id, state, first, op, secrets[0]!);
    } else {
      run.createLostTrack = true;
    }
    await settleAgent(sim);
  } catch (e) {
    run.harnessError = (e as Error).stack ?? String(e);
  } finally {
    const st = sim.control.state();
    // The second party's OBProxy and DAGs are theirs to keep: a leak is ours left behind.
    const foreign = new Set(run.ops.flatMap((o) => o.foreignDags));
    run.finalManaged = st.managed && st.obproxy?.homePath !== homes.party;
    run.allDags = st.dags.map((d) => ({ id: d.id, name: d.name }));
    run.finalUnfinishedDags = st.dags.filter((d) => !d.isFinished && !foreign.has(d.id)).map((d) => `${d.name} ${d.id}`);
    await sim.stop();
    clearInterval(keepAlive);
  }
  return run;
}

type Op = (name: string, phase: Phase, fn: () => Promise<unknown>, faults: boolean) => Promise<OpRecord>;

/**
 * The operator's second attempt: faults cleared; when an error names a failed DAG holding obshell's lock (by
 * design only an operator may retry or pass it), its advice is followed first, as an operator would.
 */
async function recover(sim: Simulator, lifecycle: ObProxyLifecycle, id: string, state: Record<string, unknown>, first: OpRecord, op: Op, password: string): Promise<void> {
  let last = first;
  if (!(await followLockAdvice(sim, last, password))) {
    last = await op("destroy (again)", "destroy", () => lifecycle.delete(id, state), false);
    if (!(await followLockAdvice(sim, last, password))) return;
  }
  await op("destroy (after retrying the DAG holding the lock)", "destroy", () => lifecycle.delete(id, state), false);
}

/** Retries the DAG a LockHeld error names, as its message advises; false when the error is something else. */
async function followLockAdvice(sim: Simulator, rec: OpRecord, password: string): Promise<boolean> {
  const err = rec.error as { code?: string; dagId?: string } | undefined;
  if (err?.code === "LockHeld" && err.dagId) {
    const client = createObshellClient({ endpoint: sim.url, agentPassword: password, taskMinDurationsMs: {} });
    try {
      await client.operateDag(err.dagId, "RETRY");
      await client.waitForDag(err.dagId, { deadline: Date.now() + 30_000 }).catch(() => undefined);
    } finally {
      await client.close();
    }
    return true;
  }
  return false;
}

/** Waits (bounded) until no DAG runs on the agent, so the final state is the settled one. */
async function settleAgent(sim: Simulator): Promise<void> {
  for (let i = 0; i < 200 && sim.control.state().dags.some((d) => !d.isFinished && d.state !== "FAILED"); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
}

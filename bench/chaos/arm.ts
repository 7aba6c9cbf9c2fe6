/**
 * Arms the faults of one operation on a simulator: at once, after a delay, or as soon as the operation's DAG
 * exists. Pending agent restarts are tracked so the runner can wait for the agent to listen again.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createObshellClient } from "../../src/obshell";
import { OBPROXY_DAGS } from "../../src/obshell/schemas";
import type { Simulator } from "../../src/simulator";
import type { Fault, FaultEvent, Phase } from "./schedule";

/** Faults armed for one operation; `settle()` waits for timers and restarts, `stop()` cancels what is not armed yet. */
export interface ArmedFaults {
  /** DAG ids created out of band (the Stop holding the lock, the second party's), excluded from the operation's own DAGs. */
  outOfBand: Set<string>;
  stop(): void;
  /** Waits for triggers and restarts; rejects when a restart could not listen again (a harness failure). */
  settle(): Promise<void>;
}

/** Who the faults act as: the agent password, and the home of the second party's OBProxy. */
export interface Actors {
  password: string;
  partyHome: string;
}

/** Waits (bounded) until DAG `id` is finished or failed. */
async function dagSettled(sim: Simulator, id: string): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    const d = sim.control.state().dags.find((x) => x.id === id);
    if (!d || d.isFinished || d.state === "FAILED") return;
    await sleep(5);
  }
}

/** The second party adds its OBProxy at its own home; ours, when managed, is lost out of band first. */
async function partyAdd(sim: Simulator, outOfBand: Set<string>, home: string): Promise<void> {
  const c = sim.control;
  if (c.state().managed) {
    const gone = await c.partyDeleteObproxy();
    if (!gone.ok || !gone.dagId) return;
    outOfBand.add(gone.dagId);
    await dagSettled(sim, gone.dagId);
  }
  const added = await c.partyAddObproxy({ home_path: home, rs_list: "127.0.0.1:2881", sql_port: 3883, rpc_port: 3885, exporter_port: 3884 });
  if (added.ok && added.dagId) outOfBand.add(added.dagId);
}

/** Applies one fault now. */
async function apply(sim: Simulator, f: Fault, pending: Promise<unknown>[], outOfBand: Set<string>, actors: Actors): Promise<void> {
  const c = sim.control;
  const password = actors.password;
  switch (f.kind) {
    case "refused": {
      const restart = c.restart({ downMs: f.downMs });
      // Observed at once (settle() awaits it later): a failed re-listen is the harness's failure, reported there.
      restart.catch(() => undefined);
      pending.push(restart);
      return;
    }
    case "reset": return c.resetConnections({ count: f.count, path: f.path });
    case "drop": return c.dropConnections({ count: f.count, path: f.path });
    case "5xx": return c.respond5xx({ status: f.status, count: f.count, path: f.path });
    case "slow": return c.delayResponses({ ms: f.ms, count: f.count, path: f.path });
    case "malformed": return c.malformedResponses({ kind: f.malformed, count: f.count, path: f.path });
    case "dag-fail": return c.failTask({ task: f.task, times: "once" });
    case "rotate-key": return c.rotateKey();
    case "clock-skew": return c.skewClock(f.ms);
    case "party-add": return partyAdd(sim, outOfBand, actors.partyHome);
    case "party-delete": {
      const r = await c.partyDeleteObproxy();
      if (r.ok && r.dagId) outOfBand.add(r.dagId);
      return;
    }
    case "operator-pass": return c.failTask({ task: f.task, times: "once", then: "pass" });
    case "silent": return c.silence({ count: 100_000, ...(f.path ? { path: f.path } : {}) });
    case "under-maintenance": {
      // Someone else's Stop, submitted just before destroy: obshell refuses the DELETE until it is over.
      if (!c.state().managed) return;
      const side = createObshellClient({ endpoint: sim.url, agentPassword: password });
      try {
        const dag = await side.stopObproxy();
        outOfBand.add(dag.id);
      } catch {
        // The lock may already be taken (a failed add): then the fault is there anyway.
      } finally {
        await side.close();
      }
    }
  }
}

/** The first DAG of the phase's kind not in `known`, polled every few ms until `signal` stops it. */
async function untilDag(sim: Simulator, phase: Phase, known: Set<string>, signal: AbortSignal): Promise<boolean> {
  const name = OBPROXY_DAGS[phase === "create" ? "add" : "delete"].name;
  for (let i = 0; i < 6_000 && !signal.aborted; i++) {
    if (sim.control.state().dags.some((d) => d.name === name && !known.has(d.id))) return true;
    await sleep(5, undefined, { signal }).catch(() => undefined);
  }
  return false;
}

/** Arms `events` of `phase`: "start" ones before this returns, the others in the background. */
export async function armFaults(sim: Simulator, phase: Phase, events: readonly FaultEvent[], actors: Actors): Promise<ArmedFaults> {
  const pending: Promise<unknown>[] = [];
  const outOfBand = new Set<string>();
  const ctl = new AbortController();
  const known = new Set(sim.control.state().dags.map((d) => d.id));
  // The out-of-band Stop goes first, so the other faults hit the operation, not that Stop's request.
  const ordered = events.filter((e) => e.phase === phase).sort((a, b) => Number(b.fault.kind === "under-maintenance") - Number(a.fault.kind === "under-maintenance"));
  for (const e of ordered) {
    if (e.trigger.at === "start") {
      await apply(sim, e.fault, pending, outOfBand, actors);
      continue;
    }
    const trigger = e.trigger;
    pending.push(
      (async () => {
        const fire = trigger.at === "delay" ? await sleep(trigger.ms, true, { signal: ctl.signal }).catch(() => false) : await untilDag(sim, phase, known, ctl.signal);
        if (fire && !ctl.signal.aborted) await apply(sim, e.fault, pending, outOfBand, actors);
      })(),
    );
  }
  return {
    outOfBand,
    stop: () => ctl.abort(),
    settle: async () => {
      // New restarts may be pushed while earlier promises settle.
      let seen = 0;
      while (seen < pending.length) {
        const batch = pending.slice(seen);
        seen = pending.length;
        for (const r of await Promise.allSettled(batch)) if (r.status === "rejected") throw r.reason;
      }
    },
  };
}

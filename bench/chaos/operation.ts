/**
 * One provider operation under faults: timed against its deadline (with a watchdog, so a hang is counted instead of
 * stalling the run), with the requests and DAGs it caused read from the simulator afterwards.
 */
import type { RequestLogEntry, Simulator } from "../../src/simulator";
import type { ArmedFaults } from "./arm";
import { errorText } from "./checks";
import type { Phase } from "./schedule";

/** How long past its deadline an operation is given before it counts as hung rather than late. */
export const WATCHDOG_EXTRA_MS = 30_000;

/** What one operation did. */
export interface OpRecord {
  name: string;
  phase: Phase;
  /** The operation's `timeouts` value in ms: its deadline, counted from its start. */
  timeoutMs: number;
  wallMs: number;
  /** How late this process's timers ran during the operation: time the machine did not give it (2 loaded cores). */
  starvedMs?: number;
  /** Did not return within timeout + WATCHDOG_EXTRA_MS. */
  hung: boolean;
  value?: unknown;
  error?: unknown;
  errorText?: string;
  /** Requests the simulator logged from the operation's start until its faults settled. */
  requests: RequestLogEntry[];
  /** DAGs created during the operation, out-of-band ones excluded, as [name, id, home it acts on]. */
  dags: Array<[string, string, string?]>;
  /** DAG ids created out of band (another party, an operator) during the operation. */
  foreignDags: string[];
  /** What the agent managed right when the operation returned (before its faults settled). */
  managedAfter: { managed: boolean; homePath?: string };
}

const PROBE_MS = 25;

/**
 * Sums how late a 25 ms timer fires: on a machine shared with other work, a process starved of CPU sees its own
 * deadlines pass late, which says nothing about the code under test. The hang check allows for it.
 */
function starvationProbe(): { stop(): number } {
  let late = 0;
  let last = Date.now();
  const t = setInterval(() => {
    const now = Date.now();
    late += Math.max(0, now - last - PROBE_MS);
    last = now;
  }, PROBE_MS);
  return { stop: () => (clearInterval(t), late) };
}

/** Runs `fn` with `armed` faults and records it. */
export async function runOperation(
  sim: Simulator,
  name: string,
  phase: Phase,
  timeoutMs: number,
  fn: () => Promise<unknown>,
  armed: ArmedFaults,
): Promise<OpRecord> {
  const startIndex = sim.requests().length;
  const known = new Set(sim.control.state().dags.map((d) => d.id));
  const rec: OpRecord = { name, phase, timeoutMs, wallMs: 0, hung: false, requests: [], dags: [], foreignDags: [], managedAfter: { managed: false } };
  const started = Date.now();
  const starvation = starvationProbe();
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<"hung">((resolve) => {
    timer = setTimeout(() => resolve("hung"), timeoutMs + WATCHDOG_EXTRA_MS);
  });
  try {
    const outcome = await Promise.race([fn().then((value) => ({ value })), watchdog]);
    if (outcome === "hung") rec.hung = true;
    else rec.value = outcome.value;
  } catch (e) {
    rec.error = e;
    rec.errorText = errorText(e);
  } finally {
    clearTimeout(timer);
  }
  rec.wallMs = Date.now() - started;
  rec.starvedMs = starvation.stop();
  const after = sim.control.state();
  rec.managedAfter = { managed: after.managed, ...(after.obproxy ? { homePath: after.obproxy.homePath } : {}) };
  armed.stop();
  await armed.settle();
  rec.requests = sim.requests().slice(startIndex);
  const dags = sim.control.state().dags.filter((d) => !known.has(d.id));
  rec.dags = dags.filter((d) => !armed.outOfBand.has(d.id)).map((d) => [d.name, d.id, d.homePath]);
  rec.foreignDags = [...armed.outOfBand];
  return rec;
}

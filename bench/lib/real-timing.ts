/**
 * obshell's real engine timing, for the benchmark until the simulator itself is calibrated to it (issue 10): a real
 * obshell 4.5 agent picks a new DAG and each next node up on a ~1 s engine tick (every agent its own phase), and no
 * node takes less than ~1 s ("Check obproxy status" 1.01 s; Delete ≈ 11 s, Add ≈ 17 s end to end). This replaces the
 * simulator engine's node loop for the benchmark process only; the tasks themselves (effects, logs, Stop's 5 s,
 * Start's 10 s) are the simulator's own. Set BENCH_REAL_TIMING=0 to measure the simulator's plain timing instead.
 */
import { DagEngine, type DagRecord } from "../../src/simulator/dag-engine";

export const TICK_MS = 1_000;
/** The shortest node on the real agent, and what it takes beyond its work. */
const NODE_MIN_MS = 1_000;
const OVERHEAD_MS = 10;

/** The engine's private members this model drives (same names as in dag-engine.ts). */
interface EngineInternals {
  o: { clock: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> }; agentNow(): number };
  stopped: boolean;
  execute(dag: DagRecord, i: number, ctx: unknown): Promise<void>;
  ctxFor(dag: DagRecord, node: DagRecord["nodes"][number], signal: AbortSignal): unknown;
  recordFailure(dag: DagRecord, node: DagRecord["nodes"][number], e: unknown): void;
  fail(dag: DagRecord, i: number): void;
  finish(dag: DagRecord, state: "SUCCEED"): void;
}

const phases = new WeakMap<object, number>();

/** Runs a DAG like the real engine: pick-up on a tick, every node ≥ 1 s, the next node on the next tick. */
async function runOnTicks(this: EngineInternals, dag: DagRecord, signal: AbortSignal): Promise<void> {
  const { clock } = this.o;
  let phase = phases.get(this);
  if (phase === undefined) phases.set(this, (phase = Math.floor(Math.random() * TICK_MS)));
  const toTick = () => (((phase! - clock.now()) % TICK_MS) + TICK_MS) % TICK_MS;
  await clock.sleep(toTick(), signal);
  dag.state = "RUNNING";
  // obshell resets a DAG's start_time when its engine picks the DAG up.
  dag.startMs = this.o.agentNow();
  let first = true;
  for (let i = dag.stage - 1; i < dag.nodes.length; i++) {
    const node = dag.nodes[i]!;
    if (node.state === "SUCCEED") continue;
    try {
      if (!first) await clock.sleep(toTick() || TICK_MS, signal);
      first = false;
      dag.stage = i + 1;
      Object.assign(node, { state: "RUNNING", startMs: this.o.agentNow(), logs: node.logs ?? [] });
      node.executeTimes++;
      const t0 = clock.now();
      await this.execute(dag, i, this.ctxFor(dag, node, signal));
      await clock.sleep(Math.max(0, t0 + NODE_MIN_MS - clock.now()) + OVERHEAD_MS, signal);
      Object.assign(node, { state: "SUCCEED", endMs: this.o.agentNow() });
    } catch (e) {
      if (this.stopped) return;
      this.recordFailure(dag, node, e);
      return this.fail(dag, i);
    }
  }
  this.finish(dag, "SUCCEED");
}

/** Puts the real timing in place for this process (idempotent); returns whether it is on. */
export function installRealTiming(): boolean {
  if (process.env.BENCH_REAL_TIMING === "0") return false;
  (DagEngine.prototype as unknown as { run: unknown }).run = runOnTicks;
  return true;
}

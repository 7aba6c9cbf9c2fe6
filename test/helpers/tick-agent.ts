/**
 * A DAG timeline shaped like the real obshell 4.5 engine, for schedule tests: a ~1 s tick picks the DAG and each next
 * node up, every node runs its duration from its pick-up (real Delete: ≈ 1.01 s, 5.01 s, 1.01 s, 1.01 s ≈ 11 s).
 */
import type { DagDetail, DagState } from "../../src/obshell/schemas";
import { dag as buildDag } from "./dags";

export interface TickAgentNode {
  name: string;
  ms: number;
}

export const REAL_DELETE: TickAgentNode[] = [
  { name: "Check obproxy status", ms: 1_010 },
  { name: "Stop obproxy", ms: 5_010 },
  { name: "Delete obproxy", ms: 1_010 },
  { name: "Clean obproxy dir", ms: 1_010 },
];

/**
 * Node start/end times (agent epoch ms) of a DAG created at `createdAt` on an engine ticking every `tickMs` from
 * `phase`; with `endOnTick` a node's end is seen at the first tick after its work (the simulator's engine model).
 */
export function tickSchedule(createdAt: number, phase: number, nodes: TickAgentNode[], tickMs = 1_000, endOnTick = false): { start: number; end: number }[] {
  const origin = createdAt - (((createdAt - phase) % tickMs) + tickMs) % tickMs;
  const next = (t: number) => origin + (Math.floor((t - origin) / tickMs) + 1) * tickMs;
  const atOrAfter = (t: number) => origin + Math.ceil((t - origin) / tickMs) * tickMs;
  const out: { start: number; end: number }[] = [];
  let t = createdAt;
  for (const n of nodes) {
    const start = next(t);
    const end = endOnTick ? atOrAfter(start + n.ms) : start + n.ms;
    out.push({ start, end });
    t = end;
  }
  return out;
}

/** The DAG as read at agent time `now`. */
export function tickDagAt(name: string, nodes: TickAgentNode[], createdAt: number, times: { start: number; end: number }[], now: number): DagDetail {
  const iso = (ms: number) => new Date(ms).toISOString();
  const state = (i: number): DagState => (now >= times[i]!.end ? "SUCCEED" : now >= times[i]!.start ? "RUNNING" : "PENDING");
  const states = nodes.map((_, i) => state(i));
  const done = states.every((s) => s === "SUCCEED");
  const running = states.findIndex((s) => s === "RUNNING");
  const lastDone = states.lastIndexOf("SUCCEED");
  const stage = done ? nodes.length : running >= 0 ? running + 1 : Math.max(1, lastDone + 1);
  const picked = now >= times[0]!.start;
  const d = buildDag({ name, state: done ? "SUCCEED" : picked ? "RUNNING" : "READY", stage, nodes: nodes.map((n, i) => ({ name: n.name, state: states[i]! })) });
  d.start_time = iso(picked ? times[0]!.start : createdAt);
  d.end_time = iso(done ? times.at(-1)!.end : now);
  d.nodes!.forEach((node, i) => {
    const started = states[i] !== "PENDING";
    const start = iso(started ? times[i]!.start : createdAt);
    const end = iso(states[i] === "SUCCEED" ? times[i]!.end : started ? times[i]!.start : createdAt);
    Object.assign(node, { start_time: start, end_time: end });
    Object.assign(node.sub_tasks![0]!, { start_time: start, end_time: end });
  });
  return d;
}

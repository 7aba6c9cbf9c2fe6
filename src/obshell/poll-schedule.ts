/**
 * When to read a DAG next: pure functions, so the schedule is unit-tested without clocks.
 *
 * obshell tells us enough to poll only when a change can have happened (protocol §5; real agent 4.5):
 * - Its engine runs on a ~1 s tick: a new DAG and each next node are picked up on a tick, and a node's end is seen on
 *   one, so the node `start_time`s (nanosecond precision) lie on one grid: two starts give its phase, starts a few
 *   ticks apart its period.
 * - Every node takes at least ~1 s, and some much longer (`Start obproxy` sleeps 10 s before its health check,
 *   `Stop obproxy` kills, sleeps 5 s, then checks): the earliest end of the RUNNING node is its start plus that
 *   minimum, plus what the DAG's finished nodes show the agent takes beyond their minimums.
 * - Between nodes (one finished, the next not picked up yet) the next can start on the next tick at the earliest.
 * So the next poll goes shortly after the earliest moment the current node can end (or the next node, once picked
 * up, can end): one poll per node when the agent runs to its minimums, completion seen within ~`afterMs` + one round
 * trip, and nothing faster than that. Only when a node outlives its prediction (or nothing is predictable: unknown
 * tasks, no details, agent times reset) does the schedule fall back to backing off from the last change, capped.
 */
import { OBPROXY_DAGS, type DagDetail, type DagState } from "./schemas";

/** Tunables of the schedule (ms). */
export const POLL = {
  /** First poll after a change in the backoff fallback, and its floor. */
  firstMs: 150,
  /** Backoff: the next delay is this fraction of the time since the last change (or the missed prediction). */
  quietFactor: 0.6,
  capMs: 2_000,
  jitter: 0.2,
  /** Poll this long after the earliest moment a change can have happened (agent jitter, clock error). */
  afterMs: 30,
  /** After a missed prediction the backoff starts this low: the change is usually only a little late. */
  missedFloorMs: 50,
  /** obshell's engine tick. */
  tickMs: 1_000,
  /** Starts within this distance of the learned tick grid count as on it. */
  tickToleranceMs: 40,
  /** What finished nodes teach about the agent's overhead beyond a minimum is capped at this. */
  maxLearnedExtraMs: 500,
} as const;

/** The shortest node obshell runs: its engine picks nodes up on a ~1 s tick and none finishes faster. */
export const OBSHELL_NODE_MIN_MS = 1_000;

/**
 * Minimum durations of obshell sub tasks, by name (protocol §5.6, `ob/agent/executor/obproxy`): every OBProxy task
 * takes at least a node (~1 s), `Start obproxy` 10 s, `Stop obproxy` 5 s. Scale them with the simulator's timeScale.
 */
export const OBSHELL_TASK_MIN_DURATIONS_MS: Readonly<Record<string, number>> = Object.freeze({
  ...Object.fromEntries(Object.values(OBPROXY_DAGS).flatMap((d) => d.tasks.map((t) => [t, OBSHELL_NODE_MIN_MS]))),
  "Start obproxy": 10_000,
  "Stop obproxy": 5_000,
});

/** What the backoff looks at. Times are local epoch ms. */
export interface PollScheduleInput {
  now: number;
  /** When the last change (stage, state, task) was seen; the wait's start before any. */
  lastChangeAt: number;
  /** A predicted moment that has passed without the change: back off from it rather than from the last change. */
  missedPredictionAt?: number;
  /** A random number in [0, 1) for jitter. */
  random: number;
}

/** The backoff fallback: ms to sleep before the next poll when no change can be predicted. */
export function nextPollDelay(s: PollScheduleInput): number {
  const missed = s.missedPredictionAt !== undefined && s.missedPredictionAt > s.lastChangeAt;
  const quietSince = missed ? s.missedPredictionAt! : s.lastChangeAt;
  const floor = missed ? POLL.missedFloorMs : POLL.firstMs;
  const base = Math.max(floor, (s.now - quietSince) * POLL.quietFactor);
  const jittered = base * (1 - POLL.jitter + 2 * POLL.jitter * s.random);
  return Math.round(Math.min(POLL.capMs, Math.max(floor * (1 - POLL.jitter), jittered)));
}

/** One node as the schedule sees it: times local epoch ms (agent times corrected by the skew), when usable. */
export interface NodeTiming {
  name: string;
  state: DagState;
  startMs?: number;
  endMs?: number;
  /** Its logs say it ends without waiting (a Stop that found no process). */
  endsAtOnce?: boolean;
}

/** A DAG reduced to what the schedule needs. */
export interface DagTimeline {
  state: DagState;
  /** 1-based current stage. */
  stage: number;
  nodes: readonly NodeTiming[];
  /** The DAG's start (reset by obshell when its engine picks the DAG up), local ms, when usable. */
  startMs?: number;
}

/** obshell resets times to the epoch after an operator change; such a time predicts nothing. */
function usableTime(text: string | undefined, skewMs: number): number | undefined {
  const t = text === undefined ? NaN : Date.parse(text);
  return Number.isFinite(t) && t >= Date.UTC(2000, 0, 1) ? t - skewMs : undefined;
}

/**
 * The nodes of a DAG not picked up yet, from its known layout (the answer that creates a DAG has `nodes: null`):
 * those before its stage done, the rest pending, none with times. Undefined for other DAGs without details.
 */
function layoutNodes(dag: DagDetail): NodeTiming[] | undefined {
  if (dag.state !== "READY") return undefined;
  const layout = Object.values(OBPROXY_DAGS).find((d) => d.name === dag.name);
  if (!layout) return undefined;
  return layout.tasks.map((name, i): NodeTiming => ({ name, state: i < dag.stage - 1 ? "SUCCEED" : "PENDING" }));
}

/**
 * The timeline of a DAG read with details; undefined without node details, except for a DAG not picked up yet of a
 * known layout (see layoutNodes). `skewMs` = agent clock − ours.
 */
export function dagTimeline(dag: DagDetail, skewMs: number): DagTimeline | undefined {
  if (!dag.nodes || dag.nodes.length === 0) {
    const nodes = layoutNodes(dag);
    return nodes ? { state: dag.state, stage: dag.stage, nodes } : undefined;
  }
  const nodes = dag.nodes.map((n): NodeTiming => {
    // The sub task's times are the execution's; the node's are the fallback.
    const task = n.sub_tasks?.[0];
    const startMs = usableTime(task?.start_time ?? n.start_time, skewMs);
    const endMs = usableTime(task?.end_time ?? n.end_time, skewMs);
    const endsAtOnce = (task?.task_logs ?? []).some((l) => /not running/i.test(l));
    return { name: n.name, state: n.state, ...(startMs !== undefined ? { startMs } : {}), ...(endMs !== undefined ? { endMs } : {}), ...(endsAtOnce ? { endsAtOnce } : {}) };
  });
  const startMs = dag.state === "RUNNING" ? usableTime(dag.start_time, skewMs) : undefined;
  return { state: dag.state, stage: dag.stage, nodes, ...(startMs !== undefined ? { startMs } : {}) };
}

const mod = (a: number, m: number) => ((a % m) + m) % m;

/** obshell's engine tick as learned from one DAG: its period and one tick (local ms). */
export interface EngineTick {
  periodMs: number;
  originMs: number;
}

/**
 * The engine tick, learned from the start times of picked-up nodes and of the DAG (all on ticks): the period from
 * the span between the first and last start (nominal `tickMs` while they span less than a tick), the origin from
 * the first. Only when every start lies on that grid within the tolerance: an agent without a tick (a sped-up
 * simulator) has scattered starts and gets none.
 */
export function learnTick(t: DagTimeline, nominalMs: number = POLL.tickMs): EngineTick | undefined {
  const starts = t.nodes.filter((n) => n.state !== "PENDING" && n.state !== "READY" && n.startMs !== undefined).map((n) => n.startMs!);
  if (t.startMs !== undefined) starts.push(t.startMs);
  if (starts.length < 2) return undefined;
  starts.sort((x, y) => x - y);
  const originMs = starts[0]!;
  const span = starts.at(-1)! - originMs;
  const ticks = Math.round(span / nominalMs);
  const periodMs = ticks === 0 ? nominalMs : span / ticks;
  if (periodMs < nominalMs * 0.9 || periodMs > nominalMs * 1.1) return undefined;
  const tolerance = POLL.tickToleranceMs * (nominalMs / POLL.tickMs);
  const onGrid = starts.every((s) => {
    const off = mod(s - originMs, periodMs);
    return Math.min(off, periodMs - off) <= tolerance;
  });
  return onGrid ? { periodMs, originMs } : undefined;
}

/** The first tick at or after `at`. */
export function tickAtOrAfter(at: number, tick: EngineTick): number {
  return tick.originMs + Math.ceil((at - tick.originMs - 1e-6) / tick.periodMs) * tick.periodMs;
}

/** The earliest end of a node started at `start` with minimum `min`: its end is seen on a tick when ticks are known. */
function earliestEnd(start: number, min: number, tick: EngineTick | undefined): number {
  return tick ? tickAtOrAfter(start + min, tick) : start + min;
}

/**
 * The nominal tick for these minimums: no node is shorter than a tick, so the shortest minimum is one (1 s for
 * obshell; scaled with the minimums against a sped-up simulator).
 */
export function nominalTickMs(mins: Readonly<Record<string, number>>): number {
  const shortest = Math.min(...Object.values(mins).filter((m) => m > 0));
  return Number.isFinite(shortest) ? Math.min(shortest, POLL.tickMs) : POLL.tickMs;
}

/** How much later than predicted this DAG's finished nodes ended (median, ≥ 0, capped). */
export function learnExtraMs(t: DagTimeline, mins: Readonly<Record<string, number>>, tick: EngineTick | undefined = learnTick(t, nominalTickMs(mins))): number {
  const extras = t.nodes
    .filter((n) => n.state === "SUCCEED" && n.startMs !== undefined && n.endMs !== undefined && mins[n.name] !== undefined && !n.endsAtOnce)
    .map((n) => n.endMs! - earliestEnd(n.startMs!, mins[n.name]!, tick))
    .sort((a, b) => a - b);
  if (extras.length === 0) return 0;
  return Math.min(POLL.maxLearnedExtraMs, Math.max(0, extras[Math.floor((extras.length - 1) / 2)]!));
}

/** The node's minimum; a node whose logs say it ends at once gets the shortest minimum known. */
function minOf(n: NodeTiming, mins: Readonly<Record<string, number>>): number | undefined {
  const min = mins[n.name];
  if (min === undefined || !n.endsAtOnce) return min;
  return Math.min(min, ...Object.values(mins));
}

/**
 * The earliest local time the DAG can next finish a node (or itself), or undefined when not predictable.
 * `now` places the next pick-up of a node not yet started.
 */
export function earliestNextEnd(t: DagTimeline, mins: Readonly<Record<string, number>>, now: number): number | undefined {
  if (t.state !== "RUNNING" && t.state !== "READY" && t.state !== "PENDING") return undefined;
  const i = Math.min(Math.max(0, t.stage - 1), t.nodes.length - 1);
  const cur = t.nodes[i]!;
  const tick = learnTick(t, nominalTickMs(mins));
  const extra = learnExtraMs(t, mins, tick);
  if (cur.state === "RUNNING") {
    const min = minOf(cur, mins);
    return cur.startMs === undefined || min === undefined ? undefined : earliestEnd(cur.startMs, min, tick) + extra;
  }
  // Not picked up yet (a new DAG), or between nodes: the next node starts on the next tick at the earliest.
  const next = cur.state === "SUCCEED" ? t.nodes[i + 1] : cur.state === "FAILED" ? undefined : cur;
  if (!next) return undefined;
  const min = minOf(next, mins);
  if (min === undefined) return undefined;
  const pickup = tick ? tickAtOrAfter(now, tick) : now;
  return earliestEnd(pickup, min, tick) + extra;
}

/** The index of the node whose end `earliestNextEnd` predicts, or undefined when it predicts none. */
function predictedNode(t: DagTimeline, mins: Readonly<Record<string, number>>): number | undefined {
  if (t.state !== "RUNNING" && t.state !== "READY" && t.state !== "PENDING") return undefined;
  const i = Math.min(Math.max(0, t.stage - 1), t.nodes.length - 1);
  const cur = t.nodes[i]!;
  if (cur.state === "RUNNING") return cur.startMs === undefined || minOf(cur, mins) === undefined ? undefined : i;
  const next = cur.state === "SUCCEED" ? i + 1 : cur.state === "FAILED" ? undefined : i;
  return next === undefined || next >= t.nodes.length || minOf(t.nodes[next]!, mins) === undefined ? undefined : next;
}

/**
 * True when the poll `planPollDelay` schedules is placed on the predicted end of the DAG's last node: the poll
 * expected to see the DAG end (it may not: a node can outlive its prediction).
 */
export function expectsDagEnd(p: PollPlanInput): boolean {
  if (!p.timeline) return false;
  const node = predictedNode(p.timeline, p.mins);
  if (node !== p.timeline.nodes.length - 1) return false;
  const end = earliestNextEnd(p.timeline, p.mins, p.now);
  return end !== undefined && end + POLL.afterMs > p.now;
}

/** What `planPollDelay` looks at. */
export interface PollPlanInput {
  now: number;
  lastChangeAt: number;
  random: number;
  /** The DAG as last read; absent after a failed read (then the backoff rides it out). */
  timeline?: DagTimeline;
  mins: Readonly<Record<string, number>>;
}

/** Milliseconds to sleep before the next poll: just after the earliest possible change, else the backoff. */
export function planPollDelay(p: PollPlanInput): number {
  const end = p.timeline ? earliestNextEnd(p.timeline, p.mins, p.now) : undefined;
  if (end !== undefined && end + POLL.afterMs > p.now) return Math.max(1, Math.round(end + POLL.afterMs - p.now));
  const backoff = nextPollDelay({ now: p.now, lastChangeAt: p.lastChangeAt, random: p.random, ...(end !== undefined ? { missedPredictionAt: end } : {}) });
  // A node past its prediction on a ticking agent ends on a later tick: never wait past the next one.
  const tick = end !== undefined && p.timeline ? learnTick(p.timeline, nominalTickMs(p.mins)) : undefined;
  if (!tick) return backoff;
  const nextSeen = tickAtOrAfter(p.now - POLL.afterMs + 1, tick) + POLL.afterMs;
  return Math.max(1, Math.min(backoff, Math.round(nextSeen - p.now)));
}

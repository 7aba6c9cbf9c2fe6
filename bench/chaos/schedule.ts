/**
 * Fault schedules: for one create → destroy of an ObProxy, which faults the simulator injects, in which operation,
 * and when. Generated from a seed, so every schedule is reproducible from the run seed and its index.
 */
import type { MalformedKind } from "../../src/simulator";
import { OBPROXY_DAGS } from "../../src/obshell/schemas";
import { createRng, scheduleSeed, type Rng } from "./rng";

/** The provider operation a fault is aimed at. */
export type Phase = "create" | "destroy";

/** When a fault is armed: before the operation's first request, some time into it, or once its DAG exists. */
export type Trigger = { at: "start" } | { at: "delay"; ms: number } | { at: "dag" };

/** One injected fault. Counted faults hit the next `count` requests whose path starts with `path` (any when unset). */
export type Fault =
  | { kind: "refused"; downMs: number } // agent restart: the listener is down, connections are refused
  | { kind: "reset"; count: number; path?: string }
  | { kind: "drop"; count: number; path?: string }
  | { kind: "5xx"; status: number; count: number; path?: string }
  | { kind: "slow"; ms: number; count: number; path?: string }
  | { kind: "malformed"; malformed: MalformedKind; count: number; path?: string }
  | { kind: "dag-fail"; task: string }
  | { kind: "under-maintenance" } // another OBProxy DAG (a Stop) holds obshell's lock when destroy starts
  | { kind: "rotate-key" }
  | { kind: "clock-skew"; ms: number }
  // Actors of a shared agent: a second client adds its own OBProxy at another home (ours lost out of band first,
  // when one is managed: obshell manages one per agent), or deletes whatever the agent manages.
  | { kind: "party-add" }
  | { kind: "party-delete" }
  // An operator in obshell's console passes a failed DAG at once: the task fails, the DAG ends SUCCEED/PASS.
  | { kind: "operator-pass"; task: string }
  // The agent goes silent: connections are accepted, nothing is ever answered (for the rest of the operation).
  | { kind: "silent"; path?: string };

/** A fault, its operation and its trigger. */
export interface FaultEvent {
  phase: Phase;
  trigger: Trigger;
  fault: Fault;
}

/** Everything one schedule varies. */
export interface Schedule {
  index: number;
  seed: number;
  version: string;
  timeScale: number;
  /** `timeouts` input of the resource: the deadlines the provider must keep. */
  timeouts: { create: string; delete: string };
  events: FaultEvent[];
}

const VERSIONS = ["4.5.0.0", "4.5.0.0", "4.5.0.0", "4.4.2.0", "4.3.1.0", "4.2.6.0"] as const;
const TIME_SCALES = [0.005, 0.01, 0.01] as const;
const TIMEOUTS = ["3s", "5s", "8s"] as const;
/** Request paths worth aiming at: the DAG-creating route, DAG polling, and the reads around them. */
const PATHS = [undefined, "/api/v1/obproxy", "/api/v1/task/dag", "/api/v1/info", "/api/v1/secret", "/api/v1/time"] as const;
const MALFORMED: readonly MalformedKind[] = ["non-json", "truncated", "oversized", "wrong-envelope"];
const KINDS = [
  "refused", "reset", "drop", "5xx", "slow", "malformed", "dag-fail", "under-maintenance", "rotate-key", "clock-skew",
  "party-add", "party-delete", "operator-pass", "silent",
] as const;

/** Tasks an operator can pass (from 4.3.0; older agents refuse, and the DAG just stays FAILED). */
const PASSABLE: Record<Phase, readonly string[]> = { create: ["Start obproxy", "Persist obproxy info"], destroy: ["Stop obproxy", "Clean obproxy dir"] };

function trigger(rng: Rng, kind: Fault["kind"]): Trigger {
  // A task's fate is claimed when its DAG is created, and the lock must be held before destroy asks.
  if (kind === "dag-fail" || kind === "under-maintenance" || kind === "operator-pass") return { at: "start" };
  return rng.pick<Trigger>([{ at: "start" }, { at: "delay", ms: rng.int(20, 400) }, { at: "dag" }]);
}

function fault(rng: Rng, kind: (typeof KINDS)[number], phase: Phase): Fault {
  const path = rng.pick(PATHS);
  const counted = { count: rng.int(1, 3), ...(path ? { path } : {}) };
  switch (kind) {
    case "refused": return { kind, downMs: rng.int(100, 1_500) };
    case "reset": return { kind, ...counted };
    case "drop": return { kind, ...counted };
    case "5xx": return { kind, status: rng.pick([500, 502, 503, 504]), ...counted };
    case "slow": return { kind, ms: rng.int(100, 1_500), ...counted };
    case "malformed": return { kind, malformed: rng.pick(MALFORMED), ...counted };
    case "dag-fail": return { kind, task: rng.pick(OBPROXY_DAGS[phase === "create" ? "add" : "delete"].tasks) };
    case "under-maintenance": return { kind };
    case "rotate-key": return { kind };
    case "clock-skew": return { kind, ms: rng.pick([-1, 1]) * rng.int(9, 10) * 60_000 };
    case "party-add": return { kind };
    case "party-delete": return { kind };
    case "operator-pass": return { kind, task: rng.pick(PASSABLE[phase]) };
    case "silent": return { kind, ...(path ? { path } : {}) };
  }
}

/** Schedule `index` of the run with seed `runSeed`: 1–3 faults spread over create and destroy. */
export function generateSchedule(runSeed: number, index: number): Schedule {
  const seed = scheduleSeed(runSeed, index);
  const rng = createRng(seed);
  const events: FaultEvent[] = [];
  for (let i = rng.int(1, 3); i > 0; i--) {
    const phase: Phase = rng.chance(0.4) ? "create" : "destroy";
    let kind = rng.pick(KINDS);
    if (kind === "under-maintenance" && phase === "create") kind = "refused";
    // Two task failures in one DAG need two retries: one is what an operator's second attempt can be held to.
    const failing = (k: string) => k === "dag-fail" || k === "operator-pass";
    if (failing(kind) && events.some((e) => e.phase === phase && failing(e.fault.kind))) kind = "slow";
    events.push({ phase, trigger: trigger(rng, kind), fault: fault(rng, kind, phase) });
  }
  return {
    index,
    seed,
    version: rng.pick(VERSIONS),
    timeScale: rng.pick(TIME_SCALES),
    timeouts: { create: rng.pick(TIMEOUTS), delete: rng.pick(TIMEOUTS) },
    events,
  };
}

/** One line describing a schedule, for failure reports. */
export function describeSchedule(s: Schedule): string {
  const events = s.events.map((e) => {
    const { kind, ...rest } = e.fault;
    const when = e.trigger.at === "delay" ? `+${e.trigger.ms}ms` : e.trigger.at;
    return `${e.phase}/${when}:${kind}${Object.keys(rest).length ? JSON.stringify(rest) : ""}`;
  });
  return `#${s.index} seed=${s.seed} obshell ${s.version} ×${s.timeScale} timeouts ${s.timeouts.create}/${s.timeouts.delete} [${events.join(", ")}]`;
}

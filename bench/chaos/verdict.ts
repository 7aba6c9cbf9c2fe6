/**
 * Judges one schedule's run against the invariants: no wait past the deadline, never two DAG-creating requests in
 * one operation, destroy ends with nothing managed or a typed error naming the DAG, the operator's second destroy
 * succeeds, nothing left behind, no secret in any output.
 */
import { OBPROXY_DAGS } from "../../src/obshell/schemas";
import { dagCreatingSends, findSecrets, isTypedError, namesDag } from "./checks";
import type { OpRecord } from "./operation";
import type { ScheduleRun } from "./run-schedule";

/** How far past its deadline an operation may return: one second, for closing the client and the last answer. */
export const DEADLINE_SLACK_MS = 1_000;

/** The violation classes counted in the summary line. */
export type ViolationKind = "hang" | "late" | "duplicate" | "foreign" | "falseDeleted" | "leak" | "secret" | "untyped" | "recovery" | "harness";

/** One broken invariant. */
export interface Violation {
  kind: ViolationKind;
  detail: string;
}

/** Every violation of one run (empty when it held up). */
export function judge(run: ScheduleRun, consoleText: readonly string[] = []): Violation[] {
  const v: Violation[] = [];
  const add = (kind: ViolationKind, detail: string) => v.push({ kind, detail });
  if (run.harnessError) add("harness", run.harnessError);
  for (const op of run.ops) {
    if (op.hung) add("hang", `${op.name} did not return within ${op.timeoutMs} ms + watchdog`);
    else if (op.wallMs > op.timeoutMs + DEADLINE_SLACK_MS + (op.starvedMs ?? 0)) {
      add("late", `${op.name} took ${op.wallMs} ms, deadline ${op.timeoutMs} ms + 1 s (+${op.starvedMs ?? 0} ms of CPU starvation allowed)`);
    }
    for (const d of causedByForeign(run, op)) add("foreign", `${op.name}: ${d}`);
    if (op.phase === "destroy" && !op.hung && op.error === undefined && op.managedAfter.managed && op.managedAfter.homePath !== run.homes.party) {
      add("falseDeleted", `${op.name} reported success while obshell manages our OBProxy (${op.managedAfter.homePath ?? "?"})`);
    }
    for (const [route, n] of dagCreatingSends(op.requests)) if (n > 1) add("duplicate", `${op.name}: ${n}× ${route}`);
    const byName = new Map<string, number>();
    for (const [name] of op.dags) byName.set(name, (byName.get(name) ?? 0) + 1);
    for (const [name, n] of byName) if (n > 1) add("duplicate", `${op.name}: ${n} ${name} DAGs`);
    if (op.error === undefined) continue;
    if (!isTypedError(op.error)) add("untyped", `${op.name}: ${(op.error as Error)?.name}: ${(op.error as Error)?.message}`);
    const ownDag = op.dags.find(([name]) => name === (op.phase === "create" ? OBPROXY_DAGS.add.name : OBPROXY_DAGS.delete.name));
    if (ownDag && op.phase === "destroy" && !namesDag(op.error, ownDag[1])) add("untyped", `${op.name}: error does not name ${ownDag[0]} DAG ${ownDag[1]}: ${(op.error as Error).message}`);
  }
  const destroys = run.ops.filter((o) => o.phase === "destroy");
  const last = destroys.at(-1);
  if (destroys.length > 1 && last?.error !== undefined) add("recovery", `second destroy failed: ${(last.error as Error).message}`);
  if (run.finalManaged || run.finalUnfinishedDags.length > 0) {
    const why = run.createLostTrack ? "create failed without keeping the resource in state" : last?.error === undefined ? "destroy reported success" : "destroy failed";
    add("leak", `agent still manages an OBProxy (${why}); unfinished DAGs: ${run.finalUnfinishedDags.join(", ") || "none"}`);
  }
  for (const s of findSecrets([...run.texts, ...consoleText], run.secrets)) add("secret", `secret ${s.slice(0, 6)}… found in output`);
  return v;
}

/**
 * Requests of `op` caused by a DAG this resource did not start: a DAG it created that acts on another home than ours
 * (a DELETE that hit the second party's OBProxy, an add elsewhere), or an operator request (retry/pass) on a DAG of
 * another party whose kind cannot be ours (their Add; a Stop we never sent). A Delete DAG is excluded from the
 * latter: obshell's delete names no home, so one holding the lock may be our own earlier destroy's.
 */
function causedByForeign(run: ScheduleRun, op: OpRecord): string[] {
  const out: string[] = [];
  for (const [name, id, home] of op.dags) if (home && home !== run.homes.ours) out.push(`${name} DAG ${id} acts on ${home}, not on our home`);
  const foreign = new Set(op.foreignDags);
  const names = new Map((run.allDags ?? []).map((d) => [d.id, d.name]));
  for (const r of op.requests) {
    const m = /^\/api\/v1\/task\/dag\/(\d+)/.exec(r.path);
    if (r.method !== "POST" || !m || !foreign.has(m[1]!) || names.get(m[1]!) === OBPROXY_DAGS.delete.name) continue;
    out.push(`POST ${r.path.split("?")[0]} on ${names.get(m[1]!) ?? "a"} DAG ${m[1]} of another party (status ${r.status})`);
  }
  return out;
}

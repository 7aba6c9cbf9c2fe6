/**
 * Judges one schedule's run against the invariants: no wait past the deadline, never two DAG-creating requests in
 * one operation, destroy ends with nothing managed or a typed error naming the DAG, the operator's second destroy
 * succeeds, nothing left behind, no secret in any output.
 */
import { OBPROXY_DAGS } from "../../src/obshell/schemas";
import { dagCreatingSends, findSecrets, isTypedError, namesDag } from "./checks";
import type { ScheduleRun } from "./run-schedule";

/** Slack over an operation's deadline for the answer in flight when it passed and for closing the client. */
export const DEADLINE_SLACK_MS = 1_500;

/** The violation classes counted in the summary line. */
export type ViolationKind = "hang" | "duplicate" | "leak" | "secret" | "untyped" | "recovery" | "harness";

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
      add("hang", `${op.name} took ${op.wallMs} ms, deadline ${op.timeoutMs} ms (+${op.starvedMs ?? 0} ms of CPU starvation allowed)`);
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

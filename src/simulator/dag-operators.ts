/**
 * DAG operators (`POST /api/v1/task/dag/:id`, protocol §5.5), with obshell's checks in its order
 * (`ob/agent/service/task/dag.go`: getNodeCanRetry, getNodesCanRollback, getNodeCanCancel, getNodesCanPass) and the
 * per-task capabilities of `task-capabilities.ts`.
 */
import type { DagEngine, DagRecord } from "./dag-engine";
import { E } from "./sim-errors";

/** Applies `operatorText` (case-insensitive) to `dag`, or throws the SimApiError obshell answers with. */
export function operateDag(engine: DagEngine, dag: DagRecord, operatorText: string, underMaintenance: () => Error): void {
  const op = operatorText.toUpperCase();
  if (op === "RETRY") return retry(engine, dag, underMaintenance);
  if (op === "ROLLBACK") return rollback(engine, dag);
  if (op === "CANCEL") return cancel(engine, dag);
  if (op === "PASS") return pass(engine, dag);
  throw E.operatorNotSupport(operatorText);
}

function failedIndex(dag: DagRecord): number {
  const i = dag.nodes.findIndex((n) => n.state === "FAILED");
  return i < 0 ? dag.stage - 1 : i;
}

/** RETRY: the node at the DAG's stage must allow it; a DAG that had released the lock must take it back. */
function retry(engine: DagEngine, dag: DagRecord, underMaintenance: () => Error): void {
  if (dag.state !== "FAILED") throw E.retryNotFailed();
  const index = dag.stage - 1;
  const node = dag.nodes[index]!;
  if (!dag.spec.tasks[index]!.can.retry) throw E.retryNotAllowed(node.name);
  if (dag.spec.maintenance && dag.isFinished) {
    const holder = engine.lockHolder();
    if (holder && holder !== dag) throw underMaintenance();
  }
  dag.operator = "RUN";
  dag.state = "READY";
  dag.isFinished = false;
  node.operator = "RETRY";
  node.state = "READY";
  resetTimes(dag);
  engine.schedule(dag);
}

/** ROLLBACK: every node from the first to the failed one must allow it (never true for add/stop/delete). */
function rollback(engine: DagEngine, dag: DagRecord): void {
  if (dag.state !== "FAILED") throw E.rollbackNotFailed();
  let count = 0;
  for (let i = 0; i < dag.nodes.length; i++) {
    const node = dag.nodes[i]!;
    if (node.state === "PENDING" && node.operator !== "ROLLBACK") break;
    if (!dag.spec.tasks[i]!.can.rollback) throw E.rollbackNotAllowed(node.name, node.nodeId);
    count = i + 1;
    if (node.state === "FAILED") break;
  }
  if (count === 0) throw E.unexpected("failed to set dag rollback: no node failed");
  dag.operator = "ROLLBACK";
  dag.state = "READY";
  dag.isFinished = false;
  resetTimes(dag);
  engine.schedule(dag);
}

/** CANCEL: the DAG must be unfinished and every node up to the current one must allow it. */
function cancel(engine: DagEngine, dag: DagRecord): void {
  if (dag.state === "SUCCEED" || dag.state === "FAILED") throw E.cancelFinished();
  for (let i = 0; i < dag.nodes.length; i++) {
    const node = dag.nodes[i]!;
    if (!dag.spec.tasks[i]!.can.cancel) throw E.cancelNotAllowed(node.name);
    if (node.state !== "SUCCEED" && node.state !== "FAILED") break;
  }
  dag.operator = "CANCEL";
  // A running task is interrupted ("sub task cancelled"); a DAG not yet picked up fails at once.
  if (dag.abort) return dag.abort.abort();
  engine.cancelNow(dag);
}

/** PASS: the DAG must be FAILED and every unfinished node must allow it; all become SUCCEED/PASS, lock released. */
function pass(engine: DagEngine, dag: DagRecord): void {
  if (dag.state !== "FAILED") throw E.passNotFailed();
  dag.nodes.forEach((node, i) => {
    if (node.state !== "SUCCEED" && !dag.spec.tasks[i]!.can.pass) throw E.passNotAllowed(node.name);
  });
  const now = engine.agentNow();
  for (let i = failedIndex(dag); i < dag.nodes.length; i++) Object.assign(dag.nodes[i]!, { state: "SUCCEED", operator: "PASS", endMs: now });
  dag.operator = "PASS";
  // obshell's PASS rewrites state, operator and end_time only: the stage stays at the failed node.
  engine.finish(dag, "SUCCEED", { keepStage: true });
}

/** obshell resets a DAG's times to the epoch after an operator change until it runs again (§5.1). */
function resetTimes(dag: DagRecord): void {
  dag.startMs = 0;
  dag.endMs = 0;
}

/**
 * What a FAILED DAG says: the failing node and sub task, the last log lines of each failed sub task, the errCode and
 * message of the final `ERROR: [code]: message` line (obshell's `Task.Finish` writes it), and how to go on.
 */
import { retryOrPass } from "./advice";
import { DagFailedError } from "./errors";
import { OBPROXY_DAGS, type DagDetail, type NodeDetail, type TaskDetail } from "./schemas";

/** Log lines kept per failed sub task. */
export const FAILED_LOG_LINES = 5;

/** Parses obshell's final log line of a failed sub task. */
export function parseErrorLogLine(line: string): { errCode: string; errMessage: string } | undefined {
  const m = /^ERROR: \[([^\]]*)\]: ?([\s\S]*)$/.exec(line.trim());
  return m ? { errCode: m[1], errMessage: m[2] } : undefined;
}

/** The failed sub tasks, in DAG order (only present in a detailed DAG). */
export function failedSubTasks(dag: DagDetail): { node: string; task: TaskDetail }[] {
  const out: { node: string; task: TaskDetail }[] = [];
  for (const node of dag.nodes ?? []) {
    for (const task of node.sub_tasks ?? []) if (task.state === "FAILED") out.push({ node: node.name, task });
  }
  return out;
}

/**
 * Where a DAG failed: the first node that is FAILED or holds a FAILED sub task, and that sub task (absent when the
 * DAG was read without details or the node failed before its sub task ran). The one walk every failure report uses.
 */
export function firstFailure(dag: DagDetail): { node: NodeDetail; task?: TaskDetail } | undefined {
  for (const node of dag.nodes ?? []) {
    const task = (node.sub_tasks ?? []).find((t) => t.state === "FAILED");
    if (task) return { node, task };
    if (node.state === "FAILED") return { node };
  }
  return undefined;
}

/** How to go on after a failed (or cancelled) DAG. */
export function failureHint(dag: DagDetail, failedTask?: string): string {
  if (failedTask === "Check obproxy status") {
    return `it failed at its first check, which releases obshell's OBProxy lock: fix the cause and run the operation again`;
  }
  const kinds = Object.values(OBPROXY_DAGS);
  const kind = kinds.find((k) => k.name === dag.name);
  const lock = kind?.maintenance ? "It keeps obshell's OBProxy lock until it succeeds: " : "";
  const rollback =
    dag.name === OBPROXY_DAGS.upgrade.name
      ? "ROLLBACK undoes an upgrade"
      : "ROLLBACK is refused for this DAG (its first node cannot roll back)";
  return `${lock}${retryOrPass(dag.id)} (from code: operateDag("${dag.id}", "RETRY") or "PASS"; running the destroy or up again retries it too). ${rollback}.`;
}

/** The DagFailedError for a DAG that ended FAILED. */
export function dagFailedError(dag: DagDetail): DagFailedError {
  const failed = failedSubTasks(dag);
  const first = firstFailure(dag);
  const failedTask = first?.task?.name ?? first?.node.name;
  const failedTaskLogs = failed.flatMap(({ task }) => (task.task_logs ?? []).slice(-FAILED_LOG_LINES));
  let parsed: { errCode: string; errMessage: string } | undefined;
  for (const { task } of failed) {
    const logs = task.task_logs ?? [];
    parsed = parseErrorLogLine(logs[logs.length - 1] ?? "") ?? parsed;
    if (parsed) break;
  }
  const cancelled = dag.operator === "CANCEL";
  const hint = cancelled
    ? `it was cancelled (operator CANCEL); ${failureHint(dag, failedTask)}`
    : failureHint(dag, failedTask);
  const where = failedTask ? ` at task "${failedTask}" (stage ${dag.stage}/${dag.max_stage})` : "";
  const why = cancelled ? " was cancelled" : ` failed${parsed ? `: [${parsed.errCode}] ${parsed.errMessage}` : failedTaskLogs.length ? `: ${failedTaskLogs[failedTaskLogs.length - 1]}` : ""}`;
  const message = `${dag.name} DAG ${dag.id}${where}${why}. ${capitalize(hint)}`;
  return new DagFailedError(message, {
    dagId: dag.id,
    dagName: dag.name,
    state: dag.state,
    operator: dag.operator,
    ...(failedTask !== undefined ? { failedTask } : {}),
    failedTaskLogs,
    ...(parsed ? { errCode: parsed.errCode, errMessage: parsed.errMessage } : {}),
    hint,
    dag,
  });
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

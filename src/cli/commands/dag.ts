/**
 * `pulumi-obproxy dag show|watch|retry|pass|rollback|cancel <id>`: obshell's task operators for an operator at a
 * terminal or in a script, with the encrypted header obshell requires (which nobody can build by hand).
 */
import { isDagFailedError, isDagTimeoutError } from "../../obshell";
import { failedSubTasks } from "../../obshell/dag-failure";
import { isValidGenericId, type DagDetail, type OperateDagOperator } from "../../obshell/schemas";
import { createProgressReporter } from "../../provider/progress";
import { EXIT, UsageError } from "../options";
import { confirm, type Terminal } from "../password";
import type { Session } from "../session";
import { dagLine, dagSummary } from "./status";

/** Operators that change what obshell did or will do, asked about before they are sent. */
const CONFIRM: Record<OperateDagOperator, string | undefined> = {
  RETRY: undefined,
  PASS: "PASS marks the failed task done WITHOUT running it (its work stays undone) and releases obshell's OBProxy lock.",
  ROLLBACK: "ROLLBACK undoes the DAG's finished tasks.",
  CANCEL: "CANCEL stops the DAG where it is; it then holds obshell's OBProxy lock as FAILED until retried or passed.",
};

/** Default wait of `dag watch` and `--wait`: long enough for obshell's longest task (an add's health checks). */
const DEFAULT_WATCH_MS = 30 * 60_000;

/** The exit code of a finished DAG: SUCCEED 0, FAILED 1, SUCCEED by PASS 4. */
export function exitCodeOf(dag: DagDetail): number {
  if (dag.state === "FAILED") return EXIT.failed;
  if (dag.state === "SUCCEED" && dag.operator === "PASS") return EXIT.passed;
  return EXIT.ok;
}

/** Detail lines for `dag show`: one per node, and the failed sub tasks' last log lines. */
function detailLines(dag: DagDetail): string[] {
  const lines = [dagLine(dag)];
  for (const [i, node] of (dag.nodes ?? []).entries()) lines.push(`  ${i + 1}. ${node.name}: ${node.state}`);
  for (const { task } of failedSubTasks(dag)) {
    lines.push(`  failed task "${task.name}":`);
    for (const log of (task.task_logs ?? []).slice(-5)) lines.push(`    ${log}`);
  }
  if (dag.state === "FAILED") {
    lines.push(`  next: fix the cause, then pulumi-obproxy dag retry ${dag.id} (or on the agent host: obshell task retry -i ${dag.id});`);
    lines.push(`        pulumi-obproxy dag pass ${dag.id} skips the failed task (obshell task pass -i ${dag.id})`);
  }
  return lines;
}

async function show(s: Session, id: string): Promise<number> {
  const dag = await s.client.getDag(id, { showDetails: true, signal: s.signal });
  s.result(dagSummaryWithNodes(dag), detailLines(dag).join("\n"));
  return EXIT.ok;
}

function dagSummaryWithNodes(dag: DagDetail) {
  return {
    ...dagSummary(dag),
    nodes: (dag.nodes ?? []).map((n) => ({ name: n.name, state: n.state })),
    failedTasks: failedSubTasks(dag).map(({ task }) => ({ name: task.name, logs: (task.task_logs ?? []).slice(-5) })),
  };
}

/** Follows a DAG to its end with the provider's progress lines; the exit code is its end state. */
async function watch(s: Session, id: string): Promise<number> {
  const timeout = s.options.timeoutMs ?? DEFAULT_WATCH_MS;
  const progress = createProgressReporter(`obshell ${s.props.endpoint}`, s.secrets, s.streams.err);
  let dag: DagDetail;
  try {
    dag = await s.client.waitForDag(id, { deadline: Date.now() + timeout, signal: s.signal, onProgress: (p) => progress.dag(p) });
  } catch (e) {
    if (isDagFailedError(e)) dag = e.dag;
    else if (isDagTimeoutError(e)) {
      s.streams.err(`[ObProxy.DagTimeout] ${e.dagName || "DAG"} ${id} still running at stage ${e.stage}/${e.maxStage} (${e.taskName}) after --timeout; it keeps running in obshell: pulumi-obproxy dag watch ${id}`);
      return EXIT.timeout;
    } else throw e;
  }
  s.result(dagSummaryWithNodes(dag), detailLines(dag).join("\n"));
  return exitCodeOf(dag);
}

async function operate(s: Session, term: Terminal, id: string, operator: OperateDagOperator, wait: boolean): Promise<number> {
  const dag = await s.client.getDag(id, { showDetails: false, signal: s.signal });
  const warning = CONFIRM[operator];
  if (warning && !s.options.yes) {
    s.streams.err(dagLine(dag));
    if (!(await confirm(term, `${warning} ${operator} DAG ${id}?`))) {
      s.streams.err("not confirmed: nothing sent");
      return EXIT.usage;
    }
  }
  await s.client.operateDag(id, operator, { signal: s.signal });
  s.streams.err(`${operator} sent for ${dag.name} DAG ${id}`);
  if (wait) return watch(s, id);
  s.result({ dagId: id, operator, sent: true }, `${operator} sent for ${dag.name} DAG ${id}; follow it with: pulumi-obproxy dag watch ${id}`);
  return EXIT.ok;
}

const OPERATORS: Record<string, OperateDagOperator> = { retry: "RETRY", pass: "PASS", rollback: "ROLLBACK", cancel: "CANCEL" };

/** The `dag` sub commands. */
export const DAG_ACTIONS = ["show", "watch", ...Object.keys(OPERATORS)] as const;

/** Runs `dag <action> <id>`. */
export async function dagCommand(s: Session, term: Terminal, action: string, id: string | undefined, wait: boolean): Promise<number> {
  if (!id) throw new UsageError(`dag ${action}: which DAG? pass its id (pulumi-obproxy status shows the one holding the lock)`);
  if (!isValidGenericId(id)) throw new UsageError(`dag ${action} ${id}: not an obshell DAG id (digits starting with 1–5)`);
  if (action === "show") return show(s, id);
  if (action === "watch") return watch(s, id);
  const operator = OPERATORS[action];
  if (!operator) throw new UsageError(`dag ${action}: unknown action; use one of ${DAG_ACTIONS.join(", ")}`);
  return operate(s, term, id, operator, wait);
}

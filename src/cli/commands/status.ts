/** `pulumi-obproxy status`: the agent, whether it manages an OBProxy, and the DAG holding its OBProxy lock. */
import { currentTaskName } from "../../obshell";
import type { DagDetail } from "../../obshell/schemas";
import { EXIT } from "../options";
import type { Session } from "../session";

/** A DAG as the operator command shows it. */
export function dagSummary(dag: DagDetail) {
  return {
    id: dag.id,
    name: dag.name,
    state: dag.state,
    operator: dag.operator,
    stage: dag.stage,
    maxStage: dag.max_stage,
    task: currentTaskName(dag),
    startTime: dag.start_time,
    endTime: dag.end_time,
  };
}

/** One line: `Delete obproxy DAG 4213… FAILED (operator RUN) at stage 2/4: Stop obproxy`. */
export function dagLine(dag: DagDetail): string {
  const task = currentTaskName(dag);
  return `${dag.name} DAG ${dag.id} ${dag.state} (operator ${dag.operator}) at stage ${dag.stage}/${dag.max_stage}${task ? `: ${task}` : ""}`;
}

/** Runs `status`. Reads only; needs the password for the lock lookup (task routes are authenticated). */
export async function statusCommand(s: Session): Promise<number> {
  const info = await s.client.getInfo({ signal: s.signal });
  const lock = await s.client.findObproxyMaintenanceDag({ signal: s.signal });
  const json = {
    endpoint: s.props.endpoint,
    version: info.version,
    identity: info.identity,
    address: info.ip ? `${info.ip}:${info.port}` : undefined,
    passwordSet: info.security !== false,
    obproxyManaged: info.isObproxyAgent === true,
    lock: lock ? dagSummary(lock) : null,
  };
  const lines = [
    `obshell ${info.version} (${info.identity}) at ${s.props.endpoint}`,
    `OBProxy managed: ${info.isObproxyAgent === true ? "yes" : "no"}`,
    `OBProxy lock: ${lock ? `held by ${dagLine(lock)}` : "free"}`,
  ];
  if (lock?.state === "FAILED") {
    lines.push(`  next: pulumi-obproxy dag show ${lock.id}   then   pulumi-obproxy dag retry ${lock.id}  (or, on the agent host: obshell task retry -i ${lock.id})`);
  }
  s.result(json, lines.join("\n"));
  return EXIT.ok;
}

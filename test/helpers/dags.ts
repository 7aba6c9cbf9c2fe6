/** DAG JSON builders shaped like obshell's DagDetailDTO (§5.1), for client tests. */
import type { DagDetail, DagOperator, DagState, NodeDetail } from "../../src/obshell/schemas";

export const DAG_ID = "42130706433028861";

export interface NodeSpec {
  name: string;
  state: DagState;
  start?: string;
  logs?: string[] | null;
}

export function node(spec: NodeSpec, i: number): NodeDetail {
  const t = spec.start ?? "2026-05-11T10:00:00.000000000+08:00";
  return {
    id: `4213070643302886${i + 1}`, node_id: i + 1, name: spec.name, state: spec.state, operator: "RUN", start_time: t, end_time: t,
    additional_data: null,
    sub_tasks: [{
      id: `4213070643302886${i + 1}`, task_id: i + 1, name: spec.name, state: spec.state, operator: "RUN", start_time: t, end_time: t,
      additional_data: null, execute_times: 1, execute_agent: { ip: "127.0.0.1", port: 2886 }, task_logs: spec.logs ?? null,
    }],
  };
}

export function dag(o: { name?: string; state: DagState; operator?: DagOperator; stage: number; nodes?: NodeSpec[] | null; maxStage?: number; id?: string }): DagDetail {
  const nodes = o.nodes === null ? null : (o.nodes ?? []).map(node);
  return {
    id: o.id ?? DAG_ID, dag_id: 1, name: o.name ?? "Delete obproxy", stage: o.stage, max_stage: o.maxStage ?? (nodes?.length || 4),
    maintenance_type: 4, maintenance_key: "", state: o.state, operator: o.operator ?? "RUN",
    start_time: "2026-05-11T10:00:00+08:00", end_time: "2026-05-11T10:00:00+08:00", additional_data: null, nodes,
  };
}

const DELETE_TASKS = ["Check obproxy status", "Stop obproxy", "Delete obproxy", "Clean obproxy dir"];

/** A Delete obproxy DAG at `stage` with the given state of that stage's node. */
export function deleteDag(stage: number, state: DagState, extra: Partial<NodeSpec> = {}, operator: DagOperator = "RUN"): DagDetail {
  const nodes = DELETE_TASKS.map((name, i): NodeSpec => ({
    name,
    state: i + 1 < stage ? "SUCCEED" : i + 1 === stage ? state : "PENDING",
    ...(i + 1 === stage ? extra : {}),
  }));
  const dagState: DagState = state === "FAILED" ? "FAILED" : stage === 4 && state === "SUCCEED" ? "SUCCEED" : "RUNNING";
  return dag({ state: dagState, operator, stage, nodes });
}

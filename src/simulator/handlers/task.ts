/**
 * Task routes (§5.4, §5.5): DAG detail, operate, unfinished/all/last-maintenance lists, node and sub task detail.
 * Only OBProxy DAGs exist here, so ids with prefixes 1–3 are valid but never found. Ids of another agent give
 * 404 "obproxy task not found" (obshell would also try to forward them, §8.8).
 */
import { isObproxyTaskId } from "../../obshell/schemas";
import { bindJson } from "../bind";
import { agentIpPortKey, dagDto, obproxyGenericId, parseGenericId, parseGoBool } from "../dag-dto";
import type { DagRecord } from "../dag-engine";
import type { HandlerResult, SimRequest } from "../routes";
import { GoPanic } from "../secure";
import { E } from "../sim-errors";
import type { AgentState } from "../state";

/** `show_details` (default true); an unparsable value leaves a nil pointer that panics (§5.4). */
function showDetails(req: SimRequest): boolean {
  const raw = req.query.get("show_details");
  if (raw === null) return true;
  const v = parseGoBool(raw);
  if (v === undefined) throw new GoPanic("runtime error: invalid memory address or nil pointer dereference");
  return v;
}

/** Finds the record a generic id names, with obshell's 400/404 rules. */
function lookup<T>(s: AgentState, id: string, find: (row: number) => T | undefined, render: (row: number) => string): T {
  const parsed = parseGenericId(id);
  if (!isObproxyTaskId(id)) throw E.taskNotFound("record not found");
  if (parsed.ipPort !== agentIpPortKey(s.address)) throw E.taskNotFound("obproxy task not found");
  const found = find(parsed.rowId);
  if (found === undefined) throw E.taskNotFound("record not found");
  if (render(parsed.rowId) !== id) throw E.taskNotFound("dag id not match");
  return found;
}

function findDag(s: AgentState, id: string): DagRecord {
  return lookup(s, id, (row) => s.engine.get(row), (row) => obproxyGenericId(row, s.address));
}

/** GET /api/v1/task/dag/:id. */
export function getDag(req: SimRequest): HandlerResult {
  const details = showDetails(req);
  const dag = findDag(req.state, req.params.id!);
  return { kind: "data", data: dagDto(dag, req.state.address, details) };
}

/** POST /api/v1/task/dag/:id: `{"operator": "retry|rollback|cancel|pass"}`, success without data. */
export function operateDag(req: SimRequest): HandlerResult {
  const p = bindJson(req.body, "DagOperator", [{ json: "operator", go: "Operator", type: "string", required: true }]);
  const dag = findDag(req.state, req.params.id!);
  req.state.engine.operate(dag, p.operator as string);
  return { kind: "empty" };
}

/** GET /api/v1/task/dag/agent/unfinish: a failed maintenance DAG stays unfinished (§4.7). */
export function getUnfinishedDags(req: SimRequest): HandlerResult {
  const details = showDetails(req);
  const s = req.state;
  return { kind: "data", data: s.engine.all().filter((d) => !d.isFinished).map((d) => dagDto(d, s.address, details)) };
}

/** GET /api/v1/task/dags/agent. */
export function getAgentDags(req: SimRequest): HandlerResult {
  const details = showDetails(req);
  const s = req.state;
  return { kind: "data", data: s.engine.all().map((d) => dagDto(d, s.address, details)) };
}

/** GET /api/v1/task/dag/maintain/agent: the latest maintenance DAG, finished or not. */
export function getLastMaintenanceDag(req: SimRequest): HandlerResult {
  const details = showDetails(req);
  const s = req.state;
  const dag = s.engine.all().filter((d) => d.spec.maintenance).at(-1);
  if (!dag) throw E.taskNotFound("Agent is not under maintenance");
  return { kind: "data", data: dagDto(dag, s.address, details) };
}

function findSubTask(s: AgentState, id: string, by: "nodeId" | "taskId") {
  const all = s.engine.all().flatMap((d) => d.nodes.map((n) => ({ dag: d, n })));
  return lookup(s, id, (row) => all.find((x) => x.n[by] === row), (row) => obproxyGenericId(row, s.address));
}

/** GET /api/v1/task/node/:id. */
export function getNode(req: SimRequest): HandlerResult {
  const { dag, n } = findSubTask(req.state, req.params.id!, "nodeId");
  const dto = dagDto(dag, req.state.address, true).nodes!.find((x) => x.node_id === n.nodeId)!;
  return { kind: "data", data: dto };
}

/** GET /api/v1/task/sub_task/:id. */
export function getSubTask(req: SimRequest): HandlerResult {
  const { dag, n } = findSubTask(req.state, req.params.id!, "taskId");
  const dto = dagDto(dag, req.state.address, true).nodes!.find((x) => x.node_id === n.nodeId)!.sub_tasks![0]!;
  return { kind: "data", data: dto };
}

/** GET /api/v1/task/sub_task/:id/logs: the log lines (a Go slice, so `{contents}`). */
export function getSubTaskLogs(req: SimRequest): HandlerResult {
  const { n } = findSubTask(req.state, req.params.id!, "taskId");
  return { kind: "data", data: (n.logs ?? []).map((l) => l) };
}


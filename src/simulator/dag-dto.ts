/**
 * Wire translation of DAGs (protocol §5.1, §5.3): generic ids and DagDetailDTO/NodeDetailDTO/TaskDetailDTO, built
 * through the shared zod schemas.
 */
import { isIPv4, isIPv6 } from "node:net";
import { DagDetailSchema, MaintenanceType, isValidGenericId, type DagDetail, type NodeDetail, type TaskDetail } from "../obshell/schemas";
import { formatGoTime } from "./clock";
import type { DagRecord, SubTaskRecord } from "./dag-engine";
import { E } from "./sim-errors";

/** The agent's identity address, used in generic ids and `execute_agent`. */
export interface AgentAddress {
  ip: string;
  port: number;
}

function ipv6ToBigInt(ip: string): bigint {
  const [head = "", tail = ""] = ip.split("::");
  const parse = (s: string) => (s === "" ? [] : s.split(":"));
  let groups = [...parse(head)];
  let tailGroups = parse(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const last = (ip.includes("::") ? tailGroups : groups).at(-1);
  if (last && last.includes(".")) {
    const v4 = ipv4ToBigInt(last);
    const repl = [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    if (ip.includes("::")) tailGroups = [...tailGroups.slice(0, -1), ...repl];
    else groups = [...groups.slice(0, -1), ...repl];
  }
  const fill = ip.includes("::") ? Array(8 - groups.length - tailGroups.length).fill("0") : [];
  return [...groups, ...fill, ...tailGroups].reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function ipv4ToBigInt(ip: string): bigint {
  return ip.split(".").reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

/** `ConvertObproxyIDToGenericID`: `4`/`5` ‖ ip (10/39 digits) ‖ port (5 digits) ‖ row id. */
export function obproxyGenericId(rowId: number, agent: AgentAddress): string {
  const port = String(agent.port).padStart(5, "0");
  if (isIPv6(agent.ip)) return `5${ipv6ToBigInt(agent.ip).toString().padStart(39, "0")}${port}${rowId}`;
  return `4${ipv4ToBigInt(agent.ip).toString().padStart(10, "0")}${port}${rowId}`;
}

/** A parsed generic id. */
export interface ParsedGenericId {
  prefix: string;
  ipPort: string;
  rowId: number;
}

/** Parses a generic id; throws 400 Task.GenericID.Invalid for bad syntax or length (§5.3). */
export function parseGenericId(id: string): ParsedGenericId {
  if (!isValidGenericId(id)) throw E.genericIdInvalid(id);
  const prefix = id[0]!;
  const ipLen = prefix === "3" || prefix === "5" ? 39 : prefix === "2" || prefix === "4" ? 10 : 0;
  if (ipLen === 0) return { prefix, ipPort: "", rowId: Number(id.slice(1)) };
  const ipNum = BigInt(id.slice(1, 1 + ipLen));
  const port = Number(id.slice(1 + ipLen, 6 + ipLen));
  return { prefix, ipPort: `${ipNum}:${port}`, rowId: Number(id.slice(6 + ipLen)) };
}

/** The numeric `ip:port` a generic id of this agent carries. */
export function agentIpPortKey(agent: AgentAddress): string {
  const n = isIPv6(agent.ip) ? ipv6ToBigInt(agent.ip) : isIPv4(agent.ip) ? ipv4ToBigInt(agent.ip) : 0n;
  return `${n}:${agent.port}`;
}

function taskDto(t: SubTaskRecord, agent: AgentAddress): TaskDetail {
  const logsVisible = t.state === "RUNNING" || t.state === "SUCCEED" || t.state === "FAILED";
  return {
    id: obproxyGenericId(t.taskId, agent), task_id: t.taskId, name: t.name, state: t.state, operator: t.operator,
    start_time: formatGoTime(t.startMs), end_time: formatGoTime(t.endMs), additional_data: null,
    execute_times: t.executeTimes, execute_agent: { ip: agent.ip, port: agent.port }, task_logs: logsVisible ? [...(t.logs ?? [])] : null,
  };
}

function nodeDto(t: SubTaskRecord, agent: AgentAddress): NodeDetail {
  return {
    id: obproxyGenericId(t.nodeId, agent), node_id: t.nodeId, name: t.name, state: t.state, operator: t.operator,
    start_time: formatGoTime(t.startMs), end_time: formatGoTime(t.endMs), additional_data: null, sub_tasks: [taskDto(t, agent)],
  };
}

/** DagDetailDTO; nodes only with `showDetails` (create responses pass false). */
export function dagDto(dag: DagRecord, agent: AgentAddress, showDetails: boolean): DagDetail {
  return DagDetailSchema.parse({
    id: obproxyGenericId(dag.dagId, agent), dag_id: dag.dagId, name: dag.spec.name, stage: dag.stage, max_stage: dag.nodes.length,
    maintenance_type: dag.spec.maintenance ? MaintenanceType.Obproxy : MaintenanceType.None, maintenance_key: "",
    state: dag.state, operator: dag.operator, start_time: formatGoTime(dag.startMs), end_time: formatGoTime(dag.endMs),
    additional_data: showDetails ? {} : null, nodes: showDetails ? dag.nodes.map((n) => nodeDto(n, agent)) : null,
  });
}

/** Go `strconv.ParseBool` (show_details accepts 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False). */
export function parseGoBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}

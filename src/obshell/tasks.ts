/**
 * Task routes (protocol §4.7, §5): read a DAG, operate on it, and find the OBProxy DAG holding obshell's lock.
 * OBProxy DAG ids (prefix 4/5) need the agent header; the agent-level routes accept it once an agent password is set.
 */
import type { Api, InternalCallOptions } from "./api";
import { isObproxyMaintenanceDag } from "./dag";
import { ConfigError, isObshellApiError } from "./errors";
import { DagDetailSchema, DagListSchema, OPERATE_DAG_OPERATORS, isValidGenericId, type DagDetail, type OperateDagOperator } from "./schemas";

function checkId(id: unknown): string {
  if (typeof id !== "string" || !isValidGenericId(id)) {
    throw new ConfigError("dagId", "is not an obshell DAG id (digits starting with 1–5, long enough for its prefix)");
  }
  return id;
}

/** `GET /api/v1/task/dag/:id?show_details=…` (the query is part of the signed Uri). @default showDetails true */
export async function getDag(api: Api, id: string, o: InternalCallOptions & { showDetails?: boolean } = {}): Promise<DagDetail> {
  const target = `/api/v1/task/dag/${checkId(id)}?show_details=${o.showDetails === false ? "false" : "true"}`;
  return api.authedData(DagDetailSchema, { method: "GET", target }, o);
}

/** `POST /api/v1/task/dag/:id` `{operator}`: RETRY, CANCEL, PASS or ROLLBACK. Sent once. */
export async function operateDag(api: Api, id: string, operator: OperateDagOperator, o: InternalCallOptions = {}): Promise<void> {
  const op = typeof operator === "string" ? operator.toUpperCase() : "";
  if (!(OPERATE_DAG_OPERATORS as readonly string[]).includes(op)) {
    throw new ConfigError("operator", `must be one of ${OPERATE_DAG_OPERATORS.join(", ")}`);
  }
  await api.authed({ method: "POST", target: `/api/v1/task/dag/${checkId(id)}`, json: { operator: op.toLowerCase() } }, o);
}

/** `GET /api/v1/task/dag/agent/unfinish`: this agent's unfinished DAGs (a FAILED maintenance DAG stays here). */
export async function getUnfinishedDags(api: Api, o: InternalCallOptions = {}): Promise<DagDetail[]> {
  const list = await api.authedData(DagListSchema, { method: "GET", target: "/api/v1/task/dag/agent/unfinish" }, o);
  return list.contents ?? [];
}

/** `GET /api/v1/task/dag/maintain/agent`: the agent's latest maintenance DAG; 404 (none) → undefined. */
export async function getLastMaintenanceDag(api: Api, o: InternalCallOptions = {}): Promise<DagDetail | undefined> {
  try {
    return await api.authedData(DagDetailSchema, { method: "GET", target: "/api/v1/task/dag/maintain/agent" }, o);
  } catch (e) {
    if (isObshellApiError(e) && e.status === 404) return undefined;
    throw e;
  }
}

/** The unfinished OBProxy maintenance DAG holding the lock, if any (RUNNING before READY before FAILED, then newest). */
export async function findObproxyMaintenanceDag(api: Api, o: InternalCallOptions = {}): Promise<DagDetail | undefined> {
  const dags = (await getUnfinishedDags(api, o)).filter(isObproxyMaintenanceDag);
  const rank = (d: DagDetail) => (d.state === "RUNNING" ? 0 : d.state === "READY" || d.state === "PENDING" ? 1 : 2);
  dags.sort((a, b) => rank(a) - rank(b) || b.dag_id - a.dag_id);
  return dags[0];
}

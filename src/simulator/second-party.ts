/**
 * Another party on the same agent, driven in process (tests, the chaos suite, `/__sim/…`): someone adding or
 * deleting an OBProxy, and an operator retrying or passing a DAG in obshell's console. Each goes through the same
 * handler (and so the same checks, lock and fault fates) as the agent API, without an agent header.
 */
import { dagDto } from "./dag-dto";
import * as obproxy from "./handlers/obproxy";
import * as task from "./handlers/task";
import type { Handler, SimRequest } from "./routes";
import { SimApiError } from "./sim-errors";
import type { AgentState } from "./state";

/** What another party's request produced: the DAG it created, or obshell's refusal. */
export type PartyResult = { ok: true; dagId?: string; dagName?: string; noContent?: boolean } | { ok: false; status: number; errCode: string; message: string };

/** Runs one handler as the agent API would, with `body` as the decrypted JSON body. */
async function call(s: AgentState, handler: Handler, method: string, path: string, body: unknown, params: Record<string, string> = {}): Promise<PartyResult> {
  const req: SimRequest = {
    state: s, method, uri: path, path, query: new URLSearchParams(), params,
    body: Buffer.from(JSON.stringify(body ?? {}), "utf8"), headers: {},
  };
  try {
    const r = await handler(req);
    if (r.kind === "no-content") return { ok: true, noContent: true };
    if (r.kind !== "data") return { ok: true };
    const dag = r.data as ReturnType<typeof dagDto>;
    return { ok: true, dagId: dag.id, dagName: dag.name };
  } catch (e) {
    if (e instanceof SimApiError) return { ok: false, status: e.status, errCode: e.errCode, message: e.message };
    return { ok: false, status: 500, errCode: "Common.Unexpected", message: (e as Error).message };
  }
}

/** Another party's `POST /api/v1/obproxy` (add an OBProxy at its own home on this agent). */
export function partyAdd(s: AgentState, params: Record<string, unknown>): Promise<PartyResult> {
  return call(s, obproxy.addObproxy, "POST", "/api/v1/obproxy", params);
}

/** Another party's `DELETE /api/v1/obproxy` (deletes whatever the agent manages). */
export function partyDelete(s: AgentState): Promise<PartyResult> {
  return call(s, obproxy.deleteObproxy, "DELETE", "/api/v1/obproxy", {});
}

/** An operator's `POST /api/v1/task/dag/:id {operator}`: RETRY, PASS, CANCEL or ROLLBACK. */
export function operatorAct(s: AgentState, dagId: string, operator: string): Promise<PartyResult> {
  return call(s, task.operateDag, "POST", `/api/v1/task/dag/${dagId}`, { operator: operator.toLowerCase() }, { id: dagId });
}

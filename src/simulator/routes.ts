/**
 * The route table (method, path pattern, auth rule, handler), mirroring `ob/agent/api/*_route.go` for the routes
 * the simulator implements. Static paths win over `:param` paths, like gin's router.
 */
import type { IncomingHttpHeaders } from "node:http";
import * as agent from "./handlers/agent";
import * as obproxy from "./handlers/obproxy";
import * as task from "./handlers/task";
import type { AuthRule } from "./secure";
import type { AgentState } from "./state";

/** A request after decryption, as handlers see it. */
export interface SimRequest {
  state: AgentState;
  method: string;
  /** Raw request target (path + query). */
  uri: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  /** Decrypted body; `{}` when the request had none (PaddingBody). */
  body: Buffer;
  headers: IncomingHttpHeaders;
}

/** What a handler answers; the server turns it into an envelope. */
export type HandlerResult = { kind: "data"; data: unknown } | { kind: "empty" } | { kind: "no-content" };

export type Handler = (req: SimRequest) => Promise<HandlerResult> | HandlerResult;

/** One route. */
export interface Route {
  method: string;
  pattern: string;
  auth: AuthRule;
  handler: Handler;
  /** Errors keep `"data": null` (package upload, §4.6). */
  dataNullOnError?: boolean;
}

/** All implemented `/api/v1` routes. */
export const ROUTES: Route[] = [
  { method: "GET", pattern: "/api/v1/time", auth: "none", handler: agent.getTime },
  { method: "GET", pattern: "/api/v1/info", auth: "none", handler: agent.getInfo },
  { method: "GET", pattern: "/api/v1/status", auth: "none", handler: agent.getStatus },
  { method: "POST", pattern: "/api/v1/status", auth: "none", handler: agent.getStatus },
  { method: "GET", pattern: "/api/v1/secret", auth: "none", handler: agent.getSecret },
  { method: "POST", pattern: "/api/v1/agent/password", auth: "agent-password", handler: agent.setAgentPassword },
  { method: "POST", pattern: "/api/v1/obproxy", auth: "obproxy", handler: obproxy.addObproxy },
  { method: "DELETE", pattern: "/api/v1/obproxy", auth: "obproxy", handler: obproxy.deleteObproxy },
  { method: "POST", pattern: "/api/v1/obproxy/start", auth: "obproxy", handler: obproxy.startObproxy },
  { method: "POST", pattern: "/api/v1/obproxy/stop", auth: "obproxy", handler: obproxy.stopObproxy },
  { method: "POST", pattern: "/api/v1/obproxy/upgrade", auth: "obproxy", handler: obproxy.upgradeObproxy },
  { method: "POST", pattern: "/api/v1/obproxy/package", auth: "obproxy", handler: obproxy.uploadObproxyPackage, dataNullOnError: true },
  { method: "GET", pattern: "/api/v1/task/dag/agent/unfinish", auth: "task", handler: task.getUnfinishedDags },
  { method: "GET", pattern: "/api/v1/task/dags/agent", auth: "task", handler: task.getAgentDags },
  { method: "GET", pattern: "/api/v1/task/dag/maintain/agent", auth: "task", handler: task.getLastMaintenanceDag },
  { method: "GET", pattern: "/api/v1/task/dag/:id", auth: "task", handler: task.getDag },
  { method: "POST", pattern: "/api/v1/task/dag/:id", auth: "task", handler: task.operateDag },
  { method: "GET", pattern: "/api/v1/task/node/:id", auth: "task", handler: task.getNode },
  { method: "GET", pattern: "/api/v1/task/sub_task/:id", auth: "task", handler: task.getSubTask },
  { method: "GET", pattern: "/api/v1/task/sub_task/:id/logs", auth: "task", handler: task.getSubTaskLogs },
];

/** Finds the route for method + path; statics first. Undefined means 404 Common.NotFound (no method-not-allowed). */
export function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  const segs = path.split("/");
  let best: { route: Route; params: Record<string, string>; statics: number } | undefined;
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const pats = route.pattern.split("/");
    if (pats.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let statics = 0;
    const ok = pats.every((p, i) => {
      if (p.startsWith(":")) return (params[p.slice(1)] = decodeURIComponent(segs[i]!)) !== "";
      statics++;
      return p === segs[i];
    });
    if (ok && (!best || statics > best.statics)) best = { route, params, statics };
  }
  return best && { route: best.route, params: best.params };
}

/**
 * Agent routes: `/api/v1/time`, `/info`, `/status`, `/secret` (no auth) and `POST /api/v1/agent/password` (§2.1, §3.2,
 * §4.7, §6). Gap: `/api/v1/git-info`, login/logout and SSO are not implemented (404).
 */
import { AgentSecretSchema, AgentServiceStatusSchema, AgentStatusInfoSchema, compareVersions } from "../../obshell/schemas";
import { bindJson } from "../bind";
import { formatGoTime } from "../clock";
import type { HandlerResult, SimRequest } from "../routes";

const data = (d: unknown): HandlerResult => ({ kind: "data", data: d });

/** GET /api/v1/time: the agent's clock (skew included) as Go RFC 3339. */
export function getTime(req: SimRequest): HandlerResult {
  return data(formatGoTime(req.state.agentNow()));
}

const ARCH: Record<string, string> = { x64: "x86_64", arm64: "aarch64" };

/** The agent's architecture name as obshell reports it. */
export function agentArchitecture(): string {
  return ARCH[process.arch] ?? process.arch;
}

/**
 * GET /api/v1/info (`meta.AgentStatus`; `startAt` is Go's UnixNano). `isObproxyAgent` exists from 4.2.6.0; `version`
 * is obshell's VERSION-RELEASE, as on /status.
 */
export function getInfo(req: SimRequest): HandlerResult {
  const s = req.state;
  const info: Record<string, unknown> = {
    pid: process.pid, state: 2, startAt: s.startedAtMs * 1e6, homePath: "/home/admin/obshell", obVersion: "", architecture: agentArchitecture(),
    ip: s.agentIp, port: s.port, zone: "", identity: s.identity, version: `${s.version}-0`,
  };
  if (compareVersions(s.version, "4.2.6.0") >= 0) info.isObproxyAgent = s.isObproxyAgent;
  info.security = s.agentPassword !== null;
  info.supportedAuth = ["v2"];
  return data(AgentStatusInfoSchema.parse(info));
}

/** GET|POST /api/v1/status. `underMaintenance` is agent-global, never the OBProxy lock. */
export function getStatus(req: SimRequest): HandlerResult {
  const s = req.state;
  return data(AgentServiceStatusSchema.parse({
    agent: { ip: s.agentIp, port: s.port, identity: s.identity }, state: 2, version: `${s.version}-0`, pid: process.pid,
    startAt: s.startedAtMs * 1e6, port: s.port, obState: 0, underMaintenance: false,
  }));
}

/** GET /api/v1/secret: base64 PKCS#1 DER of the current key. */
export function getSecret(req: SimRequest): HandlerResult {
  const s = req.state;
  return data(AgentSecretSchema.parse({ ip: s.agentIp, port: s.port, public_key: s.keyPair.publicKeyBase64 }));
}

/** POST /api/v1/agent/password (verification in secure.ts). */
export function setAgentPassword(req: SimRequest): HandlerResult {
  const p = bindJson(req.body, "SetAgentPasswordParam", [{ json: "password", go: "Password", type: "string", required: true }]);
  req.state.agentPassword = p.password as string;
  return { kind: "empty" };
}

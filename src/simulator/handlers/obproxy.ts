/**
 * OBProxy routes (§4) with obshell's synchronous validation order (`ob/agent/executor/obproxy/add.go` etc.).
 *
 * Known gaps: the proxyro login to each rs_list entry (§4.1 step 8) is not made, the cluster name passed as `-c` is
 * always "obcluster"; a CLUSTER AGENT without rs_list/config_url uses 127.0.0.1:2881; `rs_list` is used verbatim.
 */
import { compareVersions, type AgentIdentity } from "../../obshell/schemas";
import { bindJson, type BindField } from "../bind";
import { dagDto } from "../dag-dto";
import { addDag, deleteDag, startDag, stopDag, upgradeDag, type AddPlan } from "../obproxy-tasks";
import type { HandlerResult, SimRequest } from "../routes";
import { readObproxyVersion } from "../obproxy-version";
import { E, SimApiError } from "../sim-errors";
import type { AgentState } from "../state";
import type { DagSpec } from "../dag-engine";
import { agentArchitecture } from "./agent";
export { uploadObproxyPackage } from "./obproxy-package";

const ADD_FIELDS: BindField[] = [
  { json: "home_path", go: "HomePath", type: "string", required: true },
  { json: "name", go: "Name", type: "string" },
  { json: "sql_port", go: "SqlPort", type: "int" },
  { json: "rpc_port", go: "RpcPort", type: "int" },
  { json: "exporter_port", go: "ExporterPort", type: "int" },
  { json: "proxyro_password", go: "ProxyroPassword", type: "string" },
  { json: "obproxy_sys_password", go: "ObproxySysPassword", type: "string" },
  { json: "rs_list", go: "RsList", type: "string" },
  { json: "config_url", go: "ConfigUrl", type: "string" },
  { json: "parameters", go: "Parameters", type: "map" },
];

/** Port keys and defaults (`ob/agent/constant/obproxy.go`): SQL 2883, exporter 2884, RPC 2885. */
const PORTS = [
  { field: "sql_port", key: "listen_port", def: 2883 },
  { field: "rpc_port", key: "rpc_listen_port", def: 2885 },
  { field: "exporter_port", key: "prometheus_listen_port", def: 2884 },
] as const;

/** Creates a DAG under the OBProxy lock (maintenance DAGs only) with its fate claimed from the fault plan. */
export function createObproxyDag(s: AgentState, spec: DagSpec, homePath = s.obproxy?.homePath): HandlerResult {
  const holder = s.engine.lockHolder();
  if (spec.maintenance && holder) throw E.underMaintenance(spec.name, s.agentString, s.version);
  const fates = s.faults.claimFates(spec.name, spec.tasks.map((t) => t.name));
  const dag = s.engine.create(spec, fates);
  if (homePath) dag.homePath = homePath;
  return { kind: "data", data: dagDto(dag, s.address, false) };
}

/** POST /api/v1/obproxy, in AddObproxy's order: managed, home path, `-V` (raw error), ports, version, work mode. */
export async function addObproxy(req: SimRequest): Promise<HandlerResult> {
  const s = req.state;
  const p = bindJson(req.body, "AddObproxyParam", ADD_FIELDS);
  if (s.isObproxyAgent) throw E.alreadyManaged();
  const home = p.home_path as string;
  await s.host.checkHome(home).catch((e) => {
    throw e instanceof SimApiError ? E.invalidHomePath(e) : e;
  });
  const version = await readObproxyVersion(s, home);
  const parameters: Record<string, string> = { ...((p.parameters as Record<string, string> | undefined) ?? {}) };
  for (const port of PORTS) {
    if (p[port.field] !== undefined) parameters[port.key] = String(p[port.field]);
    else if (!parameters[port.key]) parameters[port.key] = String(port.def);
  }
  // Checked in obshell's order (listen, prometheus, rpc) with strconv.Atoi: no range check (§8.10).
  for (const key of ["listen_port", "prometheus_listen_port", "rpc_listen_port"]) {
    if (!/^[+-]?\d+$/.test(parameters[key]!)) throw E.invalidPort(parameters[key]!);
  }
  // obshell compares strings here, not versions (§8.11).
  if (version < "4.0.0") throw E.versionNotSupported(version);
  fillWorkMode(p, parameters, s.identity);
  const plan: AddPlan = {
    homePath: home, name: (p.name as string | undefined) ?? "", sqlPort: Number(parameters.listen_port), parameters,
    clusterName: parameters.rootservice_list ? "obcluster" : "", sysPassword: (p.obproxy_sys_password as string | undefined) ?? "",
    proxyroPassword: (p.proxyro_password as string | undefined) ?? "", version,
  };
  return createObproxyDag(s, addDag(s, plan), home);
}

function fillWorkMode(p: Record<string, unknown>, parameters: Record<string, string>, identity: AgentIdentity): void {
  // Go keeps "" apart from null here: both non-null, even empty, conflict.
  if (p.rs_list !== undefined && p.config_url !== undefined) throw E.rsConflicted();
  if (p.rs_list !== undefined) {
    parameters.rootservice_list = p.rs_list as string;
    parameters.obproxy_config_server_url = "";
  } else if (p.config_url !== undefined) {
    parameters.obproxy_config_server_url = p.config_url as string;
  } else if (identity !== "CLUSTER AGENT") {
    throw E.rsNotSpecified();
  } else {
    parameters.rootservice_list = "127.0.0.1:2881";
    parameters.obproxy_config_server_url = "";
  }
}

/** DELETE /api/v1/obproxy: 204 without a body when nothing is managed (§1.4). */
export function deleteObproxy(req: SimRequest): HandlerResult {
  const s = req.state;
  if (!s.isObproxyAgent) return { kind: "no-content" };
  return createObproxyDag(s, deleteDag(s));
}

/** POST /api/v1/obproxy/start: ≥4.3.1.0 forgets to return the "not managed" precheck error (§4.4, §8.7). */
export function startObproxy(req: SimRequest): HandlerResult {
  const s = req.state;
  if (!s.isObproxyAgent && s.generation === "numeric") throw E.notBeManaged();
  return createObproxyDag(s, startDag(s));
}

/** POST /api/v1/obproxy/stop. */
export function stopObproxy(req: SimRequest): HandlerResult {
  const s = req.state;
  if (!s.isObproxyAgent) throw E.notBeManaged();
  return createObproxyDag(s, stopDag(s));
}

/** POST /api/v1/obproxy/upgrade (§4.5). */
export async function upgradeObproxy(req: SimRequest): Promise<HandlerResult> {
  const s = req.state;
  const p = bindJson(req.body, "UpgradeObproxyParam", [
    { json: "version", go: "Version", type: "string", required: true },
    { json: "release", go: "Release", type: "string", required: true },
    { json: "upgrade_dir", go: "UpgradeDir", type: "string" },
  ]);
  if (!s.isObproxyAgent || !s.obproxy) throw E.notBeManaged();
  const pid = await s.host.readPidFile(s.obproxy.homePath);
  if (!/^\d+$/.test(pid) || !(await s.host.alive(Number(pid)))) throw E.notRunning();
  const release = p.release as string;
  if (!release.includes(".")) throw E.releaseFormatInvalid(release);
  const build = release.slice(0, release.indexOf("."));
  const distribution = release.slice(release.lastIndexOf(".") + 1);
  const target = `${p.version as string}-${build}`;
  if (compareVersions(target, s.obproxy.version) <= 0) throw E.upgradeToLower(target, s.obproxy.version);
  const dir = ((p.upgrade_dir as string | undefined) ?? "").trim();
  if (dir !== "" && (!dir.startsWith("/") || !/^[a-zA-Z0-9\u4e00-\u9fa5\-_:@/.]*$/.test(dir) || dir.split("/").includes(".."))) {
    throw E.invalidPath(dir, "must be an absolute path without traversal");
  }
  const arch = agentArchitecture();
  const found = s.packages.find((k) => k.Name === "obproxy-ce" && k.Version === p.version && k.Release === build && k.Distribution === distribution && k.Architecture === arch);
  if (!found) throw E.packageNotFound(`obproxy-ce-${p.version as string}-${release}.${arch}.rpm`);
  return createObproxyDag(s, upgradeDag(s, target));
}

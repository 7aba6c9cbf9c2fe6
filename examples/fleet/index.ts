// One OBProxy on each obshell agent, all from one stack.
//
// Agents are listed either as `endpoints` (URLs; every host uses the same `homePath` and the default ports), or as
// `agents`, a list of objects `{ endpoint, homePath?, sqlPort?, rpcPort?, exporterPort?, name? }` for hosts that
// differ (or several agents on one machine, which must not share a home path or ports).
//
// All ObProxy resources share one provider plugin process; a `pulumi destroy` deletes them concurrently and each
// delete waits for its own agent's Delete DAG. The agent password comes from the secret stack config
// `obshell:agentPassword` (one password for the fleet) or per agent from `agentPasswords` (a secret map).
import * as pulumi from "@pulumi/pulumi";
import { ObProxy } from "pulumi-obproxy";

interface Agent {
  endpoint: string;
  homePath?: string;
  sqlPort?: number;
  rpcPort?: number;
  exporterPort?: number;
  name?: string;
}

const config = new pulumi.Config();
const agents: Agent[] =
  config.getObject<Agent[]>("agents") ?? config.requireObject<string[]>("endpoints").map((endpoint) => ({ endpoint }));
const perAgentPasswords = config.getSecretObject<Record<string, string>>("agentPasswords");

/**
 * Each resource is named after its agent (host and port), never its position in the list: removing one agent then
 * removes exactly that resource, instead of renaming the ones after it (which Pulumi would replace, and whose
 * creates would fail with OBProxy.AlreadyManaged).
 */
function resourceName(endpoint: string): string {
  const url = new URL(endpoint);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `obproxy-${url.hostname.replace(/[\[\]]/g, "").replace(/:/g, "_")}-${port}`;
}

const proxies = agents.map(
  (agent) =>
    new ObProxy(resourceName(agent.endpoint), {
      endpoint: agent.endpoint,
      agentPassword: perAgentPasswords ? perAgentPasswords.apply((m) => m[agent.endpoint]) : undefined,
      homePath: agent.homePath ?? config.require("homePath"),
      name: agent.name,
      sqlPort: agent.sqlPort,
      rpcPort: agent.rpcPort,
      exporterPort: agent.exporterPort,
      rsList: config.get("rsList"),
      configUrl: config.get("configUrl"),
      proxyroPassword: config.getSecret("proxyroPassword"),
      running: config.getBoolean("running"),
      timeouts: { delete: "20m" },
    }),
);

export const agentAddresses = proxies.map((p) => p.agentAddress);
export const sqlPorts = proxies.map((p) => p.sqlPort);
export const lastDags = proxies.map((p) => p.lastDag);

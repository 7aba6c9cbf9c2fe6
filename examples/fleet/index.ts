// One OBProxy on each obshell agent listed in the `endpoints` config, all from one stack.
//
// All ObProxy resources share one provider plugin process; a `pulumi destroy` deletes them concurrently and each
// delete waits for its own agent's Delete DAG. The agent password comes from the secret stack config
// `obshell:agentPassword` (one password for the fleet) or per agent from `agentPasswords` (a secret map).
import * as pulumi from "@pulumi/pulumi";
import { ObProxy } from "pulumi-obproxy";

const config = new pulumi.Config();
const endpoints = config.requireObject<string[]>("endpoints");
const perAgentPasswords = config.getSecretObject<Record<string, string>>("agentPasswords");

const proxies = endpoints.map(
  (endpoint, i) =>
    new ObProxy(`obproxy-${i}`, {
      endpoint,
      agentPassword: perAgentPasswords ? perAgentPasswords.apply((m) => m[endpoint]) : undefined,
      homePath: config.require("homePath"),
      rsList: config.get("rsList"),
      configUrl: config.get("configUrl"),
      proxyroPassword: config.getSecret("proxyroPassword"),
      running: config.getBoolean("running"),
      timeouts: { delete: "20m" },
    }),
);

export const agents = proxies.map((p) => p.agentAddress);
export const sqlPorts = proxies.map((p) => p.sqlPort);
export const lastDags = proxies.map((p) => p.lastDag);

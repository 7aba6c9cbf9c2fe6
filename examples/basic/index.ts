// One OBProxy, managed through the obshell agent at `obshell:endpoint`.
//
// The agent password is not passed as an input: the provider reads the secret stack config
// `obshell:agentPassword` (or OBSHELL_AGENT_PASSWORD) each time it runs, so it never lands in state and a rotated
// password also works for `pulumi destroy`.
import * as pulumi from "@pulumi/pulumi";
import { ObProxy } from "pulumi-obproxy";

const obshell = new pulumi.Config("obshell");
const config = new pulumi.Config();

const proxy = new ObProxy("obproxy", {
  endpoint: obshell.require("endpoint"),
  homePath: config.require("homePath"),
  name: config.get("name"),
  rsList: config.get("rsList"),
  configUrl: config.get("configUrl"),
  sqlPort: config.getNumber("sqlPort"),
  proxyroPassword: config.getSecret("proxyroPassword"),
  obproxySysPassword: config.getSecret("obproxySysPassword"),
  running: config.getBoolean("running"),
  adopt: config.getBoolean("adopt"),
  timeouts: { create: "25m", delete: "15m" },
});

export const agentVersion = proxy.agentVersion;
export const agentAddress = proxy.agentAddress;
export const sqlPort = proxy.sqlPort;
export const running = proxy.running;
export const lastDag = proxy.lastDag;

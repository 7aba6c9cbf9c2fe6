#!/usr/bin/env node
/**
 * `obshell-sim`: runs a simulated obshell agent until SIGINT/SIGTERM.
 *   obshell-sim --port 2886 --agent-password pw --time-scale 0.05 [--version 4.5.0.0] [--memory] [--fake-home DIR]
 *               [--fail-task NAME[:once|always][:ERRCODE]] [--faults '<FaultPlan JSON>'] [--private-key FILE]
 *               [--identity SINGLE] [--agent-ip 127.0.0.1] [--control-token TOKEN]
 * Logs one line per request (method, path, status, errCode), never a secret. Prints the control token for `/__sim/…`
 * (header `x-sim-control-token`) at start: the one given (`--control-token` or OBSHELL_SIM_CONTROL_TOKEN), else a
 * fresh random one.
 */
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import type { FailTaskFault, FaultPlan } from "./faults";
import { CONTROL_TOKEN_HEADER, createFakeObproxyHome, startSimulator } from "./index";

/** Environment variable that fixes the control token (CI scripts that start the simulator and drive it). */
export const CONTROL_TOKEN_ENV = "OBSHELL_SIM_CONTROL_TOKEN";
import type { AgentIdentity } from "../obshell/schemas";

/** Parses `NAME[:once|always|N][:ERRCODE]`. */
export function parseFailTask(spec: string): FailTaskFault {
  const [task = "", times, errCode] = spec.split(":");
  const t = times === undefined || times === "" ? "once" : times === "once" || times === "always" ? times : Number(times);
  if (typeof t === "number" && !(t > 0)) throw new Error(`--fail-task ${spec}: times must be once, always or a positive number`);
  return { task, times: t, ...(errCode ? { errCode } : {}) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "2886" },
      "agent-password": { type: "string" },
      "time-scale": { type: "string", default: "1" },
      version: { type: "string", default: "4.5.0.0" },
      memory: { type: "boolean", default: false },
      "fake-home": { type: "string" },
      "fail-task": { type: "string", multiple: true },
      faults: { type: "string" },
      "private-key": { type: "string" },
      identity: { type: "string", default: "SINGLE" },
      "agent-ip": { type: "string", default: "127.0.0.1" },
      "control-token": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      "usage: obshell-sim [--port 2886] [--agent-password PW] [--time-scale 0.05] [--version 4.5.0.0] [--memory] [--fake-home DIR]\n" +
        "                   [--fail-task NAME[:once|always|N][:ERRCODE]]... [--faults '<FaultPlan JSON>'] [--private-key PEM_FILE]\n" +
        "                   [--identity SINGLE] [--agent-ip 127.0.0.1] [--control-token TOKEN (or OBSHELL_SIM_CONTROL_TOKEN)]\n" +
        "/__sim/* control requests need the header x-sim-control-token: TOKEN (printed at start) and a JSON body.\n",
    );
    return;
  }
  // A whole FaultPlan (delay, drop, reset, status5xx, malformed, failTasks) as JSON, like POST /__sim/faults.
  const plan = values.faults ? (JSON.parse(values.faults) as FaultPlan) : {};
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  if (values["fake-home"]) log(`fake OBProxy home: ${await createFakeObproxyHome(values["fake-home"])}`);
  const sim = await startSimulator({
    port: Number(values.port), agentPassword: values["agent-password"] ?? null, timeScale: Number(values["time-scale"]),
    version: values.version, mode: values.memory ? "memory" : "real", identity: values.identity as AgentIdentity, agentIp: values["agent-ip"],
    faults: { ...plan, failTasks: [...(plan.failTasks ?? []), ...(values["fail-task"] ?? []).map(parseFailTask)] }, log,
    privateKeyPem: values["private-key"] ? readFileSync(values["private-key"], "utf8") : undefined,
    controlToken: values["control-token"] ?? (process.env[CONTROL_TOKEN_ENV] || undefined),
  });
  process.stdout.write(`obshell-sim ${values.version} listening on ${sim.url}\n`);
  // Whoever started the simulator can read its output; a web page cannot.
  process.stdout.write(`control token: ${sim.controlToken} (send as header ${CONTROL_TOKEN_HEADER} to /__sim/*)\n`);
  const shutdown = (sig: string) => {
    log(`${sig}: stopping`);
    void sim.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`obshell-sim: ${(e as Error).message}\n`);
    process.exit(1);
  });
}

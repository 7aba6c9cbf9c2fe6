/**
 * The `obshell-sim` command line → `startSimulator` options, checked up front: a bad value is a usage error naming
 * the flag, never a silent `NaN`. One table of flags (`FLAGS`), one check per value; a new flag is a row there and a
 * line in `toOptions`.
 */
import { isIP } from "node:net";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { AGENT_IDENTITIES, type AgentIdentity } from "../obshell/schemas";
import { parseFaultPlan } from "./fault-schema";
import type { FailTaskFault, FaultPlan } from "./faults";

/** A command line the simulator cannot run with; `main` prints it with the usage and exits 2. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}

/** Every flag, with its default. */
export const FLAGS = {
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
} as const satisfies ParseArgsConfig["options"];

export const USAGE =
  "usage: obshell-sim [--port 2886] [--agent-password PW] [--time-scale 0.05] [--version 4.5.0.0] [--memory] [--fake-home DIR]\n" +
  "                   [--fail-task NAME[:once|always|N][:ERRCODE]]... [--faults '<FaultPlan JSON>'] [--private-key PEM_FILE]\n" +
  "                   [--identity SINGLE] [--agent-ip 127.0.0.1] [--control-token TOKEN (or OBSHELL_SIM_CONTROL_TOKEN)]\n" +
  "/__sim/* control requests need the header x-sim-control-token: TOKEN (printed at start) and a JSON body.\n";

/** Environment variable that fixes the control token (CI scripts that start the simulator and then drive it). */
export const CONTROL_TOKEN_ENV = "OBSHELL_SIM_CONTROL_TOKEN";

/** What the command line asks for. */
export interface CliOptions {
  help: boolean;
  port: number;
  agentPassword: string | null;
  timeScale: number;
  version: string;
  mode: "real" | "memory";
  fakeHome?: string;
  /** `--faults` with every `--fail-task` appended. */
  faults: FaultPlan;
  privateKeyFile?: string;
  identity: AgentIdentity;
  agentIp: string;
  /** `--control-token`; absent: the environment's, else a fresh random one (chosen by startSimulator). */
  controlToken?: string;
}

/** Parses and checks `argv` (without node and the script); throws CliUsageError naming the bad flag. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let values: ReturnType<typeof parseFlags>["values"];
  try {
    values = parseFlags(argv).values;
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
  return toOptions(values);
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false });
}

function toOptions(v: ReturnType<typeof parseFlags>["values"]): CliOptions {
  const plan = v.faults === undefined ? {} : flag("--faults", () => parseFaultPlan(v.faults as string));
  const failTasks = (v["fail-task"] ?? []).map((spec) => flag(`--fail-task ${spec}`, () => parseFailTask(spec)));
  return {
    help: v.help,
    port: integer("--port", v.port, 0, 65_535),
    agentPassword: v["agent-password"] ?? null,
    timeScale: positiveNumber("--time-scale", v["time-scale"]),
    version: agentVersion(v.version),
    mode: v.memory ? "memory" : "real",
    ...(v["fake-home"] !== undefined ? { fakeHome: nonEmpty("--fake-home", v["fake-home"]) } : {}),
    faults: { ...plan, failTasks: [...(plan.failTasks ?? []), ...failTasks] },
    ...(v["private-key"] !== undefined ? { privateKeyFile: nonEmpty("--private-key", v["private-key"]) } : {}),
    identity: oneOf("--identity", v.identity, AGENT_IDENTITIES),
    agentIp: ipAddress("--agent-ip", v["agent-ip"]),
    ...(v["control-token"] !== undefined ? { controlToken: controlToken("--control-token", v["control-token"]) } : {}),
  };
}

/** The simulator refuses tokens shorter than 16 characters; say so as a usage error naming the flag. */
function controlToken(name: string, text: string): string {
  if (text.length < 16) throw new CliUsageError(`${name}: expected at least 16 characters`);
  return text;
}

/** Parses `NAME[:once|always|N][:ERRCODE]`. */
export function parseFailTask(spec: string): FailTaskFault {
  const [task = "", times, errCode] = spec.split(":");
  if (!task) throw new Error("the task name is missing (NAME[:once|always|N][:ERRCODE])");
  const t = times === undefined || times === "" ? "once" : times === "once" || times === "always" ? times : Number(times);
  if (typeof t === "number" && !(Number.isInteger(t) && t > 0)) throw new Error(`times must be once, always or a positive integer, not "${times}"`);
  return { task, times: t, ...(errCode ? { errCode } : {}) };
}

function flag<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new CliUsageError(`${name}: ${(e as Error).message}`);
  }
}

function integer(name: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new CliUsageError(`${name} "${text}": expected an integer from ${min} to ${max}`);
  return n;
}

function positiveNumber(name: string, text: string): number {
  const n = text.trim() === "" ? NaN : Number(text);
  if (!(Number.isFinite(n) && n > 0)) throw new CliUsageError(`${name} "${text}": expected a number greater than 0 (1 = obshell's own timing)`);
  return n;
}

function agentVersion(text: string): string {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(text)) throw new CliUsageError(`--version "${text}": expected four numbers like 4.5.0.0`);
  return text;
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) throw new CliUsageError(`${name} "${text}": expected one of ${allowed.join(", ")}`);
  return text as T;
}

function ipAddress(name: string, text: string): string {
  if (!isIP(text)) throw new CliUsageError(`${name} "${text}": expected an IPv4 or IPv6 address`);
  return text;
}

function nonEmpty(name: string, text: string): string {
  if (text.trim() === "") throw new CliUsageError(`${name}: expected a path, got an empty string`);
  return text;
}

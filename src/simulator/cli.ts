#!/usr/bin/env node
/**
 * `obshell-sim`: runs a simulated obshell agent until SIGINT/SIGTERM.
 *   obshell-sim --port 2886 --agent-password pw --time-scale 0.05 [--version 4.5.0.0] [--memory] [--fake-home DIR]
 *               [--fail-task NAME[:once|always][:ERRCODE]] [--faults '<FaultPlan JSON>'] [--private-key FILE]
 *               [--identity SINGLE] [--agent-ip 127.0.0.1] [--control-token TOKEN]
 * Logs one line per request (method, path, status, errCode), never a secret. Flags are parsed and checked in
 * `cli-args.ts`; a bad one exits 2 with a message naming it. Prints the control token for `/__sim/…` (header
 * `x-sim-control-token`) at start: `--control-token`, else OBSHELL_SIM_CONTROL_TOKEN, else a fresh random one.
 */
import { readFileSync } from "node:fs";
import { CliUsageError, CONTROL_TOKEN_ENV, parseCliArgs, USAGE } from "./cli-args";
import { CONTROL_TOKEN_HEADER, createFakeObproxyHome, startSimulator } from "./index";

export { parseFailTask } from "./cli-args";

async function main(argv: readonly string[]): Promise<void> {
  const o = parseCliArgs(argv);
  if (o.help) {
    process.stdout.write(USAGE);
    return;
  }
  const privateKeyPem = o.privateKeyFile === undefined ? undefined : readKey(o.privateKeyFile);
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  if (o.fakeHome) log(`fake OBProxy home: ${await createFakeObproxyHome(o.fakeHome)}`);
  const sim = await startSimulator({
    port: o.port, agentPassword: o.agentPassword, timeScale: o.timeScale, version: o.version, mode: o.mode,
    identity: o.identity, agentIp: o.agentIp, faults: o.faults, log, privateKeyPem,
    controlToken: o.controlToken ?? (process.env[CONTROL_TOKEN_ENV] || undefined),
  });
  process.stdout.write(`obshell-sim ${o.version} listening on ${sim.url}\n`);
  // Whoever started the simulator can read its output; a web page cannot.
  process.stdout.write(`control token: ${sim.controlToken} (send as header ${CONTROL_TOKEN_HEADER} to /__sim/*)\n`);
  const shutdown = (sig: string) => {
    log(`${sig}: stopping`);
    void sim.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

function readKey(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new CliUsageError(`--private-key ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    const usage = e instanceof CliUsageError;
    process.stderr.write(`obshell-sim: ${(e as Error).message}\n${usage ? USAGE : ""}`);
    process.exit(usage ? 2 : 1);
  });
}

#!/usr/bin/env node
/**
 * `pulumi-obproxy`: the operator's command for what a Pulumi run cannot do — look at the agent, follow or operate
 * a DAG, delete the OBProxy from a teardown script. Same client, same lifecycle, same redaction as the provider.
 */
import { EXIT, UsageError, parseCommon } from "./options";
import { readAgentPassword, type Terminal } from "./password";
import { openSession, type Session, type Streams } from "./session";
import { DAG_ACTIONS, dagCommand } from "./commands/dag";
import { deleteCommand } from "./commands/delete";
import { statusCommand } from "./commands/status";
import { describeError } from "./describe-error";

const COMMON_HELP = `Options:
  --endpoint URL          obshell agent, e.g. http://10.0.0.5:2886 (default: $OBSHELL_ENDPOINT)
  --ca FILE --cert FILE --key FILE --insecure-skip-verify
                          TLS for https endpoints (as the resource's tls input)
  --pin KEY_OR_SHA256     the agent's public key pin (as agentPublicKeyPin)
  --json                  one JSON document on stdout (progress stays on stderr)
  -y, --yes               confirm destructive operators without asking (scripts)
  -h, --help
The agent password comes from $OBSHELL_AGENT_PASSWORD or a prompt, never from the command line.
Exit codes: 0 done, 1 failed (FAILED DAG, refusal, unreachable), 2 usage, 3 timeout (the DAG keeps running),
            4 a DAG ended SUCCEED by PASS (skipped work did not happen), 130 interrupted.`;

/** Help text per command. */
export const HELP: Record<string, string> = {
  main: `pulumi-obproxy — operate obshell's OBProxy outside a Pulumi run

Usage:
  pulumi-obproxy status                         agent, managed OBProxy, the DAG holding the OBProxy lock
  pulumi-obproxy dag show <id>                  a DAG's nodes and failed tasks
  pulumi-obproxy dag watch <id> [--timeout 30m] follow a DAG to its end (exit code from its end state)
  pulumi-obproxy dag retry|pass|rollback|cancel <id> [--wait]
                                                obshell's operators (pass/rollback/cancel ask first)
  pulumi-obproxy delete [--timeout 15m]         the same delete as pulumi destroy: waits for the Delete DAG

${COMMON_HELP}`,
  status: `pulumi-obproxy status — the agent's version and identity, whether it manages an OBProxy, and the DAG
holding obshell's OBProxy lock (with the next command when it FAILED).

${COMMON_HELP}`,
  dag: `pulumi-obproxy dag <show|watch|retry|pass|rollback|cancel> <id> [--timeout 30m] [--wait]
  show     nodes, state, the failed task's last log lines
  watch    progress until the DAG ends; exit 0 SUCCEED, 1 FAILED, 4 SUCCEED by PASS, 3 timeout
  retry    run the failed task again (obshell task retry -i <id> on the agent host does the same)
  pass     mark the failed task done without running it (asks first)
  rollback undo the DAG's finished tasks (asks first)
  cancel   stop a running DAG (asks first)
  --wait   after an operator, watch the DAG to its end

${COMMON_HELP}`,
  delete: `pulumi-obproxy delete [--timeout 15m] — delete the OBProxy this agent manages and wait for obshell's
Delete DAG to SUCCEED, exactly as pulumi destroy does: resumes a running delete, retries a failed one, never sends
a second DELETE that would start a second DAG. Exit 0 only when obshell manages no OBProxy.

${COMMON_HELP}`,
};

/** What main needs from the process (injected by tests). */
export interface MainIo extends Streams {
  env: NodeJS.ProcessEnv;
  terminal: Terminal;
  /** Aborts on Ctrl-C. */
  signal: AbortSignal;
}

/** Runs one command line; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: MainIo): Promise<number> {
  const [command = "", ...rest] = argv;
  const topic = command === "" || command === "help" || command === "-h" || command === "--help" ? "main" : command;
  if (topic === "main") {
    io.out(HELP.main);
    return command === "" ? EXIT.usage : EXIT.ok;
  }
  if (!HELP[topic]) {
    io.err(`unknown command "${command}"\n\n${HELP.main}`);
    return EXIT.usage;
  }
  let session: Session | undefined;
  try {
    const isDag = command === "dag";
    const words = isDag ? rest.filter((w) => w !== "--wait") : rest;
    const { options, positionals } = parseCommon(words, io.env);
    if (options.help) {
      io.out(HELP[topic]);
      return EXIT.ok;
    }
    if (isDag && !DAG_ACTIONS.includes(positionals[0] as never)) throw new UsageError(`dag: expected one of ${DAG_ACTIONS.join(", ")}`);
    if (!isDag && positionals.length > 0) throw new UsageError(`${command}: unexpected argument "${positionals[0]}"`);
    const password = await readAgentPassword(io.env, io.terminal);
    session = openSession(options, password, io, io.signal, io.env);
    if (command === "status") return await statusCommand(session);
    if (command === "delete") return await deleteCommand(session);
    return await dagCommand(session, io.terminal, positionals[0] as string, positionals[1], rest.includes("--wait"));
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n\n${HELP[topic]}`);
      return EXIT.usage;
    }
    const described = describeError(e, io.signal);
    const text = session ? session.redact(described.text) : described.text;
    io.err(text);
    if (io.env.PULUMI_OBPROXY_VERBOSITY === "debug" && e instanceof Error && e.stack) io.err(session ? session.redact(e.stack) : e.stack);
    return described.exitCode;
  } finally {
    await session?.client.close().catch(() => undefined);
  }
}

if (require.main === module) {
  const controller = new AbortController();
  let interrupts = 0;
  process.on("SIGINT", () => {
    // First Ctrl-C aborts the wait (the DAG keeps running in obshell); a second one exits at once.
    if (++interrupts > 1) process.exit(EXIT.interrupted);
    controller.abort(new Error("interrupted (Ctrl-C)"));
  });
  main(process.argv.slice(2), {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    env: process.env,
    terminal: { input: process.stdin, output: process.stderr },
    signal: controller.signal,
  }).then((code) => {
    process.exitCode = code;
  });
}

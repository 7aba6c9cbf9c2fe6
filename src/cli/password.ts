/**
 * The agent password for the operator command: `OBSHELL_AGENT_PASSWORD`, else a prompt on the terminal with echo
 * off. Never from argv (visible in `ps` and shell history).
 */
import { UsageError } from "./options";

/** Where the command reads and writes when prompting (the terminal in real use, streams in tests). */
export interface Terminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream;
}

/** The password from the environment, or asked for on a terminal; a usage error when neither is possible. */
export async function readAgentPassword(env: NodeJS.ProcessEnv, term: Terminal): Promise<string> {
  const fromEnv = env.OBSHELL_AGENT_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!term.input.isTTY) {
    throw new UsageError("no agent password: set OBSHELL_AGENT_PASSWORD (the command never takes it as an argument)");
  }
  return promptHidden(term, "obshell agent password: ");
}

/** Reads one line without echoing it. */
function promptHidden(term: Terminal, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    term.output.write(question);
    term.input.setRawMode?.(true);
    term.input.resume();
    let value = "";
    const done = (err?: Error) => {
      term.input.setRawMode?.(false);
      term.input.pause();
      term.input.removeListener("data", onData);
      term.output.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(new UsageError("interrupted"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    term.input.on("data", onData);
  });
}

/** Asks a yes/no question; only "y" or "yes" confirm. Without a terminal it refuses (use --yes in scripts). */
export async function confirm(term: Terminal, question: string): Promise<boolean> {
  if (!term.input.isTTY) throw new UsageError(`${question} — no terminal to confirm on: pass --yes to confirm in a script`);
  const readline = await import("node:readline/promises");
  const rl = readline.createInterface({ input: term.input, output: term.output });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

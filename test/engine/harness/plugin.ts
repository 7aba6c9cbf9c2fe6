/**
 * Starts `@pulumi/pulumi`'s dynamic-provider plugin the way the engine does: `node …/cmd/dynamic-provider/index.js
 * <engine address>` with cwd = the project, detached into its own process group; the first stdout line is the port.
 * Everything else the plugin prints is what `pulumi up` would show as diagnostics (CLI ≥ 3.146).
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { PROJECT_NAME } from "./project";
import { ProviderRpc } from "./rpc";

/** A running plugin process. */
export interface PluginHandle {
  rpc: ProviderRpc;
  port: number;
  pid: number;
  /** stdout lines after the port, and stderr lines, in arrival order. */
  output(): string[];
  /** Kills the process group (SIGKILL simulates a plugin killed mid-operation) and waits for exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      onLine(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  });
}

/** Starts the plugin in `projectDir`; `env` is added to the environment (e.g. OBSHELL_AGENT_PASSWORD). */
export async function startPlugin(projectDir: string, env: Record<string, string> = {}): Promise<PluginHandle> {
  const entry = path.join(projectDir, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js");
  const baseEnv = { ...process.env };
  delete baseEnv.OBSHELL_AGENT_PASSWORD; // only what the test passes
  const child: ChildProcess = spawn(process.execPath, [entry, "127.0.0.1:1"], {
    cwd: projectDir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...baseEnv, PULUMI_NODEJS_PROJECT: PROJECT_NAME, PULUMI_PROJECT: PROJECT_NAME, PULUMI_CONFIG: "{}", ...env },
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let first = true;
    lines(child.stdout!, (line) => {
      if (first) {
        first = false;
        const n = Number(line.trim());
        return Number.isInteger(n) && n > 0 ? resolve(n) : reject(new Error(`plugin printed no port: ${line}`));
      }
      output.push(line);
    });
    lines(child.stderr!, (line) => output.push(line));
    child.once("exit", (code) => reject(new Error(`plugin exited (${code}) before printing its port:\n${output.join("\n")}`)));
  });
  const rpc = new ProviderRpc(`127.0.0.1:${port}`);
  return {
    rpc,
    port,
    pid: child.pid!,
    output: () => [...output],
    async stop(signal = "SIGINT") {
      rpc.close();
      if (child.exitCode === null && child.signalCode === null) {
        // The process group: the engine signals children too, a wrapper would not forward the signal.
        try {
          process.kill(-child.pid!, signal);
        } catch {
          /* already gone */
        }
        await exited;
      }
    },
  };
}

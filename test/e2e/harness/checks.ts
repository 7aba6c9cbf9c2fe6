/**
 * What an e2e test looks at outside the CLI: the stand-in OBProxy process and home that the real-mode simulator
 * manages, the simulator's request log, and a list of things to clean up whatever happens.
 */
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Simulator } from "../../../src/simulator";

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.setTimeout(2000);
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => { socket.destroy(); resolve(false); });
  });
}

/** The pid the stand-in OBProxy wrote to `<home>/run/obproxy.pid`, if any. */
export function standinPid(home: string): number | undefined {
  const file = path.join(home, "run", "obproxy.pid");
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** True while a process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** The directories obshell's delete removes under the home path, those still present. */
export function leftoverDirs(home: string): string[] {
  return ["bin", "lib", "etc", "log", "run"].filter((d) => existsSync(path.join(home, d)));
}

/** DELETE /api/v1/obproxy requests answered with a DAG (200; 204 = nothing managed). */
export function deleteDagsStarted(sim: Simulator): number {
  return sim.requests().filter((r) => r.method === "DELETE" && r.path === "/api/v1/obproxy" && r.status === 200).length;
}

/** Polls `check` every `everyMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000, everyMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Cleanup actions run in reverse order; each failure is reported, none stops the others. */
export class Cleanups {
  private actions: (() => Promise<unknown> | unknown)[] = [];
  add(action: () => Promise<unknown> | unknown): void {
    this.actions.push(action);
  }
  async run(): Promise<void> {
    for (const action of this.actions.reverse()) {
      try {
        await action();
      } catch (e) {
        console.error(`      cleanup failed: ${(e as Error).message}`);
      }
    }
    this.actions = [];
  }
}

/** Asserts that no secret value occurs in any of the texts (named for the message). */
export function findSecrets(texts: Record<string, string>, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const [name, text] of Object.entries(texts)) {
    for (const secret of secrets) if (text.includes(secret)) found.push(`${name} contains ${secret.slice(0, 3)}…`);
  }
  return found;
}

/**
 * Real obshell agents for the opt-in tier: `OBSHELL_BIN=<path to an obshell binary>` (from an OceanBase installation,
 * or built by obshell's own instructions; docs/testing.md). Each agent runs in its own temp dir (obshell's home is the
 * parent of its binary's folder, so the binary is linked or copied to `<dir>/bin/obshell`), started with
 * `agent start --ip 127.0.0.1 -P <free port>`; it binds every interface whatever `--ip` says, so tests only ever
 * talk to it on 127.0.0.1. `stop()` runs `agent stop`, then kills what is left (bounded), then removes the dir.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, link, mkdir, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../helpers/resource-args";

/** The obshell binary to test against, or undefined (the tier then skips, saying so). */
export const OBSHELL_BIN = process.env.OBSHELL_BIN || undefined;

/** Registers a visible skip for a suite when no obshell binary was given. */
export function skipWithoutObshell(ctx: Mocha.Context): void {
  if (OBSHELL_BIN) return;
  console.log("    real obshell tier skipped: set OBSHELL_BIN=<path to an obshell binary> to run it (docs/testing.md)");
  ctx.skip();
}

/** One running real agent. */
export interface RealAgent {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

function run(file: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, timeout: timeoutMs, killSignal: "SIGKILL" }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : null) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForInfo(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${url}/api/v1/info`, { signal: AbortSignal.timeout(2_000) });
      if (r.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(`obshell at ${url} did not answer /api/v1/info in time`);
}

/** Kills the agent's processes named by its pid files (obshell and its daemon), and waits ≤ 5 s for them to go. */
async function killLeftovers(dir: string): Promise<void> {
  const runDir = join(dir, "run");
  const files = existsSync(runDir) ? (await readdir(runDir)).filter((f) => f.endsWith(".pid")) : [];
  const pids = (await Promise.all(files.map((f) => readFile(join(runDir, f), "utf8").catch(() => "")))).map((t) => Number(t.trim())).filter((p) => p > 0);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  for (let i = 0; i < 50 && pids.some((p) => existsSync(`/proc/${p}/cwd`)); i++) await sleep(100);
}

/** Starts a real agent in a fresh temp dir on a free loopback port. */
export async function startRealAgent(): Promise<RealAgent> {
  if (!OBSHELL_BIN) throw new Error("OBSHELL_BIN is not set");
  const dir = await mkdtemp(join(tmpdir(), "obshell-real-"));
  await mkdir(join(dir, "bin"));
  const bin = join(dir, "bin", "obshell");
  await link(OBSHELL_BIN, bin).catch(() => copyFile(OBSHELL_BIN!, bin));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await run(bin, ["agent", "stop"], dir, 30_000);
    await killLeftovers(dir);
    await rm(dir, { recursive: true, force: true });
  };
  const started = await run(bin, ["agent", "start", "--ip", "127.0.0.1", "-P", String(port)], dir, 90_000);
  try {
    if (started.code !== 0) throw new Error(`obshell agent start failed (${started.code}): ${started.out.slice(-2000)}`);
    await waitForInfo(url, Date.now() + 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, dir, stop };
}

/**
 * Real obshell agents for the opt-in tier: `OBSHELL_BIN=<path to an obshell binary>` (from an OceanBase installation,
 * or built by obshell's own instructions; docs/testing.md). Each agent runs in its own temp dir (obshell's home is the
 * parent of its binary's folder, so the binary is linked or copied to `<dir>/bin/obshell`), started with
 * `agent start --ip 127.0.0.1 -P <free port>`; it binds every interface whatever `--ip` says, so tests only ever
 * talk to it on 127.0.0.1. `stop()` runs `agent stop`, then kills what is left (bounded), then removes the dir.
 * Also what the tier and the benchmark's real-agent side share without loading mocha's hooks: a forwarding proxy in
 * front of an agent, the config URL of a fake home, and killing a fake OBProxy left running.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { copyFile, link, mkdir, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../helpers/resource-args";

/** Never fetched by the fake OBProxy; obshell only passes it on as obproxy_config_server_url (an rs_list would log in). */
export const CONFIG_URL = "http://127.0.0.1:9/services?Action=ObRootServiceInfo";

/** Kills the fake OBProxy of `home` if it still runs (a test or a sample failed half-way). */
export function killFake(home: string): void {
  try {
    const pid = Number(readFileSync(join(home, "run", "obproxy.pid"), "utf8").trim());
    if (pid > 0) process.kill(pid, "SIGKILL");
  } catch {
    // Nothing running.
  }
}

/** What a forwarding proxy does with an agent's answer: pass it on, or drop it and cut the client's connection. */
export type AnswerHook = (req: IncomingMessage, answer: IncomingMessage) => "forward" | "drop";

/** A proxy on 127.0.0.1 to the agent at `upstream` that forwards every request; `onAnswer` sees each answer first. */
export async function forwardingProxy(upstream: string, onAnswer: AnswerHook = () => "forward"): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const up = new URL(upstream);
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const fwd = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: up.host } }, (answer) => {
      if (onAnswer(req, answer) === "drop") {
        answer.resume();
        return void req.socket.destroy();
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    fwd.on("error", () => res.destroy());
    req.pipe(fwd);
  });
  server.on("connection", (s) => (sockets.add(s), s.on("close", () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))) };
}

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

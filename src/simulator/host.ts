/**
 * Local effects of OBProxy tasks, behind one interface with two implementations: `RealHost` touches the real
 * filesystem and processes like obshell (home checks, `bin/obproxy -V`, `cd <home>; ./bin/obproxy -o …`, TCP health
 * check, `kill -9`, `/proc/<pid>`, `rm -rf`), `MemoryHost` (memory-host.ts) keeps the same semantics in memory.
 */
import { execFile } from "node:child_process";
import { access, constants, readFile, readdir, rm, stat, mkdir, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import { loadMysql, localPortInUse, proxySql } from "./obproxy-sql";
import { E, SimApiError } from "./sim-errors";

/** The start command's parts (§4.1 step 2). */
export interface StartCommand {
  options: string;
  name?: string;
  cluster?: string;
}

/** What OBProxy tasks need from the machine. Errors thrown are SimApiError (request time) or Error (task time). */
export interface ObproxyHost {
  /**
   * Nominal ms (× timeScale) a start takes to launch OBProxy before obshell's health-check sleep: 0 where a real
   * process is launched (that takes its own time), about a second in memory, like a real obproxy's daemon start.
   */
  readonly launchMs: number;
  /** `checkObproxyHomePath`: throws the inner SimApiError (the caller wraps it). */
  checkHome(home: string): Promise<void>;
  /**
   * Combined output of `bin/obproxy -V`, run as `<home>/bin/obproxy` (`absolute`, obshell < 4.3.2.0) or as
   * `./bin/obproxy` from `<home>`; rejects with Go's exec error text when it cannot run or exits non-zero.
   */
  versionOutput(home: string, absolute: boolean): Promise<string>;
  mkdirRun(home: string): Promise<void>;
  /** The exact shell command line obshell would log. */
  startCommandLine(home: string, cmd: StartCommand): string;
  /** Runs the start command; resolves with its output or rejects with "<err>, output: <out>". */
  start(home: string, cmd: StartCommand): Promise<string>;
  /** Something accepts TCP connections on 127.0.0.1:port. */
  isListening(port: number): Promise<boolean>;
  /**
   * obshell's health check on the port (real mode: MySQL `show proxyconfig` as root@proxysys); undefined when it
   * passed, else obshell's error text.
   */
  healthCheck(port: number, sysPassword: string): Promise<string | undefined>;
  /** `FindPIDByPort` finds a socket on that local port (any state). */
  portInUse(port: number): Promise<boolean>;
  /** `ALTER proxyconfig SET <key> = <value>` sent to the proxy (real mode); rejects with obshell's error text. */
  setProxyConfig(port: number, sysPassword: string, key: string, value: string): Promise<void>;
  /** `FindPIDByPort` + `WritePidForce`: records the pid in `<home>/run/obproxy.pid`. */
  recordPid(home: string, port: number): Promise<number>;
  /** Contents of `<home>/run/obproxy.pid` (trimmed), or "" when missing. */
  readPidFile(home: string): Promise<string>;
  kill(pid: number): Promise<void>;
  alive(pid: number): Promise<boolean>;
  /** `rm -rf <home>/{etc,log,run,bin,lib}`. */
  cleanHome(home: string): Promise<void>;
  /** Out-of-band loss: kill the process and/or remove the home. */
  lose(home: string, o: { process?: boolean; home?: boolean }): Promise<void>;
  /** Kills every process this host started. */
  stop(): Promise<void>;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Builds `cd <home>; ./bin/obproxy -o <opts> [-n name] [-c cluster]` like obshell (ShellQuote'd). */
export function buildStartCommandLine(home: string, cmd: StartCommand): string {
  let line = `cd ${shellQuote(home)}; ./bin/obproxy -o ${shellQuote(cmd.options)}`;
  if (cmd.name) line += ` -n ${shellQuote(cmd.name)}`;
  if (cmd.cluster) line += ` -c ${shellQuote(cmd.cluster)}`;
  return line;
}

async function checkDirExists(p: string): Promise<void> {
  const s = await stat(p).catch(() => undefined);
  if (!s) throw E.pathNotExist(p);
  if (!s.isDirectory()) throw E.pathNotDir(p);
}

/** Real files and processes. */
export class RealHost implements ObproxyHost {
  readonly launchMs = 0;
  private readonly pids = new Set<number>();
  /** Start commands still running: stop() waits for them so it can kill what they launch. */
  private readonly launching = new Set<Promise<string>>();
  private stopped = false;

  constructor(private readonly standinMaxMs: number) {
    void loadMysql();
  }

  async checkHome(home: string): Promise<void> {
    await checkDirExists(home);
    try {
      await access(home, constants.R_OK | constants.W_OK);
    } catch {
      throw E.permissionDenied(home);
    }
    await checkDirExists(join(home, "bin"));
    await checkDirExists(join(home, "lib"));
    const etc = join(home, "etc");
    let entries: string[] = [];
    try {
      entries = await readdir(etc);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw E.pathNotExist(etc);
    }
    if (entries.length > 0) throw E.dirNotEmpty(etc);
  }

  versionOutput(home: string, absolute: boolean): Promise<string> {
    const file = absolute ? join(home, "bin", "obproxy") : "./bin/obproxy";
    return new Promise((resolve, reject) => {
      execFile(file, ["-V"], { cwd: home, timeout: 10_000 }, (err, stdout, stderr) => {
        if (err) return reject(new Error(goExecError(err, file)));
        resolve(`${stdout}${stderr}`);
      });
    });
  }

  async mkdirRun(home: string): Promise<void> {
    await mkdir(join(home, "run"), { recursive: true, mode: 0o755 });
  }

  startCommandLine(home: string, cmd: StartCommand): string {
    return buildStartCommandLine(home, cmd);
  }

  async start(home: string, cmd: StartCommand): Promise<string> {
    if (this.stopped) throw new Error("failed to start obproxy: the simulator is stopping");
    const run = this.launch(home, cmd);
    this.launching.add(run);
    try {
      return await run;
    } finally {
      this.launching.delete(run);
    }
  }

  private async launch(home: string, cmd: StartCommand): Promise<string> {
    const env = { ...process.env, OBSHELL_SIM_PID: String(process.pid), OBSHELL_SIM_STANDIN_MAX_MS: String(this.standinMaxMs) };
    const output = await new Promise<string>((resolve, reject) => {
      execFile("/bin/bash", ["-c", buildStartCommandLine(home, cmd)], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        const out = `${stdout}${stderr}`;
        if (err) return reject(new Error(`failed to start obproxy, output: ${out}: ${goExecError(err, "/bin/bash")}`));
        resolve(out);
      });
    });
    // Own the process at once (the fake binary returns once its pid file is written), so stop() kills it even when
    // the DAG is cancelled or the simulator stops during the health check.
    const pid = Number((await this.readPidFile(home)) || 0);
    if (pid > 0) this.pids.add(pid);
    return output;
  }

  healthCheck(port: number, sysPassword: string): Promise<string | undefined> {
    return proxySql(port, sysPassword, "show proxyconfig");
  }

  portInUse(port: number): Promise<boolean> {
    return localPortInUse(port);
  }

  async setProxyConfig(port: number, sysPassword: string, key: string, value: string): Promise<void> {
    // obshell formats the statement with %s, the value unquoted; it goes over its cached connection (raw errors).
    const err = await proxySql(port, sysPassword, `ALTER proxyconfig SET ${key} = ${value} `, true);
    if (err) throw new Error(err);
  }

  isListening(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const s = connect({ host: "127.0.0.1", port, timeout: 1000 });
      const done = (ok: boolean) => {
        s.destroy();
        resolve(ok);
      };
      s.once("connect", () => done(true));
      s.once("error", () => done(false));
      s.once("timeout", () => done(false));
    });
  }

  async recordPid(home: string, port: number): Promise<number> {
    // The stand-in (or a real obproxy) writes its own pid file; obshell then rewrites it with the port owner's pid.
    const pid = Number((await this.readPidFile(home)) || 0);
    if (!pid) throw new Error(`get obproxy pid failed: no process listening on port ${port}`);
    this.pids.add(pid);
    await writeFile(join(home, "run", "obproxy.pid"), String(pid));
    return pid;
  }

  async readPidFile(home: string): Promise<string> {
    return (await readFile(join(home, "run", "obproxy.pid"), "utf8").catch(() => "")).trim();
  }

  async kill(pid: number): Promise<void> {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // `kill -9` failing is only logged by obshell.
    }
  }

  async alive(pid: number): Promise<boolean> {
    const st = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
    // A zombie (state Z) left under an init that does not reap counts as gone.
    return st !== undefined && !/^\d+ \(.*\) Z /.test(st);
  }

  async cleanHome(home: string): Promise<void> {
    for (const d of ["etc", "log", "run", "bin", "lib"]) await rm(join(home, d), { recursive: true, force: true });
  }

  async lose(home: string, o: { process?: boolean; home?: boolean }): Promise<void> {
    if (o.process !== false) {
      const pid = Number((await this.readPidFile(home)) || 0);
      if (pid) await this.kill(pid);
    }
    if (o.home) await rm(home, { recursive: true, force: true });
  }

  /** Kills every stand-in this host started (after in-flight starts settle) and waits (≤ 5 s) until they are gone. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.launching]);
    const pids = [...this.pids];
    this.pids.clear();
    for (const pid of pids) await this.kill(pid);
    for (let i = 0; i < 100; i++) {
      if (!(await Promise.all(pids.map((p) => this.alive(p)))).some(Boolean)) return;
      await new Promise((r) => setTimeout(r, 50).unref());
    }
  }
}

/** Go's `exec.Cmd` error text for a failed run of `file`. */
export function goExecError(err: Error & { code?: unknown; signal?: unknown }, file: string): string {
  if (typeof err.code === "number") return `exit status ${err.code}`;
  if (err.signal) return `signal: ${err.signal === "SIGKILL" ? "killed" : String(err.signal)}`;
  if (err.code === "ENOENT") return `fork/exec ${file}: no such file or directory`;
  if (err.code === "EACCES") return `fork/exec ${file}: permission denied`;
  return err.message;
}

export { SimApiError };

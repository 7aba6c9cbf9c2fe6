/**
 * In-memory `ObproxyHost`: the same semantics as the real one without files or processes. Every absolute home path
 * is a fresh OBProxy home (version 4.3.2.0) unless described otherwise through `control.defineMemoryHome`.
 */
import type { ObproxyHost, StartCommand } from "./host";
import { buildStartCommandLine } from "./host";
import { obproxyVersionBanner } from "./fake-home";
import { E } from "./sim-errors";
import { dialRefused, healthCheckDialError } from "./obproxy-sql";

/** How a home path looks in memory mode. */
export interface MemoryHomeSpec {
  exists?: boolean;
  isDir?: boolean;
  writable?: boolean;
  hasBin?: boolean;
  hasLib?: boolean;
  etcEntries?: number;
  /** Version printed by `bin/obproxy -V`; "" makes `-V` print nothing useful. @default "4.3.2.0" */
  version?: string;
  /** Build printed after the version, e.g. "2" or "2.el7" (only obshell ≥ 4.4.0.0 accepts a suffix). @default "2" */
  build?: string;
}

interface MemoryProcess {
  pid: number;
  port: number;
}

/** Memory-mode host. */
export class MemoryHost implements ObproxyHost {
  readonly launchMs = 1_000;
  private readonly homes = new Map<string, Required<MemoryHomeSpec> & { pidFile: string }>();
  private readonly procs = new Map<number, MemoryProcess>();
  private nextPid = 40_000;

  define(home: string, spec: MemoryHomeSpec): void {
    this.homes.set(home, { ...this.home(home), ...spec });
  }

  private home(home: string) {
    let h = this.homes.get(home);
    if (!h) {
      h = { exists: true, isDir: true, writable: true, hasBin: true, hasLib: true, etcEntries: 0, version: "4.3.2.0", build: "2", pidFile: "" };
      this.homes.set(home, h);
    }
    return h;
  }

  async checkHome(home: string): Promise<void> {
    const h = this.home(home);
    if (!h.exists) throw E.pathNotExist(home);
    if (!h.isDir) throw E.pathNotDir(home);
    if (!h.writable) throw E.permissionDenied(home);
    if (!h.hasBin) throw E.pathNotExist(`${home}/bin`);
    if (!h.hasLib) throw E.pathNotExist(`${home}/lib`);
    if (h.etcEntries > 0) throw E.dirNotEmpty(`${home}/etc`);
  }

  async versionOutput(home: string, absolute: boolean): Promise<string> {
    const h = this.home(home);
    if (!h.exists || !h.hasBin) throw new Error(`fork/exec ${absolute ? `${home}/bin/obproxy` : "./bin/obproxy"}: no such file or directory`);
    return h.version ? `${obproxyVersionBanner(h.version, h.build)}\n` : "obproxy: unknown option\n";
  }

  async mkdirRun(home: string): Promise<void> {
    this.home(home);
  }

  startCommandLine(home: string, cmd: StartCommand): string {
    return buildStartCommandLine(home, cmd);
  }

  async start(home: string, cmd: StartCommand): Promise<string> {
    const h = this.home(home);
    if (!h.exists || !h.hasBin) throw new Error(`failed to start obproxy, output: /bin/bash: line 1: ./bin/obproxy: No such file or directory\n: exit status 127`);
    const port = Number(/(?:^|,)listen_port=(\d+)/.exec(cmd.options)?.[1] ?? 2883);
    // A second obproxy on a busy port dies at once, like the real binary.
    if ([...this.procs.values()].some((p) => p.port === port)) return "";
    const pid = this.nextPid++;
    this.procs.set(pid, { pid, port });
    h.pidFile = String(pid);
    return "";
  }

  async healthCheck(port: number): Promise<string | undefined> {
    return (await this.isListening(port)) ? undefined : healthCheckDialError(port);
  }

  portInUse(port: number): Promise<boolean> {
    return this.isListening(port);
  }

  async setProxyConfig(port: number): Promise<void> {
    if (!(await this.isListening(port))) throw new Error(dialRefused(port));
  }

  async isListening(port: number): Promise<boolean> {
    return [...this.procs.values()].some((p) => p.port === port);
  }

  async recordPid(home: string, port: number): Promise<number> {
    const p = [...this.procs.values()].find((x) => x.port === port);
    if (!p) throw new Error(`get obproxy pid failed: no process listening on port ${port}`);
    this.home(home).pidFile = String(p.pid);
    return p.pid;
  }

  async readPidFile(home: string): Promise<string> {
    const h = this.home(home);
    return h.exists ? h.pidFile : "";
  }

  async kill(pid: number): Promise<void> {
    this.procs.delete(pid);
  }

  async alive(pid: number): Promise<boolean> {
    return this.procs.has(pid);
  }

  async cleanHome(home: string): Promise<void> {
    const h = this.home(home);
    Object.assign(h, { hasBin: false, hasLib: false, etcEntries: 0, pidFile: "" });
  }

  async lose(home: string, o: { process?: boolean; home?: boolean }): Promise<void> {
    const h = this.home(home);
    if (o.process !== false && h.pidFile) this.procs.delete(Number(h.pidFile));
    if (o.home) Object.assign(h, { exists: false, pidFile: "" });
  }

  async stop(): Promise<void> {
    this.procs.clear();
  }
}

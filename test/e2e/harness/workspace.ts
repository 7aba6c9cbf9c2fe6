/**
 * One Pulumi work directory for an e2e test: a copy of an example program whose node_modules is the cached
 * packed project's (pulumi-obproxy installed from its tarball, as a user installs it), a `file://` backend inside
 * the directory, its own PULUMI_HOME and passphrase secrets (scripts/pulumi-env.js), and a transcript of every CLI
 * run so a failing test can show what the CLI said and a secret scan can read all of it.
 */
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { cliDir, isCliBuilt, pulumiEnv, runPulumi, type FoundCli } from "../../../scripts/pulumi-env";
import { REPO_ROOT } from "../../engine/harness/project";
import { Cleanups } from "./checks";
import { cachedPackedProject } from "./project-cache";

/** What one `pulumi …` run produced. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr lines in arrival order. */
  lines: string[];
  output: string;
  ms: number;
}

export interface RunOptions {
  /** Do not throw on a non-zero exit. */
  allowFailure?: boolean;
  onLine?: (line: string) => void;
  onSpawn?: (child: ChildProcess) => void;
  timeoutMs?: number;
  /** How the command appears in the transcript (a `config set --secret` must not put the value there). */
  display?: string;
}

export const STACK = "dev";

/**
 * Mocha test that needs the CLI built by `npm run build:cli`. Without it the test fails under CI=true (a CI that
 * forgot to build the CLI must not go green) and is skipped with a visible message elsewhere.
 */
export function cliIt(title: string, fn: (this: Mocha.Context) => Promise<void>): Mocha.Test {
  return it(title, async function () {
    if (!isCliBuilt()) {
      const message = `the Pulumi CLI is not built in ${cliDir}: run \`npm run build:cli\` first`;
      if (process.env.CI === "true") throw new Error(message);
      console.log(`      (skipped: ${message})`);
      this.skip();
    }
    await fn.call(this);
  });
}

/**
 * The per-suite hooks every e2e suite needs: cleanups run after each test, and a failed test prints the tail of
 * the CLI transcript of the workspace it last `watch`ed.
 */
export function e2eSuite(): { cleanups: Cleanups; watch(ws: Workspace): void } {
  const cleanups = new Cleanups();
  let current: Workspace | undefined;
  afterEach(async function () {
    if (this.currentTest?.state === "failed" && current) console.log(`      CLI transcript (tail):\n${current.tail()}`);
    current = undefined;
    await cleanups.run();
  });
  return { cleanups, watch: (ws) => { current = ws; } };
}

export class Workspace {
  readonly transcript: string[] = [];
  private constructor(
    readonly root: string,
    readonly programDir: string,
    readonly stateDir: string,
    readonly env: Record<string, string>,
    /** The `pulumi` executable every run uses. */
    readonly pulumiPath: string,
  ) {}

  /**
   * Copies `examples/<example>`, logs in to a fresh `file://` backend and creates the stack. `env` is added to every
   * CLI run (e.g. OBSHELL_TASK_TIME_SCALE); OBSHELL_AGENT_PASSWORD is removed so only stack config can supply it.
   * `cli` is another Pulumi CLI than .pulumi-bin's (the demo's lookup), isolated the same way.
   */
  static async create(example: string, env: Record<string, string> = {}, cli?: FoundCli): Promise<Workspace> {
    const project = await cachedPackedProject((line) => console.log(`      ${line}`));
    const root = await mkdtemp(path.join(os.tmpdir(), `obproxy-e2e-${example}-`));
    const programDir = path.join(root, example);
    const source = path.join(REPO_ROOT, "examples", example);
    await cp(source, programDir, { recursive: true, filter: (p) => !p.startsWith(path.join(source, "node_modules")) });
    await symlink(path.join(project.dir, "node_modules"), path.join(programDir, "node_modules"), "dir");
    const stateDir = path.join(root, "state");
    await mkdir(stateDir);
    const fullEnv = pulumiEnv(root, env, cli?.dir);
    delete fullEnv.OBSHELL_AGENT_PASSWORD;
    const ws = new Workspace(root, programDir, stateDir, fullEnv, cli?.pulumi ?? path.join(cliDir, "pulumi"));
    await ws.pulumi(["login", `file://${stateDir}`]);
    await ws.pulumi(["stack", "init", STACK, "--non-interactive"]);
    return ws;
  }

  /** Runs `pulumi <args>` in the program directory; throws with the output on a non-zero exit unless allowed. */
  async pulumi(args: string[], options: RunOptions = {}): Promise<CliRun> {
    const started = Date.now();
    const lines: string[] = [];
    this.transcript.push(`$ ${options.display ?? `pulumi ${args.join(" ")}`}`);
    const result = await runPulumi(args, {
      cwd: this.programDir,
      env: this.env,
      pulumi: this.pulumiPath,
      timeoutMs: options.timeoutMs ?? 240_000,
      onSpawn: options.onSpawn,
      onLine: (line) => {
        lines.push(line);
        this.transcript.push(line);
        if (process.env.E2E_VERBOSE === "1") console.log(`      │ ${line}`);
        options.onLine?.(line);
      },
    });
    const run: CliRun = { code: result.code, signal: result.signal, lines, output: lines.join("\n"), ms: Date.now() - started };
    this.transcript.push(`# exit ${result.code ?? result.signal} after ${run.ms} ms`);
    if (result.code !== 0 && !options.allowFailure) {
      throw new Error(`${options.display ?? `pulumi ${args.join(" ")}`} exited with ${result.code ?? result.signal}:\n${run.output}`);
    }
    return run;
  }

  /** `pulumi up|destroy|refresh --yes` without prompts or previews. */
  op(command: "up" | "destroy" | "refresh", options: RunOptions = {}, extra: string[] = []): Promise<CliRun> {
    return this.pulumi([command, "--yes", "--non-interactive", "--skip-preview", "--color", "never", ...extra], options);
  }

  /** Sets stack config: plain values, secrets (`--secret`), and objects/lists (through `config set-all --json`). */
  async configure(plain: Record<string, string>, secrets: Record<string, string> = {}, objects: Record<string, unknown> = {}): Promise<void> {
    for (const [key, value] of Object.entries(plain)) await this.pulumi(["config", "set", key, value]);
    for (const [key, value] of Object.entries(secrets)) await this.pulumi(["config", "set", "--secret", key, value], { display: `pulumi config set --secret ${key} [secret]` });
    if (Object.keys(objects).length > 0) {
      const json = Object.fromEntries(
        Object.entries(objects).map(([k, v]) => [k, { value: JSON.stringify(v), objectValue: v, secret: false }]),
      );
      await this.pulumi(["config", "set-all", "--json", JSON.stringify(json)]);
    }
  }

  /** `pulumi stack export` parsed, and its raw text. */
  async exportStack(): Promise<{ text: string; deployment: Deployment }> {
    const run = await this.pulumi(["stack", "export"]);
    return { text: run.output, deployment: (JSON.parse(run.output) as { deployment: Deployment }).deployment };
  }

  /** Every file the `file://` backend wrote (state, backups, history), concatenated. */
  rawState(): string {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = path.join(dir, n);
        return statSync(p).isDirectory() ? walk(p) : [p];
      });
    return walk(this.stateDir).map((f) => readFileSync(f, "utf8")).join("\n");
  }

  /** The last `n` transcript lines, for a failure message. */
  tail(n = 80): string {
    return this.transcript.slice(-n).join("\n");
  }

  async cleanup(): Promise<void> {
    killProcessesIn(this.root);
    await rm(this.root, { recursive: true, force: true });
  }
}

/**
 * SIGKILLs every process whose working directory is inside `dir`. The engine starts each plugin (language host,
 * dynamic provider) in a process group of its own, so killing the CLI's group after a timeout, or a CLI that died
 * abruptly, can leave them behind; they all run with cwd = the program directory, which only this test uses.
 */
export function killProcessesIn(dir: string): void {
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === dir || cwd.startsWith(dir + path.sep)) process.kill(Number(pid), "SIGKILL");
    } catch {
      /* gone, or not ours to read */
    }
  }
}

/** The part of `pulumi stack export` the tests read. */
export interface Deployment {
  resources?: { urn: string; type: string; id?: string; outputs?: Record<string, unknown> }[];
  pending_operations?: { type: string; resource: { urn: string } }[];
}

/** Resources of a type in an exported deployment. */
export function resourcesOfType(d: Deployment, type: string): NonNullable<Deployment["resources"]> {
  return (d.resources ?? []).filter((r) => r.type === type);
}

export const OBPROXY_TYPE = "pulumi-nodejs:dynamic/obshell:ObProxy";

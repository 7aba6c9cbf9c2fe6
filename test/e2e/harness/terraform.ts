/**
 * One Terraform/OpenTofu working directory for an e2e test: examples/terraform copied, the provider installed into
 * a filesystem mirror by its own `--install-mirror` (as a user does), its own CLI config (the machine's
 * TF_CLI_CONFIG_FILE may point at a missing file), CHECKPOINT_DISABLE, secrets passed as TF_VAR_* variables (never on
 * a command line), and a transcript of every command for the secret scan and for failures.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../../engine/harness/project";
import type { CliRun, RunOptions } from "./workspace";

/** A CLI that speaks to providers: OpenTofu (built by `npm run build:tofu`) or Terraform (if installed). */
export interface Engine {
  name: "tofu" | "terraform";
  bin: string | undefined;
  /** Why it is missing, for the skip message. */
  missing: string;
  /** Missing fails the test under CI=true (the project builds it) instead of skipping. */
  requiredInCi: boolean;
}

function onPath(name: string): string | undefined {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** The engines to test: OpenTofu always (skipped visibly, or failing under CI, when not built), Terraform when present. */
export function engines(): Engine[] {
  const tofu = path.join(REPO_ROOT, ".tofu-bin", "tofu");
  return [
    { name: "tofu", bin: existsSync(tofu) ? tofu : undefined, missing: `OpenTofu is not built in ${path.dirname(tofu)}: run \`npm run build:tofu\``, requiredInCi: true },
    { name: "terraform", bin: onPath("terraform"), missing: "terraform is not installed on this machine", requiredInCi: false },
  ];
}

/** Mocha test that needs `engine`; skips visibly without it (fails under CI=true for OpenTofu). */
export function engineIt(engine: Engine, title: string, fn: (this: Mocha.Context) => Promise<void>): Mocha.Test {
  return it(`${engine.name}: ${title}`, async function () {
    if (!engine.bin) {
      if (engine.requiredInCi && process.env.CI === "true") throw new Error(engine.missing);
      console.log(`      (skipped: ${engine.missing})`);
      this.skip();
    }
    await fn.call(this);
  });
}

/** Variables of examples/terraform (secrets included: they travel as TF_VAR_* only). */
export type TfVars = Record<string, string | number>;

export class TfWorkspace {
  readonly transcript: string[] = [];
  private constructor(
    readonly engine: Engine,
    readonly root: string,
    readonly dir: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Copies examples/terraform, installs the provider into a mirror and runs `init` (offline, from the mirror). */
  static async create(engine: Engine, vars: TfVars, env: Record<string, string> = {}): Promise<TfWorkspace> {
    const root = await mkdtemp(path.join(os.tmpdir(), `obproxy-e2e-${engine.name}-`));
    const dir = path.join(root, "work");
    await cp(path.join(REPO_ROOT, "examples", "terraform"), dir, { recursive: true });
    const mirror = path.join(root, "mirror");
    const install = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "terraform-provider-obproxy"), "--install-mirror", mirror], { encoding: "utf8" });
    if (install.status !== 0) throw new Error(`--install-mirror failed: ${install.stderr}`);
    const config = path.join(root, "cli.tfrc");
    await writeFile(
      config,
      `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["pulumi-obproxy/obproxy"]\n  }\n` +
        `  direct {\n    exclude = ["pulumi-obproxy/obproxy"]\n  }\n}\n`,
    );
    const fullEnv: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: config, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", ...env };
    delete fullEnv.OBSHELL_AGENT_PASSWORD;
    delete fullEnv.TF_LOG;
    for (const [k, v] of Object.entries(vars)) fullEnv[`TF_VAR_${k}`] = String(v);
    const ws = new TfWorkspace(engine, root, dir, fullEnv);
    await ws.run(["init", "-input=false", "-no-color"]);
    return ws;
  }

  /** Runs `<engine> <args>`, in its own process group (so a test can send Ctrl-C to it as a terminal does). */
  async run(args: string[], options: RunOptions = {}): Promise<CliRun> {
    const started = Date.now();
    const lines: string[] = [];
    this.transcript.push(`$ ${this.engine.name} ${args.join(" ")}`);
    const child: ChildProcess = spawn(this.engine.bin!, args, { cwd: this.dir, env: this.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    options.onSpawn?.(child);
    const onData = (buf: Buffer) => {
      for (const line of buf.toString("utf8").split("\n")) {
        if (line.trim() === "") continue;
        lines.push(line);
        this.transcript.push(line);
        if (process.env.E2E_VERBOSE === "1") console.log(`      │ ${line}`);
        options.onLine?.(line);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    const timeoutMs = options.timeoutMs ?? 300_000;
    const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), timeoutMs);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("close", (c, s) => resolve([c, s])));
    clearTimeout(timer);
    const run: CliRun = { code, signal, lines, output: lines.join("\n"), ms: Date.now() - started };
    this.transcript.push(`# exit ${code ?? signal} after ${run.ms} ms`);
    if (code !== 0 && !options.allowFailure) throw new Error(`${this.engine.name} ${args.join(" ")} exited with ${code ?? signal}:\n${run.output}`);
    return run;
  }

  /** `apply -auto-approve`, `destroy -auto-approve`, … with the flags every automated run needs. */
  op(command: "apply" | "destroy", options: RunOptions = {}): Promise<CliRun> {
    return this.run([command, "-auto-approve", "-input=false", "-no-color"], options);
  }

  /** `plan -detailed-exitcode`: 0 = no changes, 2 = changes. */
  plan(): Promise<CliRun> {
    return this.run(["plan", "-detailed-exitcode", "-input=false", "-no-color"], { allowFailure: true });
  }

  /** The state file's resource instances of type obproxy. */
  instances(): { status?: string; attributes: Record<string, unknown> }[] {
    const file = path.join(this.dir, "terraform.tfstate");
    if (!existsSync(file)) return [];
    const state = JSON.parse(readFileSync(file, "utf8")) as { resources: { type: string; instances: { status?: string; attributes: Record<string, unknown> }[] }[] };
    return state.resources.filter((r) => r.type === "obproxy").flatMap((r) => r.instances);
  }

  tail(lines = 60): string {
    return this.transcript.slice(-lines).map((l) => `        ${l}`).join("\n");
  }

  async cleanup(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

/**
 * `npm run demo`: examples/basic against obshell-sim, end to end. Starts a real-mode simulator with a fake OBProxy
 * home (the stand-in OBProxy is a real process on a real port), runs `pulumi up` then `pulumi destroy` with a real
 * Pulumi CLI, streams what the CLI prints (the provider's DAG progress lines), and ends with what obshell saw:
 * requests by method/path/status, DAGs with ids, names, states and durations, and which CLI ran.
 *
 * The CLI is, in order: `PULUMI_CLI` (a path), a `pulumi` on PATH, the one `npm run build:cli` put in .pulumi-bin
 * (scripts/pulumi-env.js `findPulumiCli`). Whichever it is runs isolated: its own PULUMI_HOME, a `file://` backend,
 * passphrase secrets, no plugin downloads — the user's own Pulumi login and stacks are never touched.
 *
 * Without any CLI it says so and drives the same dynamic-provider plugin through the engine-protocol harness
 * (test/engine/harness): the program runs under mocks to get the resource's inputs, then Check/Create and Delete
 * go over gRPC to `@pulumi/pulumi/cmd/dynamic-provider`, as the engine would send them.
 *
 * The slow part is the one-time build + pack + install of the package (cached, see test/e2e/harness/project-cache).
 */
import { cp, mkdtemp, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createFakeObproxyHome, startSimulator, type Simulator } from "../src/simulator";
import { runUnderMocks } from "../test/engine/harness/capture";
import { destroy, up } from "../test/engine/harness/engine";
import { freePort } from "../test/engine/harness/fixture";
import { startPlugin } from "../test/engine/harness/plugin";
import { REPO_ROOT } from "../test/engine/harness/project";
import { cachedPackedProject } from "../test/e2e/harness/project-cache";
import { Workspace } from "../test/e2e/harness/workspace";
import { findPulumiCli, type FoundCli } from "./pulumi-env";

const TIME_SCALE = 0.05; // obshell's task durations × 0.05: Start obproxy's 10 s health check takes 0.5 s
const AGENT_PASSWORD = "Demo-agent-pw-4e1f";
const started = Date.now();

const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
const say = (line: string) => console.log(`${elapsed()}  ${line}`);

/** Prints CLI output without the spinner dots and without the Diagnostics block that repeats the progress. */
function cliPrinter(): (line: string) => void {
  let inDiagnostics = false;
  return (line) => {
    if (/^(@ \w+\.*|\.+)\s*$/.test(line.trim())) return;
    if (line.startsWith("Diagnostics:")) inDiagnostics = true;
    else if (inDiagnostics && /^\S/.test(line)) inDiagnostics = false;
    if (!inDiagnostics) say(`pulumi │ ${line}`);
  };
}

async function withCli(cli: FoundCli, sim: Simulator, home: string, sqlPort: number): Promise<void> {
  const ws = await Workspace.create("basic", { OBSHELL_TASK_TIME_SCALE: String(TIME_SCALE) }, cli);
  try {
    await ws.configure(
      { "obshell:endpoint": sim.url, homePath: home, rsList: "127.0.0.1:2881", sqlPort: String(sqlPort) },
      { "obshell:agentPassword": AGENT_PASSWORD },
    );
    for (const command of ["up", "destroy"] as const) {
      say(`$ pulumi ${command} --yes --skip-preview`);
      const run = await ws.op(command, { onLine: cliPrinter() });
      say(`pulumi ${command} finished in ${(run.ms / 1000).toFixed(1)} s`);
    }
  } finally {
    await ws.cleanup();
  }
}

async function withHarness(sim: Simulator, home: string, sqlPort: number, projectDir: string): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), "obproxy-demo-"));
  try {
    const dir = path.join(root, "basic");
    await cp(path.join(REPO_ROOT, "examples", "basic"), dir, { recursive: true });
    await symlink(path.join(projectDir, "node_modules"), path.join(dir, "node_modules"), "dir");
    const config = { "obshell:endpoint": sim.url, "obproxy-basic:homePath": home, "obproxy-basic:rsList": "127.0.0.1:2881", "obproxy-basic:sqlPort": String(sqlPort) };
    say("running examples/basic under mocks to get the ObProxy's inputs ...");
    const [proxy] = await runUnderMocks(dir, path.join(dir, "index.ts"), { projectName: "obproxy-basic", config });
    const plugin = await startPlugin(dir, { OBSHELL_TASK_TIME_SCALE: String(TIME_SCALE) });
    let shown = 0;
    const flush = () => {
      const lines = plugin.output();
      for (const line of lines.slice(shown)) say(`plugin │ ${line}`);
      shown = lines.length;
    };
    const relay = setInterval(flush, 100);
    try {
      await plugin.rpc.configure({ ...config, "obshell:agentPassword": AGENT_PASSWORD });
      say("Check + Create (what `pulumi up` sends) ...");
      const { state } = await up(plugin.rpc, proxy.inputs);
      await new Promise((r) => setTimeout(r, 150)); // the plugin's last progress line is on its way
      flush();
      say(`created ${state.id}; Delete (what \`pulumi destroy\` sends) ...`);
      await destroy(plugin.rpc, state);
      await new Promise((r) => setTimeout(r, 150));
      flush();
      say("deleted");
    } finally {
      clearInterval(relay);
      flush();
      await plugin.stop();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function summary(sim: Simulator): void {
  const counts = new Map<string, number>();
  for (const r of sim.requests()) {
    const key = `${r.method.padEnd(6)} ${r.path.split("?")[0].padEnd(36)} ${r.status}${r.errCode ? ` ${r.errCode}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  console.log("\nRequests obshell-sim answered (method, path, status: count):");
  for (const [key, n] of [...counts].sort()) console.log(`  ${key}  ×${n}`);
  console.log("\nDAGs:");
  for (const d of sim.control.state().dags) {
    const ms = Date.parse(d.end_time) - Date.parse(d.start_time);
    const tasks = (d.nodes ?? []).map((n) => n.name).join(" → ");
    console.log(`  ${d.id}  ${d.name.padEnd(14)} ${d.state.padEnd(8)} ${Number.isFinite(ms) && ms >= 0 ? `${(ms / 1000).toFixed(2)} s` : "-"}  (${tasks})`);
  }
}

const HOW_TO_GET_A_CLI =
  "install one (https://www.pulumi.com/docs/install/) and put `pulumi` on PATH, point PULUMI_CLI at one, or build the pinned one with `npm run build:cli`";

/** "Pulumi CLI (pulumi on PATH: /usr/local/bin/pulumi)" — what the summary says ran. */
function describeCli(cli: FoundCli | undefined): string {
  if (!cli) return "engine-protocol harness (no Pulumi CLI)";
  const where = { PULUMI_CLI: "PULUMI_CLI", PATH: "pulumi on PATH", ".pulumi-bin": "built by npm run build:cli in .pulumi-bin" }[cli.source];
  return `Pulumi CLI (${where}: ${cli.pulumi})`;
}

async function main(): Promise<void> {
  // DEMO_WITHOUT_CLI=1 shows the harness path even when a CLI is there.
  const cli = process.env.DEMO_WITHOUT_CLI === "1" ? undefined : findPulumiCli();
  say(`pulumi-obproxy demo: examples/basic against obshell-sim (real mode, time scale ${TIME_SCALE})`);
  if (cli) say(`using the ${describeCli(cli)}, isolated: its own PULUMI_HOME, a file:// backend, no plugin downloads`);
  else if (process.env.DEMO_WITHOUT_CLI === "1") say("DEMO_WITHOUT_CLI=1: driving the provider plugin through the engine-protocol harness instead of a Pulumi CLI");
  else say(`no Pulumi CLI found (PULUMI_CLI, PATH, .pulumi-bin): driving the provider plugin through the engine-protocol harness instead; for the real thing, ${HOW_TO_GET_A_CLI}`);
  const project = await cachedPackedProject(say);
  say(`example project ${project.fromCache ? "from the cache" : "prepared"} in ${(project.ms / 1000).toFixed(1)} s: ${project.dir}`);
  const homes = await mkdtemp(path.join(os.tmpdir(), "obproxy-demo-home-"));
  const sim = await startSimulator({
    agentPassword: AGENT_PASSWORD,
    timeScale: TIME_SCALE,
    // The agent's side of the story: every request except the DAG polls, which the progress lines already show.
    log: (line) => {
      if (!/^GET /.test(line)) say(`obshell │ ${line}`);
    },
  });
  let failed = false;
  try {
    const home = await createFakeObproxyHome(path.join(homes, "obproxy"));
    const sqlPort = await freePort();
    say(`obshell-sim at ${sim.url}; fake OBProxy home ${home}; SQL port ${sqlPort}`);
    if (cli) await withCli(cli, sim, home, sqlPort);
    else await withHarness(sim, home, sqlPort, project.dir);
  } catch (e) {
    failed = true;
    console.error(`\ndemo failed: ${(e as Error).message}`);
  } finally {
    summary(sim);
    await sim.stop();
    await rm(homes, { recursive: true, force: true });
  }
  console.log(`\nRan with: ${describeCli(cli)}; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e: Error) => {
  console.error(`demo: ${e.message}`);
  process.exitCode = 1;
});

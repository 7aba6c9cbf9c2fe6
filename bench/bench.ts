/**
 * `npm run bench`: completion lag of this package vs the official Python SDK with the requests and polls a delete
 * costs, fleet destroys of 10, 100 and 1,000 agents through one plugin process (wall, RSS above idle, fds), and
 * cold start. Simulated agents run at timeScale 1 on the simulator's engine calibrated to a real obshell 4.5 agent
 * (1.01 s scheduler tick, nodes picked up and their ends seen on ticks: Delete ≈ 11 s, Add ≈ 17 s). Writes
 * bench/results.md (people) and bench/results.json (machines) and prints the summary last.
 * A benchmark, not a test: it exits 0 whether or not targets are met (they are reported), non-zero only on errors.
 * Options: BENCH_DELETES (samples per side, default 24), BENCH_FLEETS (default "10,100,1000"),
 * BENCH_TYPECHECK=0 (skip the `pulumi up` type-check measurement), BENCH_PLUGIN_NODE_OPTIONS (profiling runs),
 * OBSHELL_BIN=<obshell binary> (also measure the deletes against a real agent; BENCH_REAL_DELETES per side, default 6).
 */
import path from "node:path";
import { generateAgentKeyPair } from "../src/obshell/crypto";
import { startSimulator, type Simulator } from "../src/simulator";
import { preparePackedProject } from "../test/engine/harness/project";
import { summarize } from "./lib/deletes";
import { measureColdStart, measurePluginColdStart } from "./lib/cold-start";
import { runFleet, spreadPhase, type FleetResult } from "./lib/fleet";
import { runFleetFloor, type FloorResult } from "./lib/fleet-floor";
import { measurePackageDeletes } from "./lib/lag-package";
import { measurePythonDeletes } from "./lib/lag-python";
import { measureRealDeletes } from "./lib/lag-real";
import { ensureObshellVenv, obshellSdkVersion } from "./lib/python-venv";
import { CLI_PRESENT, measureTypecheck, type TypecheckResult } from "./lib/typecheck";
import { resultsJson, resultsMarkdown, summaryLines, verdicts, writeResults, type BenchFigures } from "./lib/report";

const PASSWORD = "Bench-agent-pw-1";
const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

async function agents(n: number, privateKeyPem: string): Promise<Simulator[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => startSimulator({ agentPassword: PASSWORD, mode: "memory", privateKeyPem, tickPhaseMs: spreadPhase(i, n) })));
}

async function main(): Promise<void> {
  const started = Date.now();
  // 24 a side: the SDK polls once a second, so its lag is spread over a second and its median needs the samples.
  const deletes = num("BENCH_DELETES", 24);
  const fleetSizes = (process.env.BENCH_FLEETS ?? "10,100,1000").split(",").map(Number).filter((n) => n > 0);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`bench: simulated obshell at timeScale 1 (calibrated engine), ${deletes} deletes per side, fleets ${fleetSizes.join(", ")}`);
  const missing = ensureObshellVenv();
  if (missing) throw new Error(`the Python SDK side needs the venv: ${missing}`);
  const { privateKeyPem } = generateAgentKeyPair(1024);

  log("cold start…");
  const coldStart = measureColdStart();
  const pluginStart = await measurePluginColdStart();
  // One side after the other: the SDK side starts a Python process per sample, and two dozen interpreters loading
  // at once would take the CPU the other side's deletes are measured on.
  log("completion lag: this package…");
  const simsPkg = await agents(deletes, privateKeyPem);
  const pkgSamples = await measurePackageDeletes(simsPkg, PASSWORD, 1).finally(() => Promise.all(simsPkg.map((s) => s.stop())));
  log("completion lag: the Python SDK…");
  const simsPy = await agents(deletes, privateKeyPem);
  const pySamples = await measurePythonDeletes(simsPy, PASSWORD).finally(() => Promise.all(simsPy.map((s) => s.stop())));
  let real: BenchFigures["real"];
  if (process.env.OBSHELL_BIN) {
    log("completion lag against a real obshell agent (OBSHELL_BIN), one delete at a time…");
    const r = await measureRealDeletes(num("BENCH_REAL_DELETES", 6), PASSWORD);
    real = { pkg: summarize(r.pkg), py: summarize(r.py), version: r.version };
  } else log("real obshell agent: skipped (set OBSHELL_BIN=<obshell binary> to measure against one)");
  const project = await preparePackedProject({ build: false });
  const fleet: Record<string, FleetResult> = {};
  const floor: Record<string, FloorResult> = {};
  try {
    for (const n of fleetSizes) {
      log(`fleet of ${n}…`);
      fleet[n] = await runFleet(project, n, PASSWORD, privateKeyPem);
      log(`  wall ${fleet[n].wallMs} ms / longest DAG ${fleet[n].longestDagMs} ms, peak RSS ${fleet[n].peakRssMb.toFixed(0)} MB (idle ${fleet[n].idleRssMb.toFixed(0)} MB)`);
      floor[n] = await runFleetFloor(project, n);
      log(`  floor (a provider that only waits): peak ${floor[n].peakRssAboveIdleMb.toFixed(0)} MB above idle`);
    }
  } finally {
    await project.cleanup();
  }
  let typecheck: TypecheckResult | undefined;
  if (CLI_PRESENT && process.env.BENCH_TYPECHECK !== "0") {
    log("pulumi up of examples/basic, type-checked and transpile-only…");
    typecheck = await measureTypecheck(2);
  } else log("pulumi up type-check share: skipped (no .pulumi-bin/pulumi, or BENCH_TYPECHECK=0)");

  const figures: BenchFigures = {
    pkg: summarize(pkgSamples),
    py: summarize(pySamples),
    fleet,
    floor,
    ...(typecheck ? { typecheck } : {}),
    coldStart,
    pluginStart,
    versions: {
      "pulumi-obproxy": require("../package.json").version as string,
      node: process.version,
      "@pulumi/pulumi": require("@pulumi/pulumi/package.json").version as string,
      "obshell (Python SDK)": obshellSdkVersion(),
      "simulated obshell": "4.5.0.0",
    },
    wallMs: Date.now() - started,
    ...(real ? { real } : {}),
  };
  const v = verdicts(figures);
  writeResults(path.join(__dirname, "results.md"), resultsMarkdown(figures, v));
  writeResults(path.join(__dirname, "results.json"), resultsJson(figures, v));
  log("wrote bench/results.md and bench/results.json");
  for (const line of summaryLines(figures, v)) log(line);
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});

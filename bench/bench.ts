/**
 * `npm run bench`: completion lag of this package vs the official Python SDK, requests per delete, a 100-agent fleet
 * destroy through one plugin process, and cold start. Writes bench/results.md and prints the summary last.
 * A benchmark, not a test: it exits 0 whether or not targets are met (they are reported), non-zero only on errors.
 * Options: BENCH_TIME_SCALE (default 0.2), BENCH_DELETES (30), BENCH_FLEET (100), BENCH_FLEET_TIME_SCALE (1).
 */
import path from "node:path";
import { startSimulator } from "../src/simulator";
import { summarize } from "./lib/deletes";
import { measureColdStart, measurePluginColdStart } from "./lib/cold-start";
import { runFleet } from "./lib/fleet";
import { measurePackageDeletes } from "./lib/lag-package";
import { measurePythonDeletes } from "./lib/lag-python";
import { ensureObshellVenv, obshellSdkVersion } from "./lib/python-venv";
import { resultsMarkdown, summaryLines, verdicts, writeResults } from "./lib/report";

const PASSWORD = "Bench-agent-pw-1";
const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

async function main(): Promise<void> {
  const started = Date.now();
  const timeScale = num("BENCH_TIME_SCALE", 0.2);
  const deletes = num("BENCH_DELETES", 30);
  const fleetSize = num("BENCH_FLEET", 100);
  const fleetScale = num("BENCH_FLEET_TIME_SCALE", 1);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`bench: timeScale ${timeScale} (Stop obproxy ${5 * timeScale} s), ${deletes} deletes per side, fleet of ${fleetSize} at timeScale ${fleetScale}`);
  const missing = ensureObshellVenv();
  if (missing) throw new Error(`the Python SDK side needs the venv: ${missing}`);

  log("cold start…");
  const coldStart = measureColdStart();
  const pluginStart = await measurePluginColdStart();
  log("completion lag: this package and the Python SDK side by side…");
  const simPkg = await startSimulator({ agentPassword: PASSWORD, timeScale, mode: "memory" });
  const simPy = await startSimulator({ agentPassword: PASSWORD, timeScale, mode: "memory" });
  const [pkgSamples, pySamples] = await Promise.all([
    measurePackageDeletes(simPkg, PASSWORD, deletes, timeScale),
    measurePythonDeletes(simPy, PASSWORD, deletes),
  ]).finally(() => Promise.all([simPkg.stop(), simPy.stop()]));
  log(`fleet of ${fleetSize}…`);
  const fleet = await runFleet(fleetSize, fleetScale, PASSWORD);

  const figures = {
    timeScale,
    pkg: summarize(pkgSamples),
    py: summarize(pySamples),
    fleet,
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
  };
  const v = verdicts(figures);
  writeResults(path.join(__dirname, "results.md"), resultsMarkdown(figures, v));
  log("wrote bench/results.md");
  for (const line of summaryLines(figures, v)) log(line);
}

main().catch((e) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});

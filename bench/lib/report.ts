/**
 * Targets, their verdicts, bench/results.md and the printed summary.
 */
import os from "node:os";
import { writeFileSync } from "node:fs";
import type { DeleteSummary } from "./deletes";
import type { FleetResult } from "./fleet";

/** Everything one benchmark run measured. */
export interface BenchFigures {
  timeScale: number;
  pkg: DeleteSummary;
  py: DeleteSummary;
  fleet: FleetResult;
  coldStart: { samples: number[]; medianMs: number };
  /** The native plugin pulumi-resource-obproxy, spawn to port line. */
  pluginStart: { samples: number[]; medianMs: number };
  versions: Record<string, string>;
  wallMs: number;
}

/** One target and whether it was met. */
export interface Verdict {
  target: string;
  measured: string;
  met: boolean;
}

const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

/** The issue's targets applied to the figures. */
export function verdicts(b: BenchFigures): Verdict[] {
  const ratio = b.py.lagP50 / Math.max(1, b.pkg.lagP50);
  const fleetRatio = b.fleet.wallMs / b.fleet.longestDagMs;
  return [
    { target: "completion lag p50 ≤ 150 ms", measured: `${f0(b.pkg.lagP50)} ms`, met: b.pkg.lagP50 <= 150 },
    { target: "lag p50 ≥ 10× lower than the Python SDK", measured: `${f1(ratio)}× (${f0(b.py.lagP50)} / ${f0(b.pkg.lagP50)} ms)`, met: ratio >= 10 },
    { target: "≤ 1 poll per second per DAG (fleet, obshell durations)", measured: `${f2(b.fleet.pollsPerSecond)}/s (${f1(b.fleet.pollsPerDag)} polls per DAG)`, met: b.fleet.pollsPerSecond <= 1 },
    { target: "fleet destroy wall ≤ 1.2 × longest DAG", measured: `${f2(fleetRatio)}× (${f0(b.fleet.wallMs)} / ${f0(b.fleet.longestDagMs)} ms)`, met: fleetRatio <= 1.2 },
    { target: "plugin peak RSS ≤ 200 MB", measured: `${f0(b.fleet.peakRssMb)} MB`, met: b.fleet.peakRssMb <= 200 },
    { target: "cold start ≤ 300 ms", measured: `${f0(b.coldStart.medianMs)} ms`, met: b.coldStart.medianMs <= 300 },
  ];
}

function deleteRow(name: string, s: DeleteSummary): string {
  return `| ${name} | ${s.n} | ${f0(s.lagP50)} | ${f0(s.lagP95)} | ${f1(s.beforeMean)} | ${f1(s.pollingMean)} | ${f2(s.pollsPerSecond)} | ${f0(s.dagMsMean)} |`;
}

/** Markdown of the run. */
export function resultsMarkdown(b: BenchFigures, v: Verdict[]): string {
  const cpus = os.cpus();
  return [
    "# Benchmark results (`npm run bench`)",
    "",
    `Run ${new Date().toISOString()}, ${f0(b.wallMs / 1000)} s. Machine: ${os.type()} ${os.release()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model ?? "?"}, ` +
      `${f0(os.totalmem() / 2 ** 30)} GiB, load average at the end ${os.loadavg().map(f1).join(" ")} (shared with other work).`,
    "",
    `Versions: ${Object.entries(b.versions).map(([k, x]) => `${k} ${x}`).join(", ")}.`,
    "",
    `## Completion lag (simulator timeScale ${b.timeScale}: Stop obproxy ${f1(5 * b.timeScale)} s)`,
    "",
    "Lag = the moment delete returned − the moment the Delete DAG finished on the agent (simulator `finishedAtMs`), same clock.",
    "Both sides ran at the same time, each on its own simulator (memory mode) in this process.",
    "",
    "| side | deletes | lag p50 ms | lag p95 ms | requests before polling | requests while polling | polls/s of DAG | DAG ms |",
    "|---|---|---|---|---|---|---|---|",
    deleteRow("pulumi-obproxy (lifecycle delete)", b.pkg),
    deleteRow("Python SDK obshell (delete_obproxy_sync)", b.py),
    "",
    `## Fleet: ${b.fleet.size} OBProxies on ${b.fleet.size} agents, one plugin process, ${b.fleet.size} concurrent Delete RPCs (timeScale ${b.fleet.timeScale})`,
    "",
    `Destroy wall ${f0(b.fleet.wallMs)} ms; longest single Delete DAG ${f0(b.fleet.longestDagMs)} ms; plugin peak RSS (VmHWM, ${b.fleet.peakRssScope}) ${f0(b.fleet.peakRssMb)} MB; ` +
      `${f1(b.fleet.pollsPerDag)} polls per DAG, ${f2(b.fleet.pollsPerSecond)} polls/s per DAG.`,
    "",
    `## Cold start`,
    "",
    `\`require("dist/provider/lifecycle.js")\` in a fresh process: median ${f0(b.coldStart.medianMs)} ms (${b.coldStart.samples.map(f0).join(", ")}).`,
    "",
    `Native plugin \`bin/pulumi-resource-obproxy\` from spawn to its port line: median ${f0(b.pluginStart.medianMs)} ms (${b.pluginStart.samples.map(f0).join(", ")}).`,
    "",
    "## Targets",
    "",
    "| target | measured | |",
    "|---|---|---|",
    ...v.map((x) => `| ${x.target} | ${x.measured} | ${x.met ? "met" : "**missed**"} |`),
    "",
  ].join("\n");
}

/** Writes the markdown file. */
export function writeResults(file: string, markdown: string): void {
  writeFileSync(file, markdown);
}

/** The lines printed last. */
export function summaryLines(b: BenchFigures, v: Verdict[]): string[] {
  return [
    `bench (timeScale ${b.timeScale} for lag, ${b.fleet.timeScale} for the fleet):`,
    ...v.map((x) => `  ${x.met ? "met   " : "MISSED"} ${x.target}: ${x.measured}`),
    `bench: ${v.filter((x) => x.met).length}/${v.length} targets met`,
  ];
}

/**
 * Targets, their verdicts, bench/results.md, bench/results.json and the printed summary.
 */
import os from "node:os";
import { writeFileSync } from "node:fs";
import type { DeleteSummary } from "./deletes";
import type { FleetResult } from "./fleet";
import type { FloorResult } from "./fleet-floor";
import type { TypecheckResult } from "./typecheck";

/** Everything one benchmark run measured. */
export interface BenchFigures {
  pkg: DeleteSummary;
  py: DeleteSummary;
  /** By number of agents. */
  fleet: Record<string, FleetResult>;
  /** The same plugin and RPCs with a provider that only waits, by number of agents. */
  floor: Record<string, FloorResult>;
  typecheck?: TypecheckResult;
  coldStart: { samples: number[]; medianMs: number };
  /** The native plugin pulumi-resource-obproxy, spawn to port line. */
  pluginStart: { samples: number[]; medianMs: number };
  versions: Record<string, string>;
  wallMs: number;
  /** The same deletes against a real obshell agent (OBSHELL_BIN), when measured. */
  real?: { pkg: DeleteSummary; py: DeleteSummary; version: string };
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

/** Fleet targets: wall ratio and peak RSS above idle, by size. */
const FLEET_TARGETS: Record<string, { wallRatio: number; aboveIdleMb: number }> = { "100": { wallRatio: 1.2, aboveIdleMb: 40 }, "1000": { wallRatio: 1.3, aboveIdleMb: 250 } };

function fleetVerdicts(b: BenchFigures): Verdict[] {
  return Object.entries(FLEET_TARGETS).flatMap(([n, t]) => {
    const f = b.fleet[n];
    if (!f) return [{ target: `fleet of ${n}`, measured: "not run", met: false }];
    return [
      { target: `fleet ${n}: destroy wall ≤ ${t.wallRatio} × longest DAG`, measured: `${f2(f.wallRatio)}× (${f0(f.wallMs)} / ${f0(f.longestDagMs)} ms)`, met: f.wallRatio <= t.wallRatio },
      { target: `fleet ${n}: plugin peak RSS above idle ≤ ${t.aboveIdleMb} MB`, measured: `${f0(f.peakRssAboveIdleMb)} MB (${f0(f.peakRssMb)} − ${f0(f.idleRssMb)})`, met: f.peakRssAboveIdleMb <= t.aboveIdleMb },
      { target: `fleet ${n}: no request timeouts, no fd exhaustion`, measured: `${f.requestTimeouts} timeouts, peak ${f.peakFds} fds`, met: f.requestTimeouts === 0 },
      { target: `fleet ${n}: ≤ 1 poll per second per DAG`, measured: `${f2(f.pollsPerSecond)}/s (${f1(f.pollsPerDag)} polls per DAG)`, met: f.pollsPerSecond <= 1 },
    ];
  });
}

/** The delete targets for one pair of sides; `where` prefixes the target ("real agent: "). */
function deleteVerdicts(pkg: DeleteSummary, py: DeleteSummary, where = ""): Verdict[] {
  const ratio = py.lagP50 / Math.max(1, pkg.lagP50);
  const requests = pkg.beforeMean + pkg.pollingMean;
  return [
    { target: `${where}completion lag p50 ≤ 100 ms`, measured: `${f0(pkg.lagP50)} ms`, met: pkg.lagP50 <= 100 },
    { target: `${where}lag p50 ≥ 10× lower than the Python SDK`, measured: `${f1(ratio)}× (${f0(py.lagP50)} / ${f0(pkg.lagP50)} ms)`, met: ratio >= 10 },
    { target: `${where}≤ 1 DAG poll per second per DAG`, measured: `${f2(pkg.pollsPerSecond)}/s (${f1(pkg.pollingMean)} polls)`, met: pkg.pollsPerSecond <= 1 },
    { target: `${where}≤ 15 requests per delete (~11 s Delete DAG, cold client)`, measured: `${f1(requests)} (DAG ${f1(pkg.dagMsMean / 1000)} s)`, met: requests <= 15 },
  ];
}

/** The issue's targets applied to the figures. */
export function verdicts(b: BenchFigures): Verdict[] {
  return [
    ...deleteVerdicts(b.pkg, b.py),
    ...(b.real ? deleteVerdicts(b.real.pkg, b.real.py, `real obshell ${b.real.version}: `) : []),
    ...fleetVerdicts(b),
    { target: "cold start ≤ 300 ms", measured: `${f0(b.coldStart.medianMs)} ms`, met: b.coldStart.medianMs <= 300 },
    { target: "native plugin cold start ≤ 300 ms", measured: `${f0(b.pluginStart.medianMs)} ms`, met: b.pluginStart.medianMs <= 300 },
  ];
}

function deleteRow(name: string, s: DeleteSummary): string {
  return `| ${name} | ${s.n} | ${f0(s.lagP50)} | ${f0(s.lagP95)} | ${f1(s.beforeMean)} | ${f1(s.pollingMean)} | ${f2(s.pollsPerSecond)} | ${f0(s.dagMsMean)} |`;
}

function fleetRow(f: FleetResult, floor: FloorResult | undefined): string {
  const floorMb = floor ? f0(floor.peakRssAboveIdleMb) : "–";
  return `| ${f.agents} | ${f0(f.wallMs)} | ${f0(f.longestDagMs)} | ${f2(f.wallRatio)} | ${f0(f.deleteSpreadMs)} | ${f1(f.pluginCpuMs / 1000)} / ${f1(f.agentsCpuMs / 1000)} | ${f0(f.idleRssMb)} | ${f0(f.peakRssMb)} | ${f0(f.peakRssAboveIdleMb)} | ${floorMb} | ${f.peakFds} | ${f1(f.requestsPerDelete)} | ${f2(f.pollsPerSecond)} | ${f.requestTimeouts} |`;
}

function typecheckLines(t: TypecheckResult | undefined): string[] {
  if (!t) return ["Not measured in this run (no Pulumi CLI in .pulumi-bin, or BENCH_TYPECHECK=0)."];
  return [
    `\`pulumi up\` of examples/basic (one ObProxy, destroyed after each; simulator at timeScale 0.03; ts-node's compile cache off, as for a program seen for the first time): type-checked (the default) median ${f1(t.checkedMedianMs / 1000)} s (${t.checkedMs.map((x) => f1(x / 1000)).join(", ")}), ` +
      `transpile-only (\`PULUMI_NODEJS_TRANSPILE_ONLY=true\`) median ${f1(t.transpileOnlyMedianMs / 1000)} s (${t.transpileOnlyMs.map((x) => f1(x / 1000)).join(", ")}): type-checking is ${f0(t.typecheckShare * 100)} % of the \`up\`.`,
  ];
}

/** The lag table of this package's deletes and the Python SDK's. */
function deleteTable(pkg: DeleteSummary, py: DeleteSummary): string[] {
  return [
    "| side | deletes | lag p50 ms | lag p95 ms | requests before polling | requests while polling | polls/s of DAG | DAG ms |",
    "|---|---|---|---|---|---|---|---|",
    deleteRow("pulumi-obproxy (lifecycle delete)", pkg),
    deleteRow("Python SDK obshell (delete_obproxy_sync)", py),
  ];
}

function realLines(r: BenchFigures["real"]): string[] {
  if (!r) return ["Not measured in this run: set `OBSHELL_BIN=<obshell binary>` (docs/testing.md) to measure against a real agent."];
  return [
    `One real obshell ${r.version} agent on 127.0.0.1, deletes one after another, the two sides alternating, each after an add on a fake OBProxy home; requests counted by a proxy in front of the agent. The k-th delete of each side waits (k + ½)/n of a scheduler tick after its add (the same waits on both sides), so the deletes start at phases of the agent's tick spread over the whole tick, as deletes sent at any moment do: sent at once after the add (which returns just after a tick), every delete would start at the same phase and the SDK's 3 s polls land the same few ms after each DAG's end.`,
    "Lag = the moment delete returned − the Delete DAG's `end_time` as obshell reports it (same machine clock).",
    "",
    ...deleteTable(r.pkg, r.py),
  ];
}

function machine(): string {
  const cpus = os.cpus();
  return `${os.type()} ${os.release()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model ?? "?"}, ${f0(os.totalmem() / 2 ** 30)} GiB`;
}

/** Markdown of the run. */
export function resultsMarkdown(b: BenchFigures, v: Verdict[]): string {
  const fleets = Object.values(b.fleet).sort((x, y) => x.agents - y.agents);
  return [
    "# Benchmark results (`npm run bench`)",
    "",
    `Run ${new Date().toISOString()}, ${f0(b.wallMs / 1000)} s. Machine: ${machine()}, load average at the end ${os.loadavg().map(f1).join(" ")} (shared with other work).`,
    "",
    `Versions: ${Object.entries(b.versions).map(([k, x]) => `${k} ${x}`).join(", ")}.`,
    "",
    "Simulated agents (memory mode) run at timeScale 1 on the simulator's engine calibrated to a real obshell 4.5 agent: a 1.01 s scheduler tick picks a DAG and each next node up and sees each node's end, so every node lasts ≥ 1 tick and nodes are ≥ 2 ticks apart (Delete ≈ 11 s, Add ≈ 17 s). Like independent hosts, the agents tick out of step: their tick phases are spread evenly over the period (simulators started together in one process would otherwise tick in unison, and every poll of every agent would land in the same few milliseconds).",
    "",
    "## Completion lag and requests per delete",
    "",
    "Lag = the moment delete returned − the moment the Delete DAG finished on the agent (simulator `finishedAtMs`), same clock.",
    "Each sample on its own agent, the samples of a side all at once, one side after the other; this package's deletes start with a client that knows nothing of the agent (like a new plugin process).",
    "",
    ...deleteTable(b.pkg, b.py),
    "",
    "## The same against a real obshell agent",
    "",
    ...realLines(b.real),
    "",
    "## Fleet destroys: N OBProxies on N agents, one plugin process, N concurrent Delete RPCs",
    "",
    "Created through one plugin process, destroyed through a fresh one (like `pulumi up` then `pulumi destroy`). Idle = that",
    "plugin with @pulumi/pulumi and our lifecycle loaded (after one Check RPC), no work. Peak = VmHWM during the destroy.",
    "",
    "Floor = the same plugin and Delete RPCs through a provider that only waits as long (no client, no agent): @pulumi/pulumi's own share.",
    "DELETE spread = first to last DELETE accepted by the agents. CPU = plugin / this process (all simulated agents) during the destroy, s.",
    "",
    "| agents | wall ms | longest DAG ms | wall / DAG | DELETE spread ms | CPU s plugin / agents | idle RSS MB | peak RSS MB | peak above idle MB | floor above idle MB | peak fds | requests per delete | polls/s per DAG | request timeouts |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...fleets.map((f) => fleetRow(f, b.floor[f.agents])),
    "",
    "## Type-checking in `pulumi up`",
    "",
    ...typecheckLines(b.typecheck),
    "",
    "## Cold start",
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

/** The machine-readable figures (bench/results.json). */
export function resultsJson(b: BenchFigures, v: Verdict[]): string {
  const fleet = Object.fromEntries(Object.entries(b.fleet).map(([n, f]) => [n, f]));
  const idle = Object.values(b.fleet).map((f) => f.idleRssMb);
  return `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: machine(),
      loadAverage: os.loadavg(),
      lagP50Ms: b.pkg.lagP50,
      lagP95Ms: b.pkg.lagP95,
      sdkLagP50Ms: b.py.lagP50,
      pollsPerSecond: b.pkg.pollsPerSecond,
      requestsPerDelete: b.pkg.beforeMean + b.pkg.pollingMean,
      sdkRequestsPerDelete: b.py.beforeMean + b.py.pollingMean,
      deleteDagMs: b.pkg.dagMsMean,
      coldStartMs: b.coldStart.medianMs,
      pluginColdStartMs: b.pluginStart.medianMs,
      idleRssMb: idle.length ? Math.min(...idle) : null,
      fleet,
      floor: b.floor,
      ...(b.typecheck ? { typecheck: b.typecheck } : {}),
      ...(b.real
        ? {
            real: {
              obshellVersion: b.real.version,
              lagP50Ms: b.real.pkg.lagP50,
              sdkLagP50Ms: b.real.py.lagP50,
              pollsPerSecond: b.real.pkg.pollsPerSecond,
              requestsPerDelete: b.real.pkg.beforeMean + b.real.pkg.pollingMean,
              sdkRequestsPerDelete: b.real.py.beforeMean + b.real.py.pollingMean,
              deleteDagMs: b.real.pkg.dagMsMean,
            },
          }
        : {}),
      targets: v,
      versions: b.versions,
    },
    null,
    2,
  )}\n`;
}

/** Writes a results file. */
export function writeResults(file: string, text: string): void {
  writeFileSync(file, text);
}

/** The lines printed last. */
export function summaryLines(b: BenchFigures, v: Verdict[]): string[] {
  return [
    `bench (simulated obshell, calibrated timing${b.real ? `; and a real obshell ${b.real.version}` : ""}):`,
    ...v.map((x) => `  ${x.met ? "met   " : "MISSED"} ${x.target}: ${x.measured}`),
    `bench: ${v.filter((x) => x.met).length}/${v.length} targets met`,
  ];
}

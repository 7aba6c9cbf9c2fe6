/**
 * One measured delete, whoever performed it: completion lag (the moment delete returned − the moment the DAG finished
 * on the agent, both read from this machine's clock) and the HTTP requests it made before and during polling.
 */
import type { RequestLogEntry, Simulator } from "../../src/simulator";
import { mean, percentile } from "./stats";

/** One delete's figures. */
export interface DeleteSample {
  lagMs: number;
  /** Requests up to and including the DELETE (key, clock, info…). */
  before: number;
  /** Requests after the DELETE (DAG polls). */
  polling: number;
  /** DELETE accepted → DAG finished on the agent. */
  dagMs: number;
}

/** Figures of a side (this package, or the Python SDK). */
export interface DeleteSummary {
  n: number;
  lagP50: number;
  lagP95: number;
  beforeMean: number;
  pollingMean: number;
  /** Polls per second of DAG run time, averaged over DAGs. */
  pollsPerSecond: number;
  dagMsMean: number;
}

/** Reads one delete's figures from the simulator: `window` = its requests, `returnedAt` = when delete returned. */
export function sampleDelete(sim: Simulator, window: readonly RequestLogEntry[], returnedAt: number): DeleteSample {
  const i = window.findIndex((r) => r.method === "DELETE" && r.path.split("?")[0] === "/api/v1/obproxy" && r.status === 200);
  if (i < 0) throw new Error("no accepted DELETE /api/v1/obproxy in the window");
  const dag = sim.control
    .state()
    .dags.filter((d) => d.name === "Delete obproxy" && d.finishedAtMs !== undefined)
    .sort((a, b) => b.finishedAtMs! - a.finishedAtMs!)[0];
  if (!dag?.finishedAtMs) throw new Error("the Delete DAG has not finished");
  return { lagMs: returnedAt - dag.finishedAtMs, before: i + 1, polling: window.length - i - 1, dagMs: dag.finishedAtMs - window[i]!.time };
}

/** Summarizes samples. */
export function summarize(samples: readonly DeleteSample[]): DeleteSummary {
  const lags = samples.map((s) => s.lagMs);
  return {
    n: samples.length,
    lagP50: percentile(lags, 50),
    lagP95: percentile(lags, 95),
    beforeMean: mean(samples.map((s) => s.before)),
    pollingMean: mean(samples.map((s) => s.polling)),
    pollsPerSecond: mean(samples.map((s) => s.polling / Math.max(0.001, (s.dagMs + s.lagMs) / 1000))),
    dagMsMean: mean(samples.map((s) => s.dagMs)),
  };
}

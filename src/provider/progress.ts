/**
 * Progress lines for long waits. The plugin's stdout becomes stack-level info diagnostics in `pulumi up`/`destroy`
 * (CLI ≥ 3.146), without the resource's URN, so every line names the resource and the agent itself.
 */
import type { DagProgress } from "../obshell";
import { formatDuration } from "../obshell/clock";
import { redact } from "./secrets";

/**
 * How much the provider prints: `quiet` (what it starts and decides, how it ends, failures), `info` (also each DAG
 * stage change, at most one line a second per resource), `debug` (also every request: method, path, status,
 * duration, errCode, traceId). Set with the environment variable `PULUMI_OBPROXY_VERBOSITY`.
 */
export type Verbosity = "quiet" | "info" | "debug";

/** The environment variable that sets the verbosity. */
export const VERBOSITY_ENV = "PULUMI_OBPROXY_VERBOSITY";

/** The verbosity the environment asks for; `info` when unset or unknown. */
export function verbosityFromEnv(env: NodeJS.ProcessEnv = process.env): Verbosity {
  const v = env[VERBOSITY_ENV]?.trim().toLowerCase();
  return v === "quiet" || v === "debug" ? v : "info";
}

/** A fleet prints one resource's DAG lines at most this often, so hundreds of resources stay readable. */
export const DAG_LINE_INTERVAL_MS = 1_000;

/** Writes progress for one resource operation, de-duplicated. */
export interface ProgressReporter {
  /** A one-off line ("adding OBProxy at /home/admin/obproxy"): printed at every verbosity. */
  info(text: string): void;
  /** A DAG progress update; printed (at info and debug) only when the stage, task or state changed. */
  dag(p: DagProgress): void;
  /** A request trace line; printed at debug only. */
  debug(text: string): void;
}

/** Where lines go: console.log in the provider process. */
export type LineSink = (line: string) => void;

/** The label each line starts with: the Pulumi resource name (or home path) and the agent endpoint. */
export function resourceLabel(props: { resourceName?: unknown; homePath?: unknown; endpoint?: unknown }): string {
  const name = typeof props.resourceName === "string" ? props.resourceName : String(props.homePath ?? "?");
  return `ObProxy ${name} (${String(props.endpoint ?? "?")})`;
}

/** Options of a reporter. */
export interface ReporterOptions {
  /** @default "info" */
  verbosity?: Verbosity;
  /** Epoch ms, for the DAG line interval. @default Date.now */
  now?: () => number;
}

/** Creates a reporter that prefixes lines with the resource label and redacts the given secrets. */
export function createProgressReporter(label: string, secrets: readonly string[], sink: LineSink, o: ReporterOptions = {}): ProgressReporter {
  const verbosity = o.verbosity ?? "info";
  const now = o.now ?? Date.now;
  let lastKey: string | undefined;
  let lastDagLineAt = -Infinity;
  const write = (key: string, text: string) => {
    if (key === lastKey) return;
    lastKey = key;
    sink(redact(`${label}: ${text}`, secrets));
  };
  return {
    info: (text) => write(`info:${text}`, text),
    dag: (p) => {
      if (verbosity === "quiet") return;
      // A DAG's end is always shown; in-between stages are thinned to one line a second.
      const finished = p.state === "SUCCEED" || p.state === "FAILED";
      if (!finished && now() - lastDagLineAt < DAG_LINE_INTERVAL_MS) return;
      lastDagLineAt = now();
      write(
        `dag:${p.dagId}:${p.stage}:${p.state}:${p.taskName}`,
        `${p.dagName} DAG ${p.dagId} stage ${p.stage}/${p.maxStage}: ${p.taskName} (${p.state}, ${formatDuration(p.elapsedMs, { tenths: true })})`,
      );
    },
    debug: (text) => {
      if (verbosity === "debug") sink(redact(`${label}: ${text}`, secrets));
    },
  };
}


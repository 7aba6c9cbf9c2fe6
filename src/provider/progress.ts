/**
 * Progress lines for long waits. The plugin's stdout becomes stack-level info diagnostics in `pulumi up`/`destroy`
 * (CLI ≥ 3.146), without the resource's URN, so every line names the resource and the agent itself.
 */
import type { DagProgress } from "../obshell";
import { formatDuration } from "../obshell/clock";
import { redact } from "./secrets";

/** Writes progress for one resource operation, de-duplicated. */
export interface ProgressReporter {
  /** A one-off line ("adding OBProxy at /home/admin/obproxy"). */
  info(text: string): void;
  /** A DAG progress update; printed only when the stage, task or state changed. */
  dag(p: DagProgress): void;
}

/** Where lines go: console.log in the provider process. */
export type LineSink = (line: string) => void;

/** The label each line starts with: the Pulumi resource name (or home path) and the agent endpoint. */
export function resourceLabel(props: { resourceName?: unknown; homePath?: unknown; endpoint?: unknown }): string {
  const name = typeof props.resourceName === "string" ? props.resourceName : String(props.homePath ?? "?");
  return `ObProxy ${name} (${String(props.endpoint ?? "?")})`;
}

/** Creates a reporter that prefixes lines with the resource label and redacts the given secrets. */
export function createProgressReporter(label: string, secrets: readonly string[], sink: LineSink): ProgressReporter {
  let lastKey: string | undefined;
  const write = (key: string, text: string) => {
    if (key === lastKey) return;
    lastKey = key;
    sink(redact(`${label}: ${text}`, secrets));
  };
  return {
    info: (text) => write(`info:${text}`, text),
    dag: (p) =>
      write(
        `dag:${p.dagId}:${p.stage}:${p.state}:${p.taskName}`,
        `${p.dagName} DAG ${p.dagId} stage ${p.stage}/${p.maxStage}: ${p.taskName} (${p.state}, ${formatDuration(p.elapsedMs, { tenths: true })})`,
      ),
  };
}


/**
 * Garbage-collector tuning for the processes that host the provider: @pulumi/pulumi's dynamic-provider plugin (on the
 * first operation of the lifecycle the serialized shim calls), the native Pulumi plugin and the Terraform provider.
 *
 * Why: a fleet destroy keeps hundreds of deletes in flight, each with requests pending for milliseconds while
 * thousands of others are handled. V8 sees most young objects survive a scavenge and doubles the young generation,
 * 1 → 16 MB per semi-space, and every page it touched stays resident: ~35 MB of the peak at 100 deletes, ~190 MB at
 * 1,000 (measured, docs/performance.md). Keeping the young generation at its initial size costs a few more, smaller
 * scavenges (plugin CPU for a 1,000-agent destroy did not grow) and keeps those pages free.
 *
 * `--max-semi-space-size` cannot change once the heap exists, but V8 reads `--semi-space-growth-factor` each time
 * it would grow the young generation, so setting it to 1 from inside the process works. What the young generation
 * grew before (in the dynamic-provider plugin: 34 MB while @pulumi/pulumi loaded, before any of our code runs) is
 * given back by one memory-reducing collection, once, at this first call (~30 ms, while the process is idle: it is
 * about to start its first operation).
 *
 * undici parses HTTP with llhttp compiled to WebAssembly. After some dozens of answers V8 finds the parser's one huge
 * function hot and recompiles it with its optimizing compiler, whose working memory for it is 20–45 MB of malloc for
 * a moment: the largest single item of a destroy's peak RSS, at 10 agents as at 1,000 (measured: V8's malloced
 * memory rose from 1 to 23 MB during a 10-agent destroy's first requests, RSS with it, and fell back after). A
 * tier-up filter that matches no function keeps llhttp on its baseline (Liftoff) code: parsing our answers costs
 * no measurable CPU more (5,000 requests: within the run-to-run noise). V8 reads this flag at each tier-up decision,
 * so setting it at run time works (the tiering budget is spent within a thousand answers, so raising it does not).
 *
 * All of it is process-wide: the plugin processes host only providers, never the user's program.
 * `PULUMI_OBPROXY_V8_TUNING=off` leaves V8 alone.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The environment variable that turns the tuning off (`off`). */
export const V8_TUNING_ENV = "PULUMI_OBPROXY_V8_TUNING";

/**
 * V8 optimizes a hot WebAssembly function only when its index in the module matches this filter (default -1: any
 * function). No module has a function at the int32 maximum, so none is optimized.
 */
const WASM_TIER_UP_FILTER = 2 ** 31 - 1;

let applied = false;

/**
 * Keeps the young generation from growing and the WebAssembly HTTP parser off the optimizing compiler, once per
 * process, unless turned off; true when applied.
 */
export function tuneHostGc(env: NodeJS.ProcessEnv = process.env): boolean {
  if (applied) return true;
  if (env[V8_TUNING_ENV] === "off") return false;
  try {
    setFlagsFromString("--semi-space-growth-factor=1");
    setFlagsFromString(`--wasm-tier-up-filter=${WASM_TIER_UP_FILTER}`);
  } catch {
    return false;
  }
  applied = true;
  releaseYoungGeneration();
  return true;
}

/**
 * One full, memory-reducing collection: V8 shrinks the young generation back to its initial size and unmaps the
 * rest. The `gc` function exists only in contexts created after `--expose-gc` is set, never in the process's own.
 */
function releaseYoungGeneration(): void {
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as ((options: object) => void) | undefined;
    gc?.({ type: "major", execution: "sync", flavor: "last-resort" });
  } catch {
    // A V8 without the gc extension: the young generation keeps what it grew, and grows no further.
  }
}

/**
 * Cold start of the provider implementation: the time a fresh Node process takes to `require` dist/provider/
 * lifecycle.js (what the serialized shim does on the first call of each plugin process). Median of several runs.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { median } from "./stats";

const LIFECYCLE = path.join(__dirname, "..", "..", "dist", "provider", "lifecycle.js");

const PROBE = `const t = process.hrtime.bigint(); require(${JSON.stringify(LIFECYCLE)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;

/** Require times (ms) of `runs` fresh processes, and their median. */
export function measureColdStart(runs = 7): { samples: number[]; medianMs: number } {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(Number(execFileSync(process.execPath, ["-e", PROBE], { encoding: "utf8" })));
  return { samples, medianMs: median(samples) };
}

/**
 * Cold start of the provider implementation: the time a fresh Node process takes to `require` dist/provider/
 * lifecycle.js (what the serialized shim does on the first call of each plugin process). Median of several runs.
 */
import { execFileSync, spawn } from "node:child_process";
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

const PLUGIN = path.join(__dirname, "..", "..", "bin", "pulumi-resource-obproxy");

/** One start of the native plugin (the sh launcher, as the engine runs it) until it printed its port, in ms. */
function pluginStartOnce(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(PLUGIN, ["127.0.0.1:1"], { stdio: ["ignore", "pipe", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`pulumi-resource-obproxy exited (${code}) before printing its port`)));
    child.stdout.once("data", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      child.removeAllListeners("exit");
      child.kill("SIGKILL");
      resolve(ms);
    });
  });
}

/** Native plugin cold start (spawn → port line) of `runs` fresh processes, and their median. */
export async function measurePluginColdStart(runs = 7): Promise<{ samples: number[]; medianMs: number }> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await pluginStartOnce());
  return { samples, medianMs: median(samples) };
}

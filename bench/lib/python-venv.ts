/**
 * The venv with the official Python SDK (obshell==0.0.9) in .cache/venv-obshell: the same steps and place as the
 * simulator's conformance test (test/integration/simulator/python-sdk.test.ts), so either one creates it once.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
export const VENV = path.join(ROOT, ".cache", "venv-obshell");
export const VENV_PYTHON = path.join(VENV, "bin", "python");

/** Creates the venv if needed; returns why it could not, or undefined when ready. */
export function ensureObshellVenv(): string | undefined {
  if (existsSync(VENV_PYTHON) && spawnSync(VENV_PYTHON, ["-c", "import obshell"]).status === 0) return undefined;
  if (spawnSync("python3", ["--version"]).status !== 0) return "python3 is not installed";
  const venv = spawnSync("python3", ["-m", "venv", VENV], { encoding: "utf8" });
  if (venv.status !== 0) return `python3 -m venv failed: ${venv.stderr}`;
  const pip = spawnSync(path.join(VENV, "bin", "pip"), ["install", "-q", "obshell==0.0.9"], { encoding: "utf8", timeout: 300_000 });
  if (pip.status !== 0) return `pip install obshell==0.0.9 failed: ${pip.stderr}`;
  return undefined;
}

/** `obshell` version installed in the venv. */
export function obshellSdkVersion(): string {
  const r = spawnSync(VENV_PYTHON, ["-c", "import importlib.metadata as m; print(m.version('obshell'))"], { encoding: "utf8" });
  return r.stdout.trim() || "?";
}

/**
 * The official Python SDK's side of the completion-lag benchmark: on each simulated agent the OBProxy is added through
 * this package's client (set-up, not measured), then `delete_obproxy_sync()` of obshell 0.0.9 deletes it in a Python
 * process of its own (bench/py/delete_lag.py), which reports when the call returned. All agents at once.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { createObshellClient } from "../../src/obshell";
import type { Simulator } from "../../src/simulator";
import { sampleDelete, type DeleteSample } from "./deletes";
import { VENV_PYTHON } from "./python-venv";

const SCRIPT = path.join(__dirname, "..", "py", "delete_lag.py");

/** One add → Python delete on `sim`. */
async function pythonDelete(sim: Simulator, password: string, name: string): Promise<DeleteSample> {
  const client = createObshellClient({ endpoint: sim.url, agentPassword: password });
  try {
    const add = await client.addObproxy({ home_path: `/opt/bench/${name}`, rs_list: "127.0.0.1:2881" });
    await client.waitForDag(add.id, { deadline: Date.now() + 120_000 });
  } finally {
    await client.close();
  }
  const py = spawn(VENV_PYTHON, [SCRIPT, "127.0.0.1", String(sim.port), password], { stdio: ["pipe", "pipe", "pipe"] });
  const stderr: string[] = [];
  py.stderr.on("data", (c: Buffer) => stderr.push(c.toString()));
  const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]();
  try {
    const from = sim.requests().length;
    py.stdin.write("delete\n");
    const line = await lines.next();
    if (line.done) throw new Error(`the Python SDK process ended: ${stderr.join("")}`);
    const answer = JSON.parse(line.value) as { returned_ms: number };
    return sampleDelete(sim, sim.requests().slice(from), answer.returned_ms);
  } finally {
    py.stdin.end();
    await new Promise<void>((resolve) => (py.exitCode !== null ? resolve() : py.once("exit", () => resolve())));
  }
}

/** One add → Python delete per simulator, concurrently. */
export function measurePythonDeletes(sims: readonly Simulator[], password: string): Promise<DeleteSample[]> {
  return Promise.all(sims.map((sim, i) => pythonDelete(sim, password, `py-${i}`)));
}

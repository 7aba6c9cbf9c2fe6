/**
 * Conformance with the official Python SDK (obshell==0.0.9): a venv in .cache/venv-obshell (reused), then a script
 * drives the simulator through add/stop/start/get_dag/operate_dag/delete. Plus a request built the Go SDK way.
 * Under CI=true a missing python3/pip fails; otherwise the test is skipped visibly.
 */
import { strict as assert } from "node:assert";
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { freePort } from "../../helpers/ports";
import { join } from "node:path";
import { createFakeObproxyHome } from "../../../src/simulator";
import { OCEANBASE_HEADER, call, startTestSim } from "../../unit/simulator/helpers";

const ROOT = join(__dirname, "../../..");
const VENV = join(ROOT, ".cache/venv-obshell");
const PY = join(VENV, "bin/python");

function ensureVenv(): string | undefined {
  if (existsSync(PY) && spawnSync(PY, ["-c", "import obshell"]).status === 0) return undefined;
  const py = spawnSync("python3", ["--version"]);
  if (py.status !== 0) return "python3 is not installed";
  const venv = spawnSync("python3", ["-m", "venv", VENV], { encoding: "utf8" });
  if (venv.status !== 0) return `python3 -m venv failed: ${venv.stderr}`;
  const pip = spawnSync(join(VENV, "bin/pip"), ["install", "-q", "obshell==0.0.9"], { encoding: "utf8", timeout: 300_000 });
  if (pip.status !== 0) return `pip install obshell==0.0.9 failed: ${pip.stderr}`;
  return undefined;
}

describe("simulator: official SDK conformance", function () {
  this.timeout(360_000);

  it("the Python SDK (obshell 0.0.9) drives add, stop, start, get_dag, operate_dag, delete", async function () {
    const missing = ensureVenv();
    if (missing) {
      if (process.env.CI === "true") assert.fail(`CI=true: ${missing}`);
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    const sim = await startTestSim({ mode: "real" });
    const home = await createFakeObproxyHome();
    try {
      const args = [join(__dirname, "py/drive_simulator.py"), "127.0.0.1", String(sim.port), "agentpwd", home, String(await freePort())];
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(PY, args, { timeout: 300_000, env: { ...process.env, OBSHELL_SIM_CONTROL_TOKEN: sim.controlToken } }, (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out))),
      );
      const out = JSON.parse(stdout.trim().split("\n").at(-1)!);
      assert.deepEqual(out.add.slice(0, 2), ["Add obproxy", "SUCCEED"]);
      assert.equal(out.stop, "SUCCEED");
      assert.equal(out.start, "SUCCEED");
      assert.deepEqual(out.get_dag, ["Add obproxy", "SUCCEED", ["Check obproxy status", "Start obproxy", "Set proxyro password for connect", "Persist obproxy info"]]);
      assert.ok(out.failed_stop.endsWith(`127.0.0.1:${sim.port} ERROR: [OBProxy.StopTimeout]: Kill OBProxy process timeout`), out.failed_stop);
      assert.equal(out.retry, "SUCCEED");
      assert.deepEqual(out.delete, ["Delete obproxy", "SUCCEED"]);
      assert.equal(out.delete_again, null);
      const errors = sim.requests().filter((r) => r.status >= 400);
      assert.deepEqual(errors, [], JSON.stringify(errors));
    } finally {
      await sim.stop();
      await rm(home, { recursive: true, force: true });
    }
  });

  it("a Go-SDK-style request (capitalised keys, Keys null, X-OCS-Header) is decoded", async () => {
    const sim = await startTestSim({ agentPassword: null });
    try {
      const ok = await call(sim, "/api/v1/task/dag/agent/unfinish", { style: "go", headerName: OCEANBASE_HEADER, password: "" });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(sim.requests().at(-1)!.headerFields, { ts: sim.requests().at(-1)!.headerFields!.ts, uri: "/api/v1/task/dag/agent/unfinish", keysBytes: null, jsonKeys: ["Auth", "Ts", "Uri", "Keys"] });
      sim.control.setAgentPassword("pw");
      const denied = await call(sim, "/api/v1/task/dag/agent/unfinish", { style: "go", headerName: OCEANBASE_HEADER, password: "" });
      assert.equal(denied.json.error.errCode, "Security.Authentication.WithAgentPassword");
    } finally {
      await sim.stop();
    }
  });
});

/**
 * The native plugin from a Python program with the real CLI (examples/python): up → destroy, customTimeouts sent,
 * the Delete DAG waited for, no secret in state or output. Needs the Python language host and the venv with the
 * `pulumi` Python SDK that `npm run build:cli` puts into .pulumi-bin (the old host takes `python` from PATH).
 */
import assert from "node:assert/strict";
import { accessSync, constants } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { cliDir, repoRoot } from "../../scripts/pulumi-env";
import { createFakeObproxyHome, startSimulator } from "../../src/simulator";
import { AGENT_PASSWORD, freePort, PROXYRO_PASSWORD } from "../engine/harness/fixture";
import { deleteDagsStarted, findSecrets, leftoverDirs } from "./harness/checks";
import { SECRETS } from "./harness/stacks";
import { cliIt, e2eSuite, resourcesOfType, Workspace } from "./harness/workspace";
import { NATIVE_TYPE } from "./harness/yaml-stack";

const VENV_BIN = path.join(cliDir, "python", "bin");

function pythonHostBuilt(): boolean {
  try {
    for (const f of ["pulumi-language-python", "pulumi-language-python-exec"]) accessSync(path.join(cliDir, f), constants.X_OK);
    accessSync(path.join(VENV_BIN, "python"), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

describe("e2e: a Python program with the native plugin pulumi-resource-obproxy", function () {
  this.timeout(600_000);
  const { cleanups, watch } = e2eSuite();

  cliIt("up → destroy waits for the Delete DAG; no secret in state or output", async function () {
    if (!pythonHostBuilt()) {
      const message = `the Python language host or its venv is not in ${cliDir}: run \`npm run build:cli\``;
      if (process.env.CI === "true") throw new Error(message);
      console.log(`      (skipped: ${message})`);
      this.skip();
    }
    const homes = await mkdtemp(path.join(os.tmpdir(), "obproxy-e2e-py-home-"));
    cleanups.add(() => rm(homes, { recursive: true, force: true }));
    const home = await createFakeObproxyHome(path.join(homes, "obproxy"));
    const sim = await startSimulator({ agentPassword: AGENT_PASSWORD, timeScale: 0.03 });
    cleanups.add(() => sim.stop());
    // The venv first: the Python host (sdk v3.79.0) runs `python` from PATH and ignores the `virtualenv` option.
    const PATH = [VENV_BIN, cliDir, path.join(repoRoot, "node_modules", ".bin"), process.env.PATH ?? ""].join(path.delimiter);
    const ws = await Workspace.create("python", { OBSHELL_TASK_TIME_SCALE: "0.03", PATH, VIRTUAL_ENV: path.dirname(VENV_BIN) });
    cleanups.add(() => ws.cleanup());
    watch(ws);
    await ws.configure(
      { endpoint: sim.url, homePath: home, rsList: "127.0.0.1:2881", sqlPort: String(await freePort()) },
      { "obproxy:agentPassword": AGENT_PASSWORD, proxyroPassword: PROXYRO_PASSWORD },
    );
    await ws.op("up");
    assert.equal(sim.control.state().managed, true);
    const [proxy] = resourcesOfType((await ws.exportStack()).deployment, NATIVE_TYPE);
    assert.equal(proxy?.outputs?.homePath, home);
    await ws.op("destroy");
    assert.equal(sim.control.state().managed, false);
    assert.equal(deleteDagsStarted(sim), 1);
    assert.deepEqual(leftoverDirs(home), []);
    assert.deepEqual(resourcesOfType((await ws.exportStack()).deployment, NATIVE_TYPE), []);
    assert.deepEqual(findSecrets({ "CLI output": ws.transcript.join("\n"), state: ws.rawState() }, SECRETS), []);
  });
});

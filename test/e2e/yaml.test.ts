/**
 * The native plugin from a YAML program with the real CLI (examples/yaml, `packages:` pointing at the installed
 * package's bin/): up → refresh → `pulumi import` into a second stack → destroy, Ctrl-C during destroy, and
 * customTimeouts.delete on a slow Delete DAG. No secret may appear in state or CLI output.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { deleteDagsStarted, findSecrets, leftoverDirs, until } from "./harness/checks";
import { GatedClock } from "./harness/gate";
import { SECRETS } from "./harness/stacks";
import { e2eSuite, resourcesOfType, STACK } from "./harness/workspace";
import { configureYaml, NATIVE_TYPE, yamlIt, yamlStack, type YamlStack } from "./harness/yaml-stack";

const deleteDag = (s: YamlStack) => s.sim.control.state().dags.find((d) => d.name === "Delete obproxy");

describe("e2e: a YAML program with the native plugin pulumi-resource-obproxy", function () {
  this.timeout(600_000);
  const { cleanups, watch } = e2eSuite();

  yamlIt("up → refresh → pulumi import into a second stack → destroy waits for the Delete DAG; no secret in state or output", async () => {
    const s = await yamlStack(cleanups);
    watch(s.ws);
    await s.ws.op("up");
    assert.equal(s.sim.control.state().managed, true);
    const [proxy] = resourcesOfType((await s.ws.exportStack()).deployment, NATIVE_TYPE);
    assert.ok(proxy, "the ObProxy is in state with the native type");
    assert.equal(proxy.outputs?.homePath, s.home);
    await s.ws.op("refresh");
    assert.equal(resourcesOfType((await s.ws.exportStack()).deployment, NATIVE_TYPE).length, 1, "refresh keeps it");

    // A second stack adopts the same OBProxy by id; the id carries the endpoint and the real home path.
    await s.ws.pulumi(["stack", "init", "imported", "--non-interactive"]);
    await configureYaml(s.ws, s.sim, s.home);
    const importId = `${s.sim.url}#${s.home}`;
    const imported = await s.ws.pulumi(["import", NATIVE_TYPE, "proxy", importId, "--protect=false", "--yes", "--non-interactive", "--color", "never"]);
    assert.match(imported.output, /obproxy:ObProxy|obproxy:index:ObProxy/);
    const [adopted] = resourcesOfType((await s.ws.exportStack()).deployment, NATIVE_TYPE) as (typeof proxy & { inputs?: Record<string, unknown> })[];
    assert.equal(adopted.id, proxy.id);
    assert.equal(adopted.inputs?.homePath, s.home, "import produced complete inputs with the real homePath");

    const destroyed = await s.ws.op("destroy");
    assert.equal(s.sim.control.state().managed, false, "destroy returned only after obshell stopped managing it");
    assert.equal(deleteDag(s)?.state, "SUCCEED");
    assert.equal(deleteDagsStarted(s.sim), 1);
    assert.match(destroyed.output, /Delete obproxy DAG/);
    assert.deepEqual(leftoverDirs(s.home), []);
    assert.deepEqual(resourcesOfType((await s.ws.exportStack()).deployment, NATIVE_TYPE), []);

    // The first stack sees it gone on refresh and destroys nothing.
    await s.ws.pulumi(["stack", "select", STACK]);
    await s.ws.op("refresh");
    assert.deepEqual(resourcesOfType((await s.ws.exportStack()).deployment, NATIVE_TYPE), []);
    await s.ws.op("destroy");
    assert.equal(deleteDagsStarted(s.sim), 1, "no second Delete DAG");
    assert.deepEqual(findSecrets({ "CLI output": s.ws.transcript.join("\n"), state: s.ws.rawState() }, SECRETS), []);
  });

  yamlIt("Ctrl-C during destroy: Cancel stops the wait, the resource stays in state with a clear message; destroy again finishes the same DAG", async () => {
    const gate = new GatedClock();
    cleanups.add(() => gate.open());
    const s = await yamlStack(cleanups, { timeScale: 0.1, clock: gate });
    watch(s.ws);
    await s.ws.op("up");
    let child: ChildProcess | undefined;
    const run = s.ws.op("destroy", { allowFailure: true, onSpawn: (c) => (child = c) });
    await until("the Delete DAG to run", () => deleteDag(s)?.state === "RUNNING", 120_000, 5);
    gate.close();
    process.kill(-child!.pid!, "SIGINT");
    const result = await run;
    assert.notEqual(result.code, 0);
    assert.match(result.output, /cancelled the operation/);
    assert.match(result.output, new RegExp(`Delete obproxy DAG ${deleteDag(s)!.id}`));
    assert.equal(deleteDag(s)?.isFinished, false, "obshell's DAG is left running");
    assert.equal(resourcesOfType((await s.ws.exportStack()).deployment, NATIVE_TYPE).length, 1, "the resource stays in state");

    const again = s.ws.op("destroy");
    await until("the second destroy to start", () => s.ws.transcript.filter((l) => l.startsWith("$ pulumi destroy")).length === 2, 60_000);
    gate.open();
    await again;
    assert.equal(deleteDagsStarted(s.sim), 1, "no second Delete DAG");
    assert.equal(s.sim.control.state().managed, false);
    assert.deepEqual(resourcesOfType((await s.ws.exportStack()).deployment, NATIVE_TYPE), []);
    assert.deepEqual(findSecrets({ "CLI output": s.ws.transcript.join("\n"), state: s.ws.rawState() }, SECRETS), []);
  });

  yamlIt("customTimeouts delete: 2s on a slow Delete DAG fails the destroy at 2 s, naming the deadline and the DAG", async () => {
    const gate = new GatedClock();
    cleanups.add(() => gate.open());
    const s = await yamlStack(cleanups, { clock: gate, deleteTimeout: "2s" });
    watch(s.ws);
    await s.ws.op("up");
    gate.close(); // every task of the Delete DAG now waits for the gate
    let failedAt = 0;
    const result = await s.ws.op("destroy", {
      allowFailure: true,
      onLine: (l) => {
        if (!failedAt && /still running/.test(l)) failedAt = Date.now();
      },
    });
    assert.notEqual(result.code, 0);
    const dag = deleteDag(s)!;
    assert.match(result.output, new RegExp(`Delete obproxy DAG ${dag.id} still running.* after 2s`));
    const accepted = s.sim.requests().find((r) => r.method === "DELETE" && r.path === "/api/v1/obproxy" && r.status === 200)!;
    assert.ok(failedAt - accepted.time >= 1_500 && failedAt - accepted.time < 10_000, `failed ${failedAt - accepted.time} ms after the DAG started`);
    assert.equal(resourcesOfType((await s.ws.exportStack()).deployment, NATIVE_TYPE).length, 1, "the resource stays in state");
    gate.open();
    await until("the Delete DAG to end", () => deleteDag(s)?.isFinished === true, 60_000);
    await s.ws.op("destroy");
    assert.equal(deleteDagsStarted(s.sim), 1);
    assert.equal(s.sim.control.state().managed, false);
  });
});

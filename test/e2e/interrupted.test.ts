/**
 * `pulumi destroy` when things go wrong, with the real CLI: a Delete DAG that fails once, and Ctrl-C (SIGINT to
 * the CLI's process group, as a terminal sends it) while the Delete DAG runs. In every case the next
 * `pulumi destroy` finishes the job without a second Delete DAG.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { deleteDagsStarted, leftoverDirs, until } from "./harness/checks";
import { GatedClock } from "./harness/gate";
import { basicStack, type BasicStack } from "./harness/stacks";
import { cliIt, e2eSuite, OBPROXY_TYPE, resourcesOfType } from "./harness/workspace";

/**
 * `pulumi destroy`, and SIGINT `times` times (300 ms apart) to the CLI's process group once obshell runs the Delete
 * DAG. The gate is closed as soon as the DAG is RUNNING, so the DAG stays RUNNING until the test opens it.
 */
async function destroyWithCtrlC(s: BasicStack, gate: GatedClock, times: 1 | 2, beforeExit?: (lines: string[]) => Promise<void>) {
  let child: ChildProcess | undefined;
  const lines: string[] = [];
  const run = s.ws.op("destroy", { allowFailure: true, onSpawn: (c) => (child = c), onLine: (l) => lines.push(l) });
  const deleteDag = () => s.sim.control.state().dags.find((d) => d.name === "Delete obproxy");
  // Checked every 5 ms in this process, where the simulator's DAGs run: far inside Stop obproxy's 0.5 s.
  await until("the Delete DAG to run", () => deleteDag()?.state === "RUNNING", 120_000, 5);
  gate.close();
  for (let i = 0; i < times; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 300));
    process.kill(-child!.pid!, "SIGINT");
  }
  await beforeExit?.(lines);
  const result = await run;
  return { result, dag: deleteDag()! };
}

describe("e2e: interrupted and failing destroys with the Pulumi CLI", function () {
  this.timeout(600_000);
  const { cleanups, watch } = e2eSuite();

  async function stack(timeScale?: number, clock?: GatedClock): Promise<BasicStack> {
    const s = await basicStack(cleanups, timeScale, clock);
    watch(s.ws);
    return s;
  }

  cliIt("a Delete DAG that fails once: destroy fails naming the DAG and keeps the resource; the next destroy retries it", async () => {
    const s = await stack();
    await s.ws.op("up");
    s.sim.control.failTask({ task: "Stop obproxy", dag: "Delete obproxy", times: "once", message: "kill timed out" });
    const failed = await s.ws.op("destroy", { allowFailure: true });
    assert.notEqual(failed.code, 0);
    const dag = s.sim.control.state().dags.find((d) => d.name === "Delete obproxy")!;
    assert.equal(dag.state, "FAILED");
    assert.match(failed.output, new RegExp(`Delete obproxy.*${dag.id}|${dag.id}.*Delete obproxy`));
    assert.match(failed.output, /Stop obproxy/);
    assert.match(failed.output, /kill timed out/);
    // Shown once, with obshell's errCode first, no stack trace, no path into sources the package does not ship.
    assert.match(failed.output, /\[OBProxy\.StopTimeout\] ObProxy obproxy \(/);
    assert.doesNotMatch(failed.output, /^\s*at .*:\d+:\d+\)?$/m, "no stack trace");
    assert.doesNotMatch(failed.output, /ObProxyError: |src\/provider\//, "the plugin's own stderr copy is left out");
    const diagnostics = failed.output.slice(failed.output.indexOf("Diagnostics:"));
    assert.equal(diagnostics.split('failed at task "Stop obproxy"').length - 1, 1, diagnostics);
    assert.doesNotMatch(failed.output, /POST \/api\/v1\/task\/dag/, "advice names runnable commands");
    assert.match(failed.output, new RegExp(`pulumi-obproxy dag retry ${dag.id}`));
    assert.equal(resourcesOfType((await s.ws.exportStack()).deployment, OBPROXY_TYPE).length, 1, "the resource stays");

    await s.ws.op("destroy");
    assert.equal(deleteDagsStarted(s.sim), 1, "the failed DAG was retried, no second delete started");
    assert.equal(s.sim.control.state().managed, false);
    assert.deepEqual(resourcesOfType((await s.ws.exportStack()).deployment, OBPROXY_TYPE), []);
  });

  // Time scale 0.1 (Stop obproxy ≈ 0.5 s) and a gated clock: the Delete DAG stays RUNNING across the Ctrl-C.
  cliIt("one Ctrl-C: the CLI cancels but waits for the running delete; destroy again finishes the stack", async () => {
    const gate = new GatedClock();
    cleanups.add(() => gate.open());
    const s = await stack(0.1, gate);
    await s.ws.op("up");
    const { result, dag } = await destroyWithCtrlC(s, gate, 1, async (lines) => {
      await until("the CLI to acknowledge the Ctrl-C", () => lines.some((l) => /\^C received; cancelling/.test(l)));
      await new Promise((r) => setTimeout(r, 1000)); // the CLI keeps waiting for the in-flight delete
      assert.equal(s.sim.control.state().dags.find((d) => d.name === "Delete obproxy")?.state, "RUNNING");
      gate.open();
    });
    assert.equal(result.code, 0, "the cancelled destroy still exits 0: its only running step succeeded");
    assert.equal(dag.state, "SUCCEED");
    // The engine lets the in-flight delete finish: the provider waited for the DAG, the resource left the state.
    assert.match(result.output, /OBProxy deleted/);
    assert.equal(s.sim.control.state().managed, false);
    assert.deepEqual(resourcesOfType((await s.ws.exportStack()).deployment, OBPROXY_TYPE), []);
    await s.ws.op("destroy");
    assert.equal(deleteDagsStarted(s.sim), 1);
    assert.deepEqual(leftoverDirs(s.home), []);
  });

  cliIt("two Ctrl-Cs: the CLI terminates with a pending delete; destroy again waits on the same DAG", async () => {
    const gate = new GatedClock();
    cleanups.add(() => gate.open());
    const s = await stack(0.1, gate);
    await s.ws.op("up");
    const { result, dag } = await destroyWithCtrlC(s, gate, 2);
    assert.match(result.output, /\^C received; terminating/);
    assert.notEqual(result.code, 0);
    assert.equal(dag.state, "RUNNING", "obshell's DAG outlives the CLI");
    const { deployment } = await s.ws.exportStack();
    assert.deepEqual(deployment.pending_operations?.map((p) => p.type), ["deleting"]);
    assert.equal(resourcesOfType(deployment, OBPROXY_TYPE).length, 1);

    // No repair needed before this: the CLI warns about the pending operation and runs the delete again; the
    // provider finds the Delete DAG still running and waits for it instead of starting another. The gate opens
    // once that destroy has looked at the DAG.
    const againStarted = Date.now();
    const polled = () => s.sim.requests().some((r) => r.method === "GET" && r.path.startsWith(`/api/v1/task/dag/${dag.id}`) && r.time > againStarted);
    const again = s.ws.op("destroy");
    await until("the second destroy to look at the running DAG", polled, 120_000);
    gate.open();
    const output = (await again).output;
    assert.match(output, /pending operations/);
    assert.match(output, new RegExp(`Delete obproxy DAG ${dag.id}`));
    assert.equal(deleteDagsStarted(s.sim), 1, "no second Delete DAG");
    assert.equal(s.sim.control.state().managed, false);
    const after = (await s.ws.exportStack()).deployment;
    assert.deepEqual(resourcesOfType(after, OBPROXY_TYPE), []);
    assert.deepEqual(after.pending_operations ?? [], []);
    assert.deepEqual(leftoverDirs(s.home), []);
  });
});

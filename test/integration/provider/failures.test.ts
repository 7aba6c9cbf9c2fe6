import assert from "node:assert/strict";
import type { Simulator } from "../../../src/simulator";
import { createObshellClient } from "../../../src/obshell";
import { AGENT_PASSWORD, capturingLifecycle, inputsFor, rejection, requestsTo, startSim } from "./fixture";

/** DELETE /api/v1/obproxy requests obshell accepted (a Delete DAG was created). */
function acceptedDeletes(sim: Simulator): number {
  return requestsTo(sim, "DELETE", "/api/v1/obproxy").filter((r) => r.status === 200).length;
}

describe("provider failure handling against the simulator", function () {
  this.timeout(60_000);
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(async () => {
    await sim.stop();
  });

  it("keeps a failed create in state (partial failure with __provider), continues it on the next update", async () => {
    const { lifecycle } = capturingLifecycle();
    const inputs = await inputsFor(sim);
    sim.control.failTask({ task: "Start obproxy", times: "once", message: "health check failed" });
    const err = await rejection(lifecycle.create(inputs));
    assert.equal(err.code, "DagFailed");
    assert.match(err.message, /Add obproxy DAG \d+ failed at task "Start obproxy"/);
    assert.match(err.message, /pulumi up/);
    assert.match(err.id, /:\d+$/);
    assert.equal(err.properties.__provider, inputs.__provider);
    assert.equal(err.properties.managed, false);
    assert.equal(err.properties.lastDag.state, "FAILED");
    assert.deepEqual(err.reasons, [err.message]);

    // The engine sends an update for a resource with init errors: it retries the Add DAG holding the lock.
    const { outs } = await lifecycle.update(err.id, err.properties, inputs);
    assert.equal(outs.managed, true);
    assert.equal(outs.lastDag.id, err.properties.lastDag.id, "the same DAG, retried");
    assert.equal(requestsTo(sim, "POST", "/api/v1/obproxy").filter((r) => r.status === 200).length, 1);
    assert.ok(requestsTo(sim, "POST", `/api/v1/task/dag/${outs.lastDag.id}`).length === 1, "one RETRY");
    await lifecycle.delete(err.id, outs);
    assert.equal(sim.control.state().managed, false);
  });

  it("destroys a half-created resource: retries its own failed Add DAG, then deletes", async () => {
    const { lifecycle } = capturingLifecycle();
    sim.control.failTask({ task: "Start obproxy", times: "once" });
    const failed = await rejection(lifecycle.create(await inputsFor(sim)));
    assert.equal(failed.properties.lastDag.state, "FAILED");
    await lifecycle.delete(failed.id, failed.properties);
    assert.equal(sim.control.state().managed, false);
    assert.equal(requestsTo(sim, "POST", `/api/v1/task/dag/${failed.properties.lastDag.id}`).length, 1, "one RETRY of the add");
    assert.equal(requestsTo(sim, "POST", "/api/v1/obproxy").filter((r) => r.status === 200).length, 1, "no second add");
    assert.equal(acceptedDeletes(sim), 1);
  });

  it("names a failed Add of another resource holding the lock on destroy, with what to do", async () => {
    const { lifecycle } = capturingLifecycle();
    sim.control.failTask({ task: "Start obproxy", times: "once" });
    const failed = await rejection(lifecycle.create(await inputsFor(sim)));
    const props = { ...failed.properties, lastDag: undefined };
    const err = await rejection(lifecycle.delete(failed.id, props));
    assert.equal(err.code, "LockHeld");
    assert.equal(err.dagId, failed.properties.lastDag.id);
    assert.match(err.message, /Add obproxy DAG \d+ failed at task "Start obproxy"/);
    assert.match(err.message, /retry.*pass/);
    assert.equal(acceptedDeletes(sim), 0);
  });

  it("treats 204 (removed out of band) as deleted, and refresh as gone", async () => {
    const { lifecycle } = capturingLifecycle();
    const { id, outs } = await lifecycle.create(await inputsFor(sim));
    const client = createObshellClient({ endpoint: sim.url, agentPassword: AGENT_PASSWORD, taskMinDurationsMs: {} });
    const answer = await client.deleteObproxy();
    assert.equal(answer.kind, "dag");
    if (answer.kind === "dag") await client.waitForDag(answer.dag.id, { deadline: Date.now() + 30_000 });
    await client.close();
    assert.deepEqual(await lifecycle.read(id, outs), {});
    await lifecycle.delete(id, outs);
    assert.equal(requestsTo(sim, "DELETE", "/api/v1/obproxy").at(-1)?.status, 204);
  });

  it("reports a failed Delete DAG with its log, then retries that DAG instead of starting another", async () => {
    const { lifecycle } = capturingLifecycle();
    const { id, outs } = await lifecycle.create(await inputsFor(sim));
    sim.control.failTask({ task: "Clean obproxy dir", times: "once", message: "rm: cannot remove" });
    const err = await rejection(lifecycle.delete(id, outs));
    assert.equal(err.code, "DagFailed");
    assert.match(err.message, /Delete obproxy DAG (\d+) failed at task "Clean obproxy dir": .*rm: cannot remove/);
    assert.match(err.message, /pulumi destroy/);
    await lifecycle.delete(id, outs);
    assert.equal(acceptedDeletes(sim), 1);
    assert.equal(requestsTo(sim, "POST", `/api/v1/task/dag/${err.dagId}`).length, 1, "one RETRY of the failed DAG");
    assert.equal(sim.control.state().managed, false);
  });

  it("times out with the DAG named, and the next delete resumes waiting on it", async () => {
    const slow = await startSim({ timeScale: 0.3 });
    try {
      const { lifecycle, lines } = capturingLifecycle();
      const { id, outs } = await lifecycle.create(await inputsFor(slow));
      const err = await rejection(lifecycle.delete(id, { ...outs, timeouts: { delete: "300ms" } }));
      assert.equal(err.code, "DagTimeout");
      assert.match(err.message, /Delete obproxy DAG \d+ still running at stage \d\/4/);
      await lifecycle.delete(id, outs);
      assert.equal(acceptedDeletes(slow), 1);
      assert.equal(slow.control.state().managed, false);
      assert.ok(lines.some((l) => l.includes("resuming the wait for Delete obproxy DAG")), lines.join("\n"));
    } finally {
      await slow.stop();
    }
  });

  it("names a failed Stop holding the lock on delete", async () => {
    const { lifecycle } = capturingLifecycle();
    const inputs = await inputsFor(sim);
    const { id, outs } = await lifecycle.create(inputs);
    sim.control.failTask({ task: "Stop obproxy", dag: "Stop obproxy", times: "once" });
    const stop = await rejection(lifecycle.update(id, outs, { ...inputs, running: false }));
    assert.equal(stop.properties.running, true);
    const err = await rejection(lifecycle.delete(id, stop.properties));
    assert.equal(err.code, "LockHeld");
    assert.match(err.message, /Stop obproxy DAG \d+ failed/);
    // The next `up` retries the failed stop, which frees the lock.
    const retried = await lifecycle.update(id, stop.properties, { ...inputs, running: false });
    assert.equal(retried.outs.running, false);
    await lifecycle.delete(id, retried.outs);
    assert.equal(acceptedDeletes(sim), 1);
  });
});

/**
 * obshell ≤ 4.3.0 answers a DAG-creating request that meets the OBProxy lock with 500 and the generic code 1002
 * ("failed to set status to 4: agent status is not 1" on 4.2.x, as the simulator models S@737982a), not 2301.
 * Found by the chaos run: after a failed Delete DAG, the second destroy on such an agent failed with that raw error
 * instead of retrying the DAG holding the lock.
 */
import assert from "node:assert/strict";
import type { Simulator } from "../../../src/simulator";
import { capturingLifecycle, inputsFor, rejection, requestsTo, startSim } from "./fixture";

for (const version of ["4.2.6.0", "4.3.0.0"]) {
  describe(`provider: the OBProxy lock on obshell ${version}`, function () {
    this.timeout(60_000);
    let sim: Simulator;
    beforeEach(async () => {
      sim = await startSim({ mode: "memory", version });
    });
    afterEach(() => sim.stop());

    it("a second destroy retries the failed Delete DAG holding the lock", async () => {
      const { lifecycle } = capturingLifecycle();
      const { id, outs } = await lifecycle.create(await inputsFor(sim));
      sim.control.failTask({ task: "Delete obproxy", times: "once" });
      const first = await rejection(lifecycle.delete(id, outs));
      assert.equal(first.code, "DagFailed");
      await lifecycle.delete(id, outs);
      assert.equal(sim.control.state().managed, false);
      assert.equal(requestsTo(sim, "DELETE", "/api/v1/obproxy").filter((r) => r.status === 200).length, 1, "one Delete DAG");
    });

    it("a destroy names the failed Stop DAG holding the lock", async () => {
      const { lifecycle } = capturingLifecycle();
      const { id, outs } = await lifecycle.create(await inputsFor(sim));
      sim.control.failTask({ task: "Stop obproxy", times: "once" });
      const stop = await rejection(lifecycle.update(id, outs, { ...outs, running: false }));
      const err = await rejection(lifecycle.delete(id, outs));
      assert.equal(err.code, "LockHeld", err.message);
      assert.equal(err.dagId, stop.properties?.lastDag?.id ?? err.dagId);
    });
  });
}

/**
 * PASS is not success: obshell marks passed tasks SUCCEED (operator PASS) although they never ran. A DAG ended by
 * an operator's PASS is reported as such, and a delete succeeds only when obshell manages no OBProxy any more.
 */
import assert from "node:assert/strict";
import type { Simulator } from "../../../src/simulator";
import { capturingLifecycle, inputsFor, rejection, startSim } from "./fixture";

describe("provider: a DAG ended by PASS is not a successful one", function () {
  this.timeout(60_000);
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSim({ mode: "memory" });
  });
  afterEach(async () => {
    await sim.stop();
  });

  it("a passed Delete DAG is never reported as deleted while obshell still manages the OBProxy", async () => {
    const { lifecycle, lines } = capturingLifecycle();
    const { id, outs } = await lifecycle.create(await inputsFor(sim));
    // The Stop fails and an operator passes the DAG at once: "Delete obproxy" and "Clean obproxy dir" never run.
    sim.control.failTask({ task: "Stop obproxy", dag: "Delete obproxy", times: "once", then: "pass" });
    const err = await rejection(lifecycle.delete(id, outs));
    assert.equal(err.code, "DagPassed", err.message);
    assert.match(err.message, /Delete obproxy DAG \d+ was ended by an operator's PASS at task "Stop obproxy"/);
    assert.match(err.message, /still manages the OBProxy/);
    assert.equal(sim.control.state().managed, true);
    assert.ok(!lines.some((l) => /OBProxy deleted/.test(l)), lines.join("\n"));
    // The next destroy sends a new delete, which really deletes.
    await lifecycle.delete(id, outs);
    assert.equal(sim.control.state().managed, false);
  });

  it("a passed Add DAG is not an added OBProxy: the create fails, kept in state with the passed DAG", async () => {
    const { lifecycle } = capturingLifecycle();
    sim.control.failTask({ task: "Start obproxy", dag: "Add obproxy", times: "once", then: "pass" });
    const err = await rejection(lifecycle.create(await inputsFor(sim)));
    assert.equal(err.code, "DagPassed", err.message);
    assert.match(err.message, /Add obproxy DAG \d+ was ended by an operator's PASS at task "Start obproxy"/);
    assert.equal(err.properties.lastDag.operator, "PASS");
    assert.notEqual(err.properties.managed, true);
  });

  it("a passed Stop DAG is not a stopped OBProxy: the update fails and running stays true", async () => {
    const { lifecycle } = capturingLifecycle();
    const inputs = await inputsFor(sim);
    const { id, outs } = await lifecycle.create(inputs);
    sim.control.failTask({ task: "Stop obproxy", dag: "Stop obproxy", times: "once", then: "pass" });
    const err = await rejection(lifecycle.update(id, outs, { ...inputs, running: false }));
    assert.equal(err.code, "DagPassed", err.message);
    assert.equal(err.properties.running, true);
  });
});

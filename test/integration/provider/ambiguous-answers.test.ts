/**
 * Answers the provider cannot read (cut short, oversized, not an envelope) after obshell acted on a DAG-creating
 * request, or on a read after the DAG: the provider must not lose track of what obshell is doing. Found by the
 * chaos run (bench/chaos): such a create used to fail without keeping the resource in state, leaving an OBProxy
 * that no stack knew about, and such a destroy failed without naming the Delete DAG it had started.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { MalformedKind, Simulator } from "../../../src/simulator";
import { capturingLifecycle, inputsFor, rejection, requestsTo, startSim } from "./fixture";

/** The requests that reached obshell's DAG-creating routes, faulted ones included. */
function sends(sim: Simulator, method: string): number {
  return requestsTo(sim, method, "/api/v1/obproxy").length;
}

/** Arms `arm` as soon as `method path` was answered. */
async function afterRequest(sim: Simulator, method: string, path: string, arm: () => void): Promise<void> {
  for (let i = 0; i < 2_000 && requestsTo(sim, method, path).length === 0; i++) await sleep(2);
  arm();
}

describe("provider: unreadable answers after obshell acted", function () {
  this.timeout(60_000);
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSim({ mode: "memory" });
  });
  afterEach(() => sim.stop());

  for (const kind of ["truncated", "oversized", "wrong-envelope"] as MalformedKind[]) {
    it(`create: a ${kind} answer to the add still ends with the resource known (no orphan OBProxy)`, async () => {
      const { lifecycle } = capturingLifecycle();
      sim.control.malformedResponses({ kind, count: 1, path: "/api/v1/obproxy" });
      const result = await lifecycle.create(await inputsFor(sim)).then(
        (r) => ({ id: r.id, state: r.outs as Record<string, unknown> }),
        (e: Error & { id?: string; properties?: Record<string, unknown> }) => ({ id: e.id, state: e.properties, error: e }),
      );
      assert.ok(result.id && result.state, `resource not kept in state: ${"error" in result ? result.error?.message : ""}`);
      assert.equal(sends(sim, "POST"), 1, "the add is never resent");
      await lifecycle.delete(result.id, result.state);
      assert.equal(sim.control.state().managed, false);
    });
  }

  it("create: an unreadable read after the Add DAG succeeded keeps the resource in state", async () => {
    const { lifecycle } = capturingLifecycle();
    const inputs = await inputsFor(sim);
    const armed = afterRequest(sim, "POST", "/api/v1/obproxy", () =>
      sim.control.malformedResponses({ kind: "wrong-envelope", count: 20, path: "/api/v1/info" }),
    );
    const result = await lifecycle.create(inputs).then(
      (r) => ({ id: r.id, state: r.outs as Record<string, unknown> }),
      (e: Error & { id?: string; properties?: Record<string, unknown> }) => ({ id: e.id, state: e.properties, error: e }),
    );
    await armed;
    assert.ok(result.id && result.state, `resource not kept in state: ${"error" in result ? result.error?.message : ""}`);
    sim.control.clearFaults();
    await lifecycle.delete(result.id, result.state);
    assert.equal(sim.control.state().managed, false);
  });

  it("destroy: an oversized answer to the DELETE waits for the Delete DAG it started", async () => {
    const { lifecycle } = capturingLifecycle();
    const { id, outs } = await lifecycle.create(await inputsFor(sim));
    sim.control.malformedResponses({ kind: "oversized", count: 1, path: "/api/v1/obproxy" });
    const err = await lifecycle.delete(id, outs).then(() => undefined, (e: Error) => e);
    const deleteDag = sim.control.state().dags.find((d) => d.name === "Delete obproxy");
    assert.ok(deleteDag, "obshell created the Delete DAG");
    if (err) assert.ok((err as { dagId?: string }).dagId === deleteDag.id || err.message.includes(deleteDag.id), `not named: ${err.message}`);
    else assert.equal(sim.control.state().managed, false);
    assert.equal(sends(sim, "DELETE"), 1, "the DELETE is never resent");
  });

  it("destroy: a lost DELETE answer whose Delete DAG already ended counts as deleted", async () => {
    const { lifecycle } = capturingLifecycle();
    const { id, outs } = await lifecycle.create(await inputsFor(sim));
    sim.control.malformedResponses({ kind: "truncated", count: 1, path: "/api/v1/obproxy" });
    // The lookup of the lock holder is answered only after the (fast) Delete DAG has finished.
    sim.control.delayResponses({ ms: 500, count: 1, path: "/api/v1/task/dag/agent/unfinish" });
    await lifecycle.delete(id, outs);
    assert.equal(sim.control.state().managed, false);
    assert.equal(sends(sim, "DELETE"), 1, "the DELETE is never resent");
  });

  it("destroy: a garbled DELETE answer with nothing holding the lock is a typed error (nothing resent)", async () => {
    const { lifecycle } = capturingLifecycle();
    const { id, outs } = await lifecycle.create(await inputsFor(sim));
    sim.control.resetConnections({ count: 1, path: "/api/v1/obproxy" });
    const err = await rejection(lifecycle.delete(id, outs));
    assert.equal(err.name, "NetworkError");
    assert.equal(sends(sim, "DELETE"), 1);
    await lifecycle.delete(id, outs);
    assert.equal(sim.control.state().managed, false);
  });
});

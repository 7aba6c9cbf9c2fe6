/**
 * One deadline rules every operation: each request's timeout, every retry and backoff, every sleep is capped by the
 * time left, and the error at the deadline names it, what was in flight, and that the DAG keeps running.
 */
import assert from "node:assert/strict";
import type { Simulator } from "../../../src/simulator";
import { OBPROXY_DAGS } from "../../../src/obshell/schemas";
import { capturingLifecycle, inputsFor, rejection, startSim } from "./fixture";

/** Within this of the 3 s deadline (the bound: ≤ 4 s). */
const BOUND_MS = 4_000;

describe("provider: one deadline bounds every request of an operation", function () {
  this.timeout(60_000);
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSim({ mode: "memory" });
  });
  afterEach(async () => {
    await sim.stop();
  });

  it("a destroy with timeouts.delete 3s against an agent that accepts connections but never answers returns within 4 s, naming the deadline", async () => {
    const { lifecycle } = capturingLifecycle();
    const { id, outs } = await lifecycle.create(await inputsFor(sim));
    sim.control.silence();
    const started = Date.now();
    const err = await rejection(lifecycle.delete(id, { ...outs, timeouts: { delete: "3s" } }));
    const took = Date.now() - started;
    assert.ok(took <= BOUND_MS, `destroy took ${took} ms`);
    assert.equal(err.code, "DeadlineExceeded", err.message);
    assert.match(err.message, /delete deadline \(timeouts\.delete: 3s\) passed/);
    assert.match(err.message, /keeps running in obshell/);
    assert.match(err.message, /pulumi destroy/);
  });

  it("a destroy with timeouts.delete 3s against a slow-loris agent returns within 4 s, naming the deadline", async () => {
    const { lifecycle } = capturingLifecycle();
    const { id, outs } = await lifecycle.create(await inputsFor(sim));
    sim.control.slowLoris({ byteEveryMs: 100 });
    const started = Date.now();
    const err = await rejection(lifecycle.delete(id, { ...outs, timeouts: { delete: "3s" } }));
    const took = Date.now() - started;
    assert.ok(took <= BOUND_MS, `destroy took ${took} ms`);
    assert.equal(err.code, "DeadlineExceeded", err.message);
    assert.match(err.message, /timeouts\.delete: 3s/);
  });

  it("a create with timeouts.create 3s against a silent agent returns within 4 s, naming the deadline", async () => {
    const { lifecycle } = capturingLifecycle();
    sim.control.silence();
    const started = Date.now();
    const err = await rejection(lifecycle.create(await inputsFor(sim, { timeouts: { create: "3s" } })));
    assert.ok(Date.now() - started <= BOUND_MS, `create took ${Date.now() - started} ms`);
    assert.equal(err.code, "DeadlineExceeded", err.message);
    assert.match(err.message, /timeouts\.create: 3s/);
  });

  it("an aborted wait is a Cancelled error naming the DAG, which keeps running in obshell, the resource staying in state", async () => {
    const slow = await startSim({ mode: "memory", timeScale: 0.3 });
    try {
      const { lifecycle, lines } = capturingLifecycle();
      const { id, outs } = await lifecycle.create(await inputsFor(slow));
      const ctl = new AbortController();
      // Aborted once the destroy waits for its Delete DAG (the host's Cancel arrives mid-wait).
      const watcher = (async () => {
        for (let i = 0; i < 500 && !ctl.signal.aborted; i++) {
          if (lines.some((l) => l.includes("Delete obproxy DAG"))) return ctl.abort();
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const err = await rejection(lifecycle.delete(id, outs, { signal: ctl.signal }));
      await watcher;
      const dag = slow.control.state().dags.find((d) => d.name === OBPROXY_DAGS.delete.name)!;
      assert.equal(err.code, "Cancelled", err.message);
      assert.equal(err.dagId, dag.id);
      assert.match(err.message, new RegExp(`Delete obproxy DAG ${dag.id} keeps running in obshell`));
      assert.match(err.message, /stays in state/);
      // The abort cancelled nothing in obshell.
      assert.notEqual(slow.control.state().dags.find((d) => d.id === dag.id)?.operator, "CANCEL");
    } finally {
      await slow.stop();
    }
  });
});

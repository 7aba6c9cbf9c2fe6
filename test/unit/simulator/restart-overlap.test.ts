/**
 * Two agent restarts that overlap (a chaos schedule arms one at the start of an operation and another once its DAG
 * exists) must leave exactly one listener: the second used to bind a new server over the first one's port
 * (EADDRINUSE, an unhandled rejection) and leave the first one listening forever, so `stop()` never freed it.
 */
import { strict as assert } from "node:assert";
import net from "node:net";
import { startTestSim } from "./helpers";

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

describe("simulator: overlapping restarts", () => {
  it("run one after the other, and stop() closes the listener", async () => {
    const sim = await startTestSim();
    const first = sim.control.restart({ downMs: 60 });
    await new Promise((r) => setTimeout(r, 20));
    const second = sim.control.restart({ downMs: 60 });
    const results = await Promise.allSettled([first, second]);
    assert.deepEqual(results.map((r) => r.status), ["fulfilled", "fulfilled"], JSON.stringify(results));
    assert.equal(await connects(sim.port), true, "listening again after both");
    await sim.stop();
    assert.equal(await connects(sim.port), false, "stop() closed the only listener");
  });
});

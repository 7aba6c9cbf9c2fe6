import { strict as assert } from "node:assert";
import type { Simulator } from "../../../src/simulator";
import { addBody, call, startTestSim, waitDag } from "./helpers";

describe("simulator smoke", () => {
  let sim: Simulator;
  beforeEach(async () => (sim = await startTestSim()));
  afterEach(() => sim.stop());

  it("add, stop, start, delete in memory mode", async () => {
    const add = await call(sim, "/api/v1/obproxy", { body: addBody() });
    assert.equal(add.status, 200, add.text);
    assert.equal(add.json.data.state, "READY");
    const done = await waitDag(sim, add.json.data.id);
    assert.equal(done.state, "SUCCEED", JSON.stringify(done));
    const info = await call(sim, "/api/v1/info", { headerName: null });
    assert.equal(info.json.data.isObproxyAgent, true);
    const stop = await call(sim, "/api/v1/obproxy/stop", { method: "POST" });
    assert.equal((await waitDag(sim, stop.json.data.id)).state, "SUCCEED");
    const start = await call(sim, "/api/v1/obproxy/start", { method: "POST" });
    assert.equal((await waitDag(sim, start.json.data.id)).state, "SUCCEED");
    const del = await call(sim, "/api/v1/obproxy", { method: "DELETE" });
    const d = await waitDag(sim, del.json.data.id);
    assert.equal(d.state, "SUCCEED");
    const again = await call(sim, "/api/v1/obproxy", { method: "DELETE" });
    assert.equal(again.status, 204);
    assert.equal(again.text, "");
  });
});

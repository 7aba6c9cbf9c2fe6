/** DAG operators with per-task capabilities (§5.5) per version, lock re-acquisition on RETRY, upgrade rollback. */
import { strict as assert } from "node:assert";
import type { Simulator, SimulatorOptions } from "../../../src/simulator";
import { agentArchitecture } from "../../../src/simulator/handlers/agent";
import { addBody, call, startTestSim, waitDag } from "./helpers";

const op = (sim: Simulator, id: string, operator: string) => call(sim, `/api/v1/task/dag/${id}`, { body: { operator } });

async function managedSim(o: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startTestSim(o);
  const add = await call(sim, "/api/v1/obproxy", { body: addBody() });
  assert.equal((await waitDag(sim, add.json.data.id)).state, "SUCCEED");
  return sim;
}

async function upload(sim: Simulator, filename: string) {
  const boundary = "----opstest";
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n\r\n`),
    Buffer.from("rpm"),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return call(sim, "/api/v1/obproxy/package", { rawBody: body, headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` } });
}

describe("simulator: DAG operators and task capabilities (§5.5)", () => {
  const sims: Simulator[] = [];
  const track = (s: Simulator) => (sims.push(s), s);
  afterEach(async () => Promise.all(sims.splice(0).map((s) => s.stop())));

  it("4.2.6.0: tasks only retry — cancel, pass and rollback are refused with 1010 Known error", async () => {
    // Slow enough for the cancel to reach the DAG while it runs.
    const sim = track(await startTestSim({ version: "4.2.6.0", timeScale: 0.5 }));
    sim.control.failTask({ task: "Start obproxy" });
    const add = await call(sim, "/api/v1/obproxy", { body: addBody() });
    const id = add.json.data.id;
    const running = await op(sim, id, "cancel");
    assert.deepEqual([running.status, running.json.error], [500, { code: 1010, message: "Known error: failed to cancel dag: Check obproxy status can not cancel" }]);
    await waitDag(sim, id);
    assert.equal((await op(sim, id, "pass")).json.error.message, "Known error: failed to pass dag: Start obproxy can not pass");
    assert.equal((await op(sim, id, "rollback")).json.error.message, "Known error: failed to set dag rollback: node 1. Check obproxy status can not rollback");
    assert.equal((await op(sim, id, "jump")).json.error.message, "Known error: invalid operator: jump");
    assert.equal((await op(sim, id, "retry")).status, 200);
  });

  it("≥4.3.0: add/stop/delete can be cancelled and passed, never rolled back", async () => {
    const sim = track(await managedSim({ version: "4.3.0.0" }));
    const stop = await call(sim, "/api/v1/obproxy/stop", { method: "POST" });
    assert.equal((await op(sim, stop.json.data.id, "cancel")).status, 200);
    const c = await waitDag(sim, stop.json.data.id);
    assert.deepEqual([c.state, c.operator], ["FAILED", "CANCEL"]);
    const rb = await op(sim, stop.json.data.id, "rollback");
    assert.deepEqual([rb.status, rb.json.error.code], [500, 1010]);
    assert.equal((await op(sim, stop.json.data.id, "pass")).status, 200);
  });

  it("a RETRY that must take the lock back gets Agent.UnderMaintenance while another DAG holds it", async () => {
    const sim = track(await managedSim());
    // A failure in node 1 (Check obproxy status) releases the lock (FAILURE_EXIT_MAINTENANCE).
    sim.control.failTask({ task: "Check obproxy status", dag: "Stop obproxy" });
    const stop = await call(sim, "/api/v1/obproxy/stop", { method: "POST" });
    assert.equal((await waitDag(sim, stop.json.data.id)).state, "FAILED");
    sim.control.failTask({ task: "Stop obproxy", dag: "Delete obproxy" });
    const del = await call(sim, "/api/v1/obproxy", { method: "DELETE" });
    assert.equal((await waitDag(sim, del.json.data.id)).state, "FAILED");
    const retry = await op(sim, stop.json.data.id, "retry");
    assert.deepEqual([retry.status, retry.json.error], [500, { errCode: "Agent.UnderMaintenance", message: `127.0.0.1:${sim.port} is under maintenance` }]);
    assert.equal((await op(sim, del.json.data.id, "retry")).status, 200);
    assert.equal((await waitDag(sim, del.json.data.id)).state, "SUCCEED");
  });

  it("upgrade: cancel refused (Create upgrade dir), rollback runs back to node 1 and restores the version", async () => {
    const sim = track(await managedSim());
    assert.equal((await upload(sim, `obproxy-ce-4.3.3.0-5.el7.${agentArchitecture()}.rpm`)).status, 200);
    sim.control.failTask({ task: "Wait hot restart obproxy finish", times: 2 });
    const up = await call(sim, "/api/v1/obproxy/upgrade", { body: { version: "4.3.3.0", release: "5.el7" } });
    const id = up.json.data.id;
    assert.equal((await op(sim, id, "cancel")).json.error.message, "Failed to cancel DAG: node Create upgrade dir cannot cancel");
    const failed = await waitDag(sim, id);
    assert.deepEqual([failed.state, failed.stage], ["FAILED", 9]);
    assert.equal(sim.control.state().obproxy!.version, "4.3.3.0-5");
    assert.equal((await op(sim, id, "retry")).status, 200);
    const again = await waitDag(sim, id);
    assert.deepEqual([again.state, again.nodes[8].sub_tasks[0].execute_times], ["FAILED", 2]);
    assert.equal((await op(sim, id, "rollback")).status, 200);
    const back = await waitDag(sim, id);
    assert.deepEqual([back.state, back.operator, back.stage], ["SUCCEED", "ROLLBACK", 1]);
    assert.ok(back.nodes.slice(0, 9).every((n: any) => n.operator === "ROLLBACK" && n.state === "SUCCEED"));
    assert.equal(sim.control.state().obproxy!.version, "4.3.2.0-2");
    assert.equal((await call(sim, "/api/v1/obproxy/stop", { method: "POST" })).status, 200, "lock released");
  });
});

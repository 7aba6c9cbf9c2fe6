import { strict as assert } from "node:assert";
import type { Simulator } from "../../../src/simulator";
import { obproxyGenericId, parseGenericId } from "../../../src/simulator/dag-dto";
import { addBody, call, startTestSim, waitDag } from "./helpers";

async function addAndWait(sim: Simulator, body = addBody()) {
  const r = await call(sim, "/api/v1/obproxy", { body });
  assert.equal(r.status, 200, r.text);
  return waitDag(sim, r.json.data.id);
}

describe("simulator: DAGs (§4, §5)", () => {
  let sim: Simulator;
  beforeEach(async () => (sim = await startTestSim()));
  afterEach(() => sim.stop());

  it("create response: READY/RUN, stage 1, nodes null; details with real task names", async () => {
    const r = await call(sim, "/api/v1/obproxy", { body: addBody() });
    const d = r.json.data;
    assert.deepEqual([d.name, d.state, d.operator, d.stage, d.max_stage, d.maintenance_type, d.nodes, d.additional_data], ["Add obproxy", "READY", "RUN", 1, 4, 4, null, null]);
    assert.equal(d.id, obproxyGenericId(1, { ip: "127.0.0.1", port: sim.port }));
    const done = await waitDag(sim, d.id);
    assert.deepEqual(done.nodes.map((n: any) => n.name), ["Check obproxy status", "Start obproxy", "Set proxyro password for connect", "Persist obproxy info"]);
    assert.deepEqual(done.additional_data, {});
    assert.equal(done.stage, 4);
    const brief = await call(sim, `/api/v1/task/dag/${d.id}?show_details=false`);
    assert.equal(brief.json.data.nodes, null);
    const panic = await call(sim, `/api/v1/task/dag/${d.id}?show_details=maybe`);
    assert.equal(panic.status, 500);
  });

  it("delete: 204 when unmanaged; managed DAG goes through 4 stages; process gone logs", async () => {
    await addAndWait(sim);
    await sim.control.loseObproxy({ process: true });
    const del = await call(sim, "/api/v1/obproxy", { method: "DELETE" });
    assert.equal(del.json.data.name, "Delete obproxy");
    const d = await waitDag(sim, del.json.data.id);
    assert.equal(d.state, "SUCCEED");
    assert.deepEqual(d.nodes[1].sub_tasks[0].task_logs, ["Get obproxy pid: ", "Obproxy is not running"]);
    assert.equal(sim.control.state().managed, false);
    const again = await call(sim, "/api/v1/obproxy", { method: "DELETE" });
    assert.equal(again.status, 204);
    assert.equal(again.text, "");
  });

  it("polling sees READY → RUNNING → SUCCEED", async () => {
    await addAndWait(sim);
    const del = await call(sim, "/api/v1/obproxy", { method: "DELETE" });
    const seen = new Set<string>([del.json.data.state]);
    for (let i = 0; i < 500; i++) {
      const d = (await call(sim, `/api/v1/task/dag/${del.json.data.id}`)).json.data;
      seen.add(d.state);
      if (d.state === "SUCCEED") break;
    }
    assert.deepEqual([...seen], ["READY", "RUNNING", "SUCCEED"]);
  });

  it("generic ids: IPv4 and IPv6 encode/decode; invalid lengths 400; foreign or unknown 404", async () => {
    assert.equal(obproxyGenericId(1, { ip: "127.0.0.1", port: 2886 }), "42130706433028861");
    assert.equal(obproxyGenericId(12, { ip: "10.0.0.5", port: 2886 }), "401677721650288612");
    const v6 = obproxyGenericId(7, { ip: "::1", port: 2886 });
    assert.equal(v6, `5${"1".padStart(39, "0")}028867`);
    assert.deepEqual(parseGenericId(v6), { prefix: "5", ipPort: "1:2886", rowId: 7 });
    assert.equal((await call(sim, "/api/v1/task/dag/4213070643302886")).json.error.errCode, "Task.GenericID.Invalid");
    assert.equal((await call(sim, `/api/v1/task/dag/5${"1".padStart(39, "0")}02886`)).status, 400);
    const foreign = await call(sim, "/api/v1/task/dag/42130706433028861");
    assert.equal(foreign.json.error.message, "Task not found: obproxy task not found");
    const unknown = await call(sim, `/api/v1/task/dag/${obproxyGenericId(99, { ip: "127.0.0.1", port: sim.port })}`);
    assert.equal(unknown.json.error.message, "Task not found: record not found");
  });

  it("IPv6 agent: DAG ids use prefix 5", async () => {
    const v6 = await startTestSim({ agentIp: "fd00::5" });
    try {
      const r = await call(v6, "/api/v1/obproxy", { body: addBody() });
      assert.match(r.json.data.id, /^5\d{39}\d{5}1$/);
      assert.equal((await waitDag(v6, r.json.data.id)).state, "SUCCEED");
    } finally {
      await v6.stop();
    }
  });

  it("maintenance lock: a running or failed add/stop/delete blocks the next; start is not blocked", async () => {
    await addAndWait(sim);
    sim.control.failTask({ task: "Stop obproxy", times: "always" });
    const stop = await call(sim, "/api/v1/obproxy/stop", { method: "POST" });
    const blocked = await call(sim, "/api/v1/obproxy", { method: "DELETE" });
    assert.equal(blocked.status, 500);
    assert.equal(blocked.json.error.errCode, "Agent.UnderMaintenance");
    assert.equal(blocked.json.error.message, `Create task 'Delete obproxy' failed: 127.0.0.1:${sim.port} is under maintenance`);
    const failed = await waitDag(sim, stop.json.data.id);
    assert.equal(failed.state, "FAILED");
    assert.equal(failed.nodes[1].sub_tasks[0].task_logs.at(-1), "ERROR: [OBProxy.StopTimeout]: Kill OBProxy process timeout");
    assert.equal((await call(sim, "/api/v1/obproxy/stop", { method: "POST" })).json.error.errCode, "Agent.UnderMaintenance");
    assert.equal((await call(sim, "/api/v1/obproxy/start", { method: "POST" })).status, 200);
    const unfinished = (await call(sim, "/api/v1/task/dag/agent/unfinish")).json.data.contents;
    assert.ok(unfinished.some((d: any) => d.id === stop.json.data.id));
    const maint = (await call(sim, "/api/v1/task/dag/maintain/agent")).json.data;
    assert.equal(maint.id, stop.json.data.id);
    // PASS releases the lock.
    assert.equal((await call(sim, `/api/v1/task/dag/${stop.json.data.id}`, { body: { operator: "pass" } })).status, 200);
    const passed = (await call(sim, `/api/v1/task/dag/${stop.json.data.id}`)).json.data;
    assert.deepEqual([passed.state, passed.operator], ["SUCCEED", "PASS"]);
    assert.equal((await call(sim, "/api/v1/task/dags/agent")).json.data.contents.length, 3);
  });

  it("operate: retry after a once-failure succeeds, rollback refused, cancel, unknown operator", async () => {
    sim.control.failTask({ task: "Start obproxy", times: "once" });
    const r = await call(sim, "/api/v1/obproxy", { body: addBody() });
    const failed = await waitDag(sim, r.json.data.id);
    assert.match(failed.nodes[1].sub_tasks[0].task_logs.at(-1), /^ERROR: \[Common.Unexpected\]: Unexpected error: obproxy start failed: obproxy process not found on port 2883: /);
    const id = r.json.data.id;
    const rb = await call(sim, `/api/v1/task/dag/${id}`, { body: { operator: "ROLLBACK" } });
    assert.equal(rb.json.error.errCode, "Task.Dag.Operator.RollbackNotAllowed");
    assert.equal(rb.json.error.message, "Failed to set DAG rollback: node Check obproxy status cannot rollback");
    assert.equal((await call(sim, `/api/v1/task/dag/${id}`, { body: { operator: "jump" } })).json.error.errCode, "Task.Dag.Operator.NotSupport");
    assert.equal((await call(sim, `/api/v1/task/dag/${id}`, { body: {} })).json.error.errCode, "Common.BindJsonFailed");
    assert.equal((await call(sim, `/api/v1/task/dag/${id}`, { body: { operator: "retry" } })).status, 200);
    const ok = await waitDag(sim, id);
    assert.deepEqual([ok.state, ok.operator], ["SUCCEED", "RUN"]);
    assert.equal(ok.nodes[1].sub_tasks[0].execute_times, 2);
    assert.equal((await call(sim, `/api/v1/task/dag/${id}`, { body: { operator: "retry" } })).json.error.errCode, "Task.Dag.Operator.RetryNotFailedDag");
    const stop = await call(sim, "/api/v1/obproxy/stop", { method: "POST" });
    assert.equal((await call(sim, `/api/v1/task/dag/${stop.json.data.id}`, { body: { operator: "cancel" } })).status, 200);
    const c = await waitDag(sim, stop.json.data.id);
    assert.deepEqual([c.state, c.operator], ["FAILED", "CANCEL"]);
  });

  it("add validation order: managed, home path, ports, version, work mode", async () => {
    sim.control.defineMemoryHome("/missing", { exists: false });
    sim.control.defineMemoryHome("/used", { etcEntries: 2 });
    sim.control.defineMemoryHome("/old", { version: "3.2.4.0" });
    const e = async (body: object) => (await call(sim, "/api/v1/obproxy", { body })).json.error;
    assert.deepEqual(await e(addBody("/missing")), { errCode: "Common.PathNotExist", message: "invalid obproxy home path: '/missing' does not exist" });
    assert.equal((await e(addBody("/used"))).errCode, "Common.DirNotEmpty");
    assert.equal((await e(addBody("/h", { sql_port: null, parameters: { listen_port: "x" } }))).errCode, "Common.InvalidPort");
    assert.equal((await e(addBody("/old"))).errCode, "OBProxy.Version.NotSupported");
    assert.equal((await e(addBody("/h", { config_url: "" }))).errCode, "OBProxy.RsListAndConfigUrl.Conflicted");
    assert.equal((await e(addBody("/h", { rs_list: null }))).errCode, "OBProxy.RsListOrConfigUrl.NotSpecified");
    assert.equal((await e(addBody("/h", { sql_port: "2883" }))).errCode, "Common.BindJsonFailed");
    assert.equal((await e(addBody("/h", { parameters: { a: 1 } }))).errCode, "Common.BindJsonFailed");
    const bad = await call(sim, "/api/v1/obproxy", { body: addBody("/h", { parameters: { "a-b": "1" } }) });
    const d = await waitDag(sim, bad.json.data.id);
    assert.equal(d.nodes[1].sub_tasks[0].task_logs.at(-1), "ERROR: [Common.IllegalArgument]: Illegal argument: invalid parameter key: a-b");
    await call(sim, `/api/v1/task/dag/${d.id}`, { body: { operator: "pass" } });
    await addAndWait(sim, addBody("/h2"));
    assert.equal((await e(addBody("/h3"))).errCode, "OBProxy.AlreadyManaged");
  });

  it("start on an unmanaged agent: ≥4.3.1 gives a DAG that fails in node 1", async () => {
    const r = await call(sim, "/api/v1/obproxy/start", { method: "POST" });
    const d = await waitDag(sim, r.json.data.id);
    assert.equal(d.nodes[0].sub_tasks[0].task_logs.at(-1), "ERROR: [OBProxy.NotBeManaged]: This is not an OBProxy agent");
    assert.equal(d.maintenance_type, 1);
  });

  it("records the real finish time of each DAG", async () => {
    const before = Date.now();
    const d = await addAndWait(sim);
    const st = sim.control.state().dags.find((x) => x.id === d.id)!;
    assert.ok(st.finishedAtMs! >= before && st.finishedAtMs! <= Date.now());
  });
});

/**
 * The simulator calibrated to a real obshell 4.5.0.0 agent (docs/testing.md, "Real agent"): DAG timing on the
 * scheduler tick, the failures it really produces, the wire details it really has. Durations are read from the DAGs'
 * own start/end times at a reduced timeScale and compared in real-agent seconds.
 */
import { strict as assert } from "node:assert";
import { request } from "node:http";
import type { Simulator } from "../../../src/simulator";
import { SCHEDULER_TICK_MS } from "../../../src/simulator/dag-engine";
import { virtualClock, type VirtualClock } from "../../helpers/virtual-clock";
import { addBody, call, startTestSim, waitDag } from "./helpers";

/** Seconds between two Go timestamps. */
const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
const within = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= expected * tolerance, `${what}: ${actual.toFixed(2)} s, expected ${expected} s ± ${tolerance * 100}%`);

async function run(sim: Simulator, uri: string, body?: unknown, method = "POST") {
  const r = await call(sim, uri, { method, body });
  assert.equal(r.status, 200, r.text);
  return waitDag(sim, r.json.data.id, 30_000);
}

/** Runs a DAG to its end on a virtual clock at timeScale 1 and returns its detail. */
async function runVirtual(sim: Simulator, clock: VirtualClock, uri: string, body?: unknown, method = "POST") {
  const r = await call(sim, uri, { method, body });
  assert.equal(r.status, 200, r.text);
  const id = r.json.data.id;
  await clock.runUntil(() => sim.control.state().dags.some((d) => d.id === id && (d.state === "SUCCEED" || d.state === "FAILED")));
  return (await call(sim, `/api/v1/task/dag/${id}`)).json.data;
}

describe("simulator: calibrated to the real agent", function () {
  this.timeout(60_000);
  let sim: Simulator;
  afterEach(() => sim?.stop());

  it("Add ≈ 17.0 s and Delete ≈ 11.0 s at timeScale 1 (within 20%); every node ≥ 1 tick, nodes start on ticks", async () => {
    const clock = virtualClock();
    sim = await startTestSim({ timeScale: 1, clock });
    const add = await runVirtual(sim, clock, "/api/v1/obproxy", addBody());
    within(seconds(add.start_time, add.end_time), 17.0, 0.2, "Add obproxy");
    const check = add.nodes[0];
    within(seconds(check.start_time, check.end_time), 1.01, 0.2, "Check obproxy status");
    const tick = SCHEDULER_TICK_MS / 1000;
    for (const n of add.nodes) assert.ok(seconds(n.start_time, n.end_time) >= tick, `${n.name} lasts a tick at least`);
    // The next node starts at the tick after the one that saw the previous end.
    for (let i = 1; i < add.nodes.length; i++) assert.ok(seconds(add.nodes[i - 1].end_time, add.nodes[i].start_time) >= tick);
    within(seconds(add.nodes[1].start_time, add.nodes[1].end_time), 11.0, 0.2, "Start obproxy");
    const del = await runVirtual(sim, clock, "/api/v1/obproxy", undefined, "DELETE");
    within(seconds(del.start_time, del.end_time), 11.0, 0.2, "Delete obproxy");
  });

  it("tickPhaseMs places the scheduler's ticks: node starts fall that far past each whole period", async () => {
    const clock = virtualClock();
    for (const phase of [0, 400, 900]) {
      sim = await startTestSim({ timeScale: 1, clock, mode: "memory", tickPhaseMs: phase });
      const add = await runVirtual(sim, clock, "/api/v1/obproxy", addBody());
      const offsets = add.nodes.map((n: { start_time: string }) => Date.parse(n.start_time) % SCHEDULER_TICK_MS);
      for (const off of offsets) assert.ok(Math.abs(off - phase) <= 5, `phase ${phase}: node starts at ${offsets.join(", ")} ms past the period`);
      await sim.stop();
    }
  });

  it("a retried DAG gets a new start_time and end_time; start_time is reset when the engine picks it up", async () => {
    sim = await startTestSim({ timeScale: 0.01 });
    sim.control.failTask({ task: "Set proxyro password for connect", times: "once", message: "Unexpected error: boom" });
    const failed = await run(sim, "/api/v1/obproxy", addBody());
    assert.equal(failed.state, "FAILED");
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await call(sim, `/api/v1/task/dag/${failed.id}`, { body: { operator: "retry" } })).status, 200);
    const ready = (await call(sim, `/api/v1/task/dag/${failed.id}`)).json.data;
    // Until the scheduler's next tick, obshell shows time.Unix(0, 0).
    if (ready.state === "READY") assert.equal(ready.start_time, new Date(0).toISOString().replace(".000Z", "Z"));
    const ok = await waitDag(sim, failed.id);
    assert.equal(ok.state, "SUCCEED");
    assert.ok(Date.parse(ok.start_time) > Date.parse(failed.end_time), "start_time is the pick-up time of the retry");
    assert.ok(Date.parse(ok.end_time) > Date.parse(failed.end_time));
  });

  it("Start with the process gone fails at the first health check: Common.Unexpected, five log lines", async () => {
    sim = await startTestSim({ timeScale: 0.01 });
    sim.control.failTask({ task: "Start obproxy", times: "once" });
    const failed = await run(sim, "/api/v1/obproxy", addBody());
    const start = failed.nodes[1];
    const logs: string[] = start.sub_tasks[0].task_logs;
    assert.equal(logs.length, 5, logs.join("\n"));
    assert.match(logs[0]!, /^start obproxy cmd: cd '\/home\/admin\/obproxy'; \.\/bin\/obproxy -o /);
    assert.equal(logs[1], "start obproxy health check");
    assert.match(logs[2]!, /^WARN: obproxy health check failed\(retry 1\): .*dial tcp 127\.0\.0\.1:2883: connect: connection refused$/);
    assert.equal(logs[3], "WARN: no process listening on port 2883, obproxy may have exited");
    assert.match(logs[4]!, /^ERROR: \[Common\.Unexpected\]: Unexpected error: obproxy start failed: obproxy process not found on port 2883: .*connection refused$/);
    // At the first health check, 10 s after the start (plus the node's tick), not after 100 retries.
    assert.ok(seconds(start.start_time, start.end_time) / 0.01 < 30);
  });

  it("PASS on a FAILED add: SUCCEED/PASS at the failed node's stage (2)", async () => {
    sim = await startTestSim({ timeScale: 0.01 });
    sim.control.failTask({ task: "Start obproxy", times: "once", errCode: "OBProxy.HealthCheckTimeout", message: "OBProxy health check timeout" });
    const failed = await run(sim, "/api/v1/obproxy", addBody());
    assert.deepEqual([failed.state, failed.stage], ["FAILED", 2]);
    assert.equal((await call(sim, `/api/v1/task/dag/${failed.id}`, { body: { operator: "pass" } })).status, 200);
    const passed = (await call(sim, `/api/v1/task/dag/${failed.id}`)).json.data;
    assert.deepEqual([passed.state, passed.operator, passed.stage], ["SUCCEED", "PASS", 2]);
    assert.deepEqual(passed.nodes.map((n: any) => `${n.state}/${n.operator}`), ["SUCCEED/RUN", "SUCCEED/PASS", "SUCCEED/PASS", "SUCCEED/PASS"]);
  });

  it("wire: version 4.5.0.0-0, RFC 3339 times with 9 fractional digits, end_time on unfinished DAGs", async () => {
    sim = await startTestSim({ timeScale: 0.01 });
    assert.equal((await call(sim, "/api/v1/info")).json.data.version, "4.5.0.0-0");
    const r = await call(sim, "/api/v1/obproxy", { body: addBody() });
    const created = r.json.data;
    const goTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d)$/;
    assert.equal(created.state, "READY");
    assert.match(created.start_time, goTime);
    assert.match(created.end_time, goTime);
    const done = await waitDag(sim, created.id);
    for (const t of [done.start_time, done.end_time, ...done.nodes.flatMap((n: any) => [n.start_time, n.end_time])]) assert.match(t, goTime);
    assert.match((await call(sim, "/api/v1/time")).json.data, goTime);
  });

  it("answers with Content-Length, not chunked, and without a Keep-Alive header", async () => {
    sim = await startTestSim();
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      request(`${sim.url}/api/v1/info`, (res) => {
        res.resume();
        res.on("end", () => resolve(res.headers));
      }).on("error", reject).end();
    });
    assert.ok(headers["content-length"], JSON.stringify(headers));
    assert.equal(headers["transfer-encoding"], undefined);
    assert.equal(headers["keep-alive"], undefined);
  });

  it("a Delete DAG failing at its last task: isObproxyAgent=false and the next DELETE is 204 while it holds the lock", async () => {
    sim = await startTestSim({ timeScale: 0.01 });
    assert.equal((await run(sim, "/api/v1/obproxy", addBody())).state, "SUCCEED");
    sim.control.failTask({ task: "Clean obproxy dir", times: "once", message: "Unexpected error: remove run: device or resource busy" });
    const failed = await run(sim, "/api/v1/obproxy", undefined, "DELETE");
    assert.deepEqual([failed.state, failed.stage], ["FAILED", 4]);
    assert.equal((await call(sim, "/api/v1/info")).json.data.isObproxyAgent, false);
    assert.equal((await call(sim, "/api/v1/obproxy", { method: "DELETE" })).status, 204);
    const unfinished = (await call(sim, "/api/v1/task/dag/agent/unfinish")).json.data.contents;
    assert.deepEqual(unfinished.map((d: any) => d.id), [failed.id], "the FAILED Delete DAG still holds the lock");
    assert.equal((await call(sim, `/api/v1/task/dag/${failed.id}`, { body: { operator: "retry" } })).status, 200);
    assert.equal((await waitDag(sim, failed.id)).state, "SUCCEED");
  });

  it("obshell's cached OBProxy connection: after a delete, an add on another SQL port fails at Set proxyro password", async () => {
    sim = await startTestSim({ timeScale: 0.01, cachedProxyConnection: true });
    assert.equal((await run(sim, "/api/v1/obproxy", addBody("/home/admin/obproxy", { sql_port: 2883 }))).state, "SUCCEED");
    assert.equal((await run(sim, "/api/v1/obproxy", undefined, "DELETE")).state, "SUCCEED");
    const other = await run(sim, "/api/v1/obproxy", addBody("/home/admin/obproxy2", { sql_port: 3883 }));
    assert.deepEqual([other.state, other.stage], ["FAILED", 3]);
    assert.equal(other.nodes[2].sub_tasks[0].task_logs.at(-1), "ERROR: [Common.Unexpected]: Unexpected error: set obproxy user password failed: dial tcp 127.0.0.1:2883: connect: connection refused");
    assert.equal((await call(sim, `/api/v1/task/dag/${other.id}`, { body: { operator: "pass" } })).status, 200);
    assert.equal((await call(sim, "/api/v1/info")).json.data.isObproxyAgent, false);
    assert.equal((await run(sim, "/api/v1/obproxy", addBody("/home/admin/obproxy3", { sql_port: 2883 }))).state, "SUCCEED");
  });
});

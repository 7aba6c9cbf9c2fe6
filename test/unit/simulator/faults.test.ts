import { strict as assert } from "node:assert";
import { request } from "node:http";
import type { Simulator } from "../../../src/simulator";
import { addBody, call, startTestSim, waitDag } from "./helpers";

const INFO = "/api/v1/info";

/** A raw GET that reports how the connection ended. */
function rawGet(sim: Simulator, path: string): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = request(`${sim.url}${path}`, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode, body }));
      res.on("error", (e) => resolve({ status: res.statusCode, error: (e as NodeJS.ErrnoException).code ?? e.message }));
      res.on("aborted", () => resolve({ status: res.statusCode, body, error: "aborted" }));
    });
    req.on("error", (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end();
  });
}

describe("simulator: faults", () => {
  let sim: Simulator;
  beforeEach(async () => (sim = await startTestSim()));
  afterEach(() => sim.stop());

  it("delays responses", async () => {
    sim.control.delayResponses({ ms: 150, path: INFO, count: 1 });
    const t0 = Date.now();
    await rawGet(sim, INFO);
    assert.ok(Date.now() - t0 >= 140);
    const t1 = Date.now();
    await rawGet(sim, INFO);
    assert.ok(Date.now() - t1 < 140);
  });

  it("a delayed answer: the request is handled at once, even when the client gives up; stop() does not wait", async () => {
    await call(sim, "/api/v1/obproxy", { body: addBody() }).then((r) => waitDag(sim, r.json.data.id));
    sim.control.delayResponses({ ms: 400, path: "/api/v1/obproxy/stop", count: 1 });
    const aborted = await call(sim, "/api/v1/obproxy/stop", { method: "POST", signal: AbortSignal.timeout(100) }).catch((e: Error) => e);
    assert.ok(aborted instanceof Error);
    assert.equal(sim.control.state().dags.filter((d) => d.name === "Stop obproxy").length, 1);
    await new Promise((r) => setTimeout(r, 450));
    assert.equal(sim.requests().at(-1)!.fault, "client gone");
    sim.control.delayResponses({ ms: 60_000, path: INFO, count: 1 });
    void rawGet(sim, INFO);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await sim.stop();
    assert.ok(Date.now() - t0 < 2_000);
    sim = await startTestSim();
  });

  it("drops and resets connections, then serves again", async () => {
    sim.control.dropConnections({ count: 1, path: INFO });
    assert.equal((await rawGet(sim, INFO)).error, "ECONNRESET");
    sim.control.resetConnections({ count: 1 });
    assert.equal((await rawGet(sim, INFO)).error, "ECONNRESET");
    assert.equal((await rawGet(sim, INFO)).status, 200);
    assert.deepEqual(sim.requests().slice(0, 2).map((r) => r.fault), ["drop", "reset"]);
  });

  it("answers 5xx", async () => {
    sim.control.respond5xx({ status: 503, count: 2 });
    assert.equal((await rawGet(sim, INFO)).status, 503);
    assert.equal((await rawGet(sim, INFO)).status, 503);
    assert.equal((await rawGet(sim, INFO)).status, 200);
  });

  it("malformed responses: non-json, truncated, oversized, wrong envelope", async () => {
    sim.control.malformedResponses({ kind: "non-json", count: 1 });
    const nonJson = (await rawGet(sim, INFO)).body!;
    assert.throws(() => JSON.parse(nonJson));
    sim.control.malformedResponses({ kind: "truncated", count: 1 });
    assert.ok((await rawGet(sim, INFO)).error);
    sim.control.malformedResponses({ kind: "oversized", count: 1 });
    assert.ok((await rawGet(sim, INFO)).body!.length > 8_000_000);
    sim.control.malformedResponses({ kind: "wrong-envelope", count: 1 });
    assert.equal(JSON.parse((await rawGet(sim, INFO)).body!).successful, undefined);
    assert.equal(JSON.parse((await rawGet(sim, INFO)).body!).successful, true);
  });

  it("restarts the agent: connections refused meanwhile, DAGs go on", async () => {
    const add = await call(sim, "/api/v1/obproxy", { body: addBody() });
    const restarted = sim.control.restart({ downMs: 300 });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await rawGet(sim, INFO)).error, "ECONNREFUSED");
    await restarted;
    assert.equal((await waitDag(sim, add.json.data.id)).state, "SUCCEED");
  });

  it("stop() while the agent is down for a restart: the listener stays closed, the restart resolves", async () => {
    const restarted = sim.control.restart({ downMs: 60_000 });
    await new Promise((r) => setTimeout(r, 30));
    const t0 = Date.now();
    await sim.stop();
    await restarted;
    assert.ok(Date.now() - t0 < 2_000);
    assert.equal((await rawGet(sim, INFO)).error, "ECONNREFUSED");
    sim = await startTestSim();
  });

  it("skews the agent clock: Ts expiry and /time follow it", async () => {
    sim.control.skewClock(120_000);
    const r = await call(sim, "/api/v1/obproxy/stop", { method: "POST", tsOffsetSec: 60 });
    assert.equal(r.json.error.errCode, "Security.Authentication.Expired");
    assert.equal((await call(sim, "/api/v1/obproxy/stop", { method: "POST", tsOffsetSec: 200 })).json.error.errCode, "OBProxy.NotBeManaged");
  });

  it("fails a task always, with a custom errCode and message; fate claimed at creation", async () => {
    sim.control.failTask({ task: "Persist obproxy info", times: "always", errCode: "Gorm.NoRowAffected", message: "obproxy_info: no row affected" });
    const r = await call(sim, "/api/v1/obproxy", { body: addBody() });
    sim.control.clearFaults(); // the DAG keeps its fate
    const id = r.json.data.id;
    let d = await waitDag(sim, id);
    assert.equal(d.nodes[3].sub_tasks[0].task_logs.at(-1), "ERROR: [Gorm.NoRowAffected]: obproxy_info: no row affected");
    await call(sim, `/api/v1/task/dag/${id}`, { body: { operator: "retry" } });
    d = await waitDag(sim, id);
    assert.equal(d.state, "FAILED");
  });

  it("takes faults over HTTP (/__sim/faults, /__sim/state, /__sim/requests, /__sim/reset)", async () => {
    const auth = { "x-sim-control-token": sim.controlToken };
    const post = (p: string, b: unknown) => fetch(`${sim.url}${p}`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(b) });
    assert.equal((await post("/__sim/faults", { status5xx: { status: 502, count: 1 }, failTasks: [{ task: "Start obproxy" }] })).status, 200);
    assert.equal((await rawGet(sim, INFO)).status, 502);
    const state = (await (await fetch(`${sim.url}/__sim/state`, { headers: auth })).json()) as any;
    assert.equal(state.faults.failTasks[0].task, "Start obproxy");
    const reqs = (await (await fetch(`${sim.url}/__sim/requests`, { headers: auth })).json()) as any[];
    assert.equal(reqs[0].status, 502);
    await post("/__sim/agent-password", { password: null });
    assert.equal((await call(sim, "/api/v1/obproxy/stop", { method: "POST" })).json.error.errCode, "Security.Authentication.AgentPasswordNotInitialized");
    await post("/__sim/reset", {});
    assert.equal((await call(sim, "/api/v1/obproxy/stop", { method: "POST" })).json.error.errCode, "OBProxy.NotBeManaged");
    assert.equal((await fetch(`${sim.url}/__sim/nope`, { headers: auth })).status, 404);
  });

  it("caps huge bodies: answers, then keeps serving", async () => {
    const small = await startTestSim({ maxBodyBytes: 1024 });
    try {
      const r = await call(small, "/api/v1/obproxy", { rawBody: "x".repeat(100_000), plainBody: true });
      assert.equal(r.json.error.errCode, "Request.Body.ReadFailed");
      assert.equal((await rawGet(small, INFO)).status, 200);
    } finally {
      await small.stop();
    }
  });
});

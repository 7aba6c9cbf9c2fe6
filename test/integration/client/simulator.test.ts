/** The client's OBProxy and DAG flows against the simulator (the protocol reference). */
import assert from "node:assert/strict";
import {
  isDagFailedError, isDagTimeoutError, isObshellApiError, isNetworkError, isResponseShapeError, isRequestTimeoutError, type DagDetail, type DagProgress,
} from "../../../src/obshell";
import { rejects } from "../../helpers/secrets";
import { HOME, addAndWait, simFixture } from "../../helpers/sim-client";

const deadline = (ms = 20_000) => Date.now() + ms;
const dagOf = (a: { kind: "dag"; dag: DagDetail } | { kind: "not-managed" }): DagDetail => (a.kind === "dag" ? a.dag : assert.fail("no DAG"));

describe("client ↔ simulator: OBProxy and DAG flows", function () {
  this.timeout(30_000);
  const fx = simFixture();
  afterEach(() => fx.closeAll());

  it("delete → DAG → SUCCEED with progress through 4 stages; then 204 → not-managed", async () => {
    const { client } = await fx.start();
    await addAndWait(client);
    const answer = await client.deleteObproxy();
    assert.equal(answer.kind, "dag");
    const seen: DagProgress[] = [];
    const done = await client.waitForDag(dagOf(answer).id, { deadline: deadline(), onProgress: (p) => seen.push(p) });
    assert.equal(done.state, "SUCCEED");
    // Each observed change is reported once; the prediction may sleep through the short stages.
    assert.equal(seen[0].stage, 1);
    assert.ok(seen.every((p, i) => i === 0 || p.stage >= seen[i - 1].stage));
    assert.match(seen.at(-1)!.message, /^stage 4\/4: Clean obproxy dir \(SUCCEED, \d+\.\ds\)$/);
    assert.ok(seen.every((p, i) => i === 0 || p.elapsedMs >= seen[i - 1].elapsedMs));
    assert.deepEqual(await client.deleteObproxy(), { kind: "not-managed" });
    assert.equal((await client.getInfo()).isObproxyAgent, false);
  });

  for (const version of ["4.5.0.0", "4.3.0.0"]) {
    it(`under maintenance (${version}): the hint names the DAG holding the lock; RETRY frees it`, async () => {
      const { sim, client } = await fx.start({ version });
      await addAndWait(client);
      sim.control.failTask({ task: "Stop obproxy", dag: "Stop obproxy" });
      const stop = await client.stopObproxy();
      const failed = await rejects(client.waitForDag(stop.id, { deadline: deadline() }), isDagFailedError);
      assert.equal(failed.failedTask, "Stop obproxy");
      assert.equal(failed.errCode, "OBProxy.StopTimeout");
      assert.match(failed.hint, /operateDag\("4\d+", "RETRY"\)/);
      await rejects(client.deleteObproxy(), (e) => isObshellApiError(e) && /another OBProxy task/.test(e.hint ?? "") && (e.hint ?? "").includes(stop.id));
      assert.equal((await client.findObproxyMaintenanceDag())?.id, stop.id);
      await client.operateDag(stop.id, "RETRY");
      assert.equal((await client.waitForDag(stop.id, { deadline: deadline() })).state, "SUCCEED");
      assert.equal(await client.findObproxyMaintenanceDag(), undefined);
    });
  }

  it("a cancelled DAG → DagFailedError saying so", async () => {
    const { client } = await fx.start({ timeScale: 0.2 });
    await addAndWait(client);
    const stop = await client.stopObproxy();
    let cancelled: Promise<void> | undefined;
    const onProgress = (p: DagProgress) => void (p.taskName === "Stop obproxy" && (cancelled ??= client.operateDag(stop.id, "CANCEL")));
    const e = await rejects(client.waitForDag(stop.id, { deadline: deadline(), onProgress }), isDagFailedError);
    await cancelled;
    assert.equal(e.operator, "CANCEL");
    assert.match(e.message, /was cancelled/);
    assert.match(e.hint, /cancelled/);
  });

  it("times out at the deadline with the stage, without cancelling the DAG", async () => {
    const { sim, client } = await fx.start({ timeScale: 0.2 });
    await addAndWait(client);
    const stop = await client.stopObproxy();
    const e = await rejects(client.waitForDag(stop.id, { deadline: Date.now() + 400 }), isDagTimeoutError);
    assert.equal(e.dagId, stop.id);
    assert.ok(e.stage >= 1 && e.maxStage === 2);
    assert.equal((await client.waitForDag(stop.id, { deadline: deadline() })).state, "SUCCEED");
    assert.ok(!sim.requests().some((r) => r.path.startsWith(`/api/v1/task/dag/${stop.id}`) && r.method === "POST"), "never operated on");
  });

  it("waitForDag rides out an agent restart", async () => {
    const { sim, client } = await fx.start({ timeScale: 0.2 });
    await addAndWait(client);
    const answer = await client.deleteObproxy();
    const wait = client.waitForDag(dagOf(answer).id, { deadline: deadline() });
    await sim.control.restart({ downMs: 700 });
    assert.equal((await wait).state, "SUCCEED");
  });

  it("uploads a package and upgrades to it", async () => {
    const { client } = await fx.start();
    await addAndWait(client);
    const arch = (await client.getInfo()).architecture ?? "x86_64";
    const pkg = await client.uploadObproxyPackage({ filename: `obproxy-ce-4.3.3.0-5.el7.${arch}.rpm`, data: Buffer.from("rpm bytes") });
    assert.deepEqual([pkg.Name, pkg.Version, pkg.Release, pkg.Distribution], ["obproxy-ce", "4.3.3.0", "5", "el7"]);
    const up = await client.upgradeObproxy({ version: "4.3.3.0", release: "5.el7" });
    assert.equal((await client.waitForDag(up.id, { deadline: deadline() })).max_stage, 10);
    await rejects(client.upgradeObproxy({ version: "4.3.3.0", release: "5.el7" }), (e) => isObshellApiError(e) && e.errCode === "OBProxy.UpgradeToLowerVersion");
  });

  it("already managed → the adopt hint; the DAG is readable with and without details", async () => {
    const { client } = await fx.start();
    const add = await client.addObproxy({ home_path: HOME, rs_list: "127.0.0.1:2881" });
    await client.waitForDag(add.id, { deadline: deadline() });
    await rejects(client.addObproxy({ home_path: HOME, rs_list: "127.0.0.1:2881" }), (e) => isObshellApiError(e) && /adopt/.test(e.hint ?? ""));
    assert.equal((await client.getDag(add.id, { showDetails: false })).nodes, null);
    assert.equal((await client.getDag(add.id)).nodes?.length, 4);
    assert.equal((await client.getLastMaintenanceDag())?.id, add.id);
  });

  describe("hostile answers (simulator faults)", () => {
    it("reads retry 503s, drops and resets; a DAG-creating POST is sent once", async () => {
      const { sim, client } = await fx.start();
      await addAndWait(client);
      sim.control.respond5xx({ status: 503, count: 1, path: "/api/v1/task/dag/agent" });
      sim.control.dropConnections({ count: 1, path: "/api/v1/task/dag/agent" });
      sim.control.resetConnections({ count: 1, path: "/api/v1/task/dag/agent" });
      assert.deepEqual(await client.getUnfinishedDags(), []);
      sim.control.respond5xx({ status: 503, count: 1, path: "/api/v1/obproxy/stop" });
      await rejects(client.stopObproxy(), (e) => isObshellApiError(e) && e.status === 503);
      sim.control.resetConnections({ count: 1, path: "/api/v1/obproxy/stop" });
      await rejects(client.stopObproxy(), (e) => isNetworkError(e) && e.kind === "reset" && e.message.includes(sim.url));
      assert.equal(sim.requests().filter((r) => r.path === "/api/v1/obproxy/stop").length, 2);
    });

    for (const kind of ["non-json", "truncated", "oversized", "wrong-envelope"] as const) {
      it(`${kind} → a typed error (a cut-off read is retried, the others are not)`, async () => {
        const { sim, client } = await fx.start();
        sim.control.malformedResponses({ kind, count: 10, path: "/api/v1/info" });
        if (kind === "truncated") await rejects(client.getInfo(), (e) => isNetworkError(e) && e.kind === "reset");
        else await rejects(client.getInfo(), isResponseShapeError);
        sim.control.clearFaults();
        const attempts = sim.requests().filter((r) => r.path === "/api/v1/info").length;
        assert.equal(attempts, kind === "truncated" ? 4 : 1);
        assert.equal((await client.getInfo()).version, "4.5.0.0-0");
      });
    }

    it("a POST that times out is not resent; the DAG it created is found as the lock holder", async () => {
      const { sim, client } = await fx.start();
      await addAndWait(client);
      // The DAG fails, so it keeps obshell's lock and stays findable.
      sim.control.failTask({ task: "Stop obproxy", dag: "Stop obproxy" });
      sim.control.delayResponses({ ms: 600, count: 1, path: "/api/v1/obproxy/stop" });
      await rejects(client.stopObproxy({ timeoutMs: 200 }), (e) => isRequestTimeoutError(e) && e.message.includes(sim.url));
      // obshell goes on with a request whose client left; wait until the simulator has too.
      const stops = () => sim.control.state().dags.filter((d) => d.name === "Stop obproxy");
      for (let i = 0; i < 50 && !stops().some((d) => d.state === "FAILED"); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(stops().length, 1, "created once, never resent");
      // (The simulator does not log a request whose client left before the answer.)
      assert.ok(sim.requests().filter((r) => r.path === "/api/v1/obproxy/stop").length <= 1);
      assert.equal((await client.findObproxyMaintenanceDag())?.id, stops()[0].id);
    });
  });
});

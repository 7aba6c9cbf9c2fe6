/**
 * The simulator plays a shared, faulty agent: a second party adding and deleting on the same agent, an operator
 * passing or retrying a failed DAG at once, and an agent that answers never (silent) or one byte at a time.
 */
import { strict as assert } from "node:assert";
import { request } from "node:http";
import type { Simulator } from "../../../src/simulator";
import { startTestSim } from "./helpers";

const THEIRS = { home_path: "/opt/theirs", rs_list: "127.0.0.1:2881" };

async function settled(sim: Simulator, id: string) {
  for (let i = 0; i < 500; i++) {
    const d = sim.control.state().dags.find((x) => x.id === id);
    if (d && (d.isFinished || d.state === "FAILED")) return d;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`DAG ${id} did not settle`);
}

/** A GET that gives up after `ms`: how far the answer got by then. */
function getWithin(sim: Simulator, path: string, ms: number): Promise<{ status?: number; bytes: number; gaveUp: boolean }> {
  return new Promise((resolve) => {
    let bytes = 0;
    let status: number | undefined;
    const req = request(`${sim.url}${path}`, (res) => {
      status = res.statusCode;
      res.on("data", (c: Buffer) => (bytes += c.length));
      res.on("end", () => (clearTimeout(t), resolve({ status, bytes, gaveUp: false })));
    });
    const t = setTimeout(() => (req.destroy(), resolve({ status, bytes, gaveUp: true })), ms);
    req.on("error", () => undefined);
    req.end();
  });
}

describe("simulator: a shared agent, an operator and a silent agent", () => {
  let sim: Simulator;
  beforeEach(async () => (sim = await startTestSim({ mode: "memory", timeScale: 0.01 })));
  afterEach(() => sim.stop());

  it("a second party adds at its own home and deletes, through the add route's checks and obshell's lock", async () => {
    const added = await sim.control.partyAddObproxy(THEIRS);
    assert.ok(added.ok && added.dagId);
    const refused = await sim.control.partyAddObproxy({ ...THEIRS, home_path: "/opt/other" });
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.errCode, "Agent.UnderMaintenance");
    assert.equal((await settled(sim, added.dagId!)).state, "SUCCEED");
    assert.equal(sim.control.state().obproxy?.homePath, "/opt/theirs");
    assert.equal(sim.control.state().dags.find((d) => d.id === added.dagId)?.homePath, "/opt/theirs");
    const deleted = await sim.control.partyDeleteObproxy();
    assert.ok(deleted.ok && deleted.dagId);
    await settled(sim, deleted.dagId!);
    assert.equal(sim.control.state().managed, false);
    assert.deepEqual(await sim.control.partyDeleteObproxy(), { ok: true, noContent: true });
  });

  it("an operator passes a failed DAG at once: SUCCEED with operator PASS, the skipped tasks never ran", async () => {
    sim.control.failTask({ task: "Start obproxy", dag: "Add obproxy", then: "pass" });
    const added = await sim.control.partyAddObproxy(THEIRS);
    const d = await settled(sim, added.ok ? added.dagId! : "");
    assert.equal(d.state, "SUCCEED");
    assert.equal(d.operator, "PASS");
    assert.equal(d.nodes?.find((n) => n.name === "Persist obproxy info")?.operator, "PASS");
    assert.equal(sim.control.state().managed, false, "Persist obproxy info was passed, not run");
  });

  it("an operator retries a failed DAG in process (operateDag), as obshell's console would", async () => {
    sim.control.failTask({ task: "Start obproxy", dag: "Add obproxy" });
    const added = await sim.control.partyAddObproxy(THEIRS);
    const id = added.ok ? added.dagId! : "";
    assert.equal((await settled(sim, id)).state, "FAILED");
    assert.deepEqual(await sim.control.operateDag(id, "retry"), { ok: true });
    for (let i = 0; i < 300 && sim.control.state().dags.find((x) => x.id === id)?.state !== "SUCCEED"; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(sim.control.state().obproxy?.homePath, "/opt/theirs");
    const bad = await sim.control.operateDag(id, "pass");
    assert.equal(bad.ok, false, "PASS of a DAG that did not fail is refused");
  });

  it("a silent agent accepts the connection and never answers", async () => {
    sim.control.silence({ count: 1 });
    const r = await getWithin(sim, "/api/v1/info", 300);
    assert.equal(r.gaveUp, true);
    assert.equal(r.status, undefined);
    assert.equal((await getWithin(sim, "/api/v1/info", 2_000)).status, 200, "only the counted requests are silent");
  });

  it("a slow-loris agent sends its answer one byte at a time", async () => {
    sim.control.slowLoris({ byteEveryMs: 50, count: 1 });
    const r = await getWithin(sim, "/api/v1/info", 400);
    assert.equal(r.status, 200);
    assert.equal(r.gaveUp, true);
    assert.ok(r.bytes > 0 && r.bytes < 20, `${r.bytes} bytes in 400 ms`);
  });

  it("takes the second party and the operator over HTTP (/__sim/party/…, /__sim/operate-dag)", async () => {
    const headers = { "Content-Type": "application/json", "x-sim-control-token": sim.controlToken };
    const post = (p: string, b: unknown) => fetch(`${sim.url}${p}`, { method: "POST", headers, body: JSON.stringify(b) });
    const added = (await (await post("/__sim/party/add-obproxy", { params: THEIRS })).json()) as { dagId: string };
    assert.ok(added.dagId);
    const op = await post("/__sim/operate-dag", { dagId: added.dagId, operator: "pass" });
    assert.equal(op.status, 400, "PASS of a running DAG is refused with obshell's status");
    await settled(sim, added.dagId);
    assert.equal((await post("/__sim/party/delete-obproxy", {})).status, 200);
  });
});

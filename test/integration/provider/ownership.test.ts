/**
 * DAG ownership on a shared agent: a DAG this resource did not start is never ours — never resumed as ours, never
 * the reason for a DELETE or POST — and destroy says plainly when ours is already gone.
 */
import assert from "node:assert/strict";
import type { Simulator } from "../../../src/simulator";
import { OBPROXY_DAGS } from "../../../src/obshell/schemas";
import { capturingLifecycle, inputsFor, rejection, startSim } from "./fixture";

const THEIR_HOME = "/opt/second-party/obproxy";

/** Polls the simulator until `ok` (bounded). */
async function until(sim: Simulator, ok: (s: ReturnType<Simulator["control"]["state"]>) => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (ok(sim.control.state())) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The second party adds its OBProxy at its own home; resolves with the DAG id once it runs. */
async function theirAdd(sim: Simulator): Promise<string> {
  const r = await sim.control.partyAddObproxy({ home_path: THEIR_HOME, rs_list: "127.0.0.1:2881", sql_port: 3883, rpc_port: 3885, exporter_port: 3884 });
  assert.ok(r.ok && r.dagId, JSON.stringify(r));
  return r.dagId!;
}

/** Our OBProxy removed out of band (someone's DELETE), waited until done. */
async function loseOursOutOfBand(sim: Simulator): Promise<void> {
  const r = await sim.control.partyDeleteObproxy();
  assert.ok(r.ok && r.dagId, JSON.stringify(r));
  await until(sim, (s) => s.dags.some((d) => d.id === r.dagId && d.isFinished) && !s.managed, "the out-of-band delete");
}

/** DELETE /api/v1/obproxy requests after `mark` that obshell accepted (a Delete DAG was created). */
function acceptedDeletesSince(sim: Simulator, mark: number): number {
  return sim.requests().slice(mark).filter((r) => r.method === "DELETE" && r.path.split("?")[0] === "/api/v1/obproxy" && r.status === 200).length;
}

describe("provider: DAGs this resource did not start are never ours", function () {
  this.timeout(60_000);
  let sim: Simulator;

  beforeEach(async () => {
    // Slow enough that another party's add is still running while our destroy or create runs.
    sim = await startSim({ mode: "memory", timeScale: 0.15 });
  });
  afterEach(async () => {
    await sim.stop();
  });

  it("destroy never sends a DELETE because of another party's running Add DAG: ours is already gone, theirs survives", async () => {
    const { lifecycle, lines } = capturingLifecycle();
    const { id, outs } = await lifecycle.create(await inputsFor(sim, { homePath: "/opt/ours/obproxy" }));
    await loseOursOutOfBand(sim);
    const theirs = await theirAdd(sim);
    const mark = sim.requests().length;
    await lifecycle.delete(id, outs);
    assert.equal(acceptedDeletesSince(sim, mark), 0, "no DELETE reached obshell");
    const said = lines.join("\n");
    assert.match(said, /another OBProxy is being added on this agent/);
    assert.match(said, /ours is already gone/);
    assert.ok(said.includes(theirs), said);
    assert.doesNotMatch(said, /OBProxy deleted/);
    await until(sim, (s) => s.dags.some((d) => d.id === theirs && d.isFinished), "their add");
    assert.equal(sim.control.state().obproxy?.homePath, THEIR_HOME, "the other party's OBProxy is still managed");
  });

  it("destroy never deletes the OBProxy another party added after ours was gone", async () => {
    const { lifecycle, lines } = capturingLifecycle();
    const { id, outs } = await lifecycle.create(await inputsFor(sim, { homePath: "/opt/ours/obproxy" }));
    await loseOursOutOfBand(sim);
    const theirs = await theirAdd(sim);
    await until(sim, (s) => s.dags.some((d) => d.id === theirs && d.isFinished) && s.managed, "their add");
    const mark = sim.requests().length;
    await lifecycle.delete(id, outs);
    assert.equal(acceptedDeletesSince(sim, mark), 0, "no DELETE reached obshell");
    assert.match(lines.join("\n"), /ours is already gone/);
    assert.equal(sim.control.state().obproxy?.homePath, THEIR_HOME);
  });

  it("create never resumes another party's running Add DAG as ours, and keeps nothing in state", async () => {
    const { lifecycle } = capturingLifecycle();
    const theirs = await theirAdd(sim);
    const err = await rejection(lifecycle.create(await inputsFor(sim, { homePath: "/opt/ours/obproxy" })));
    assert.equal(err.code, "ForeignDag", err.message);
    assert.equal(err.dagId, theirs);
    assert.match(err.message, /another OBProxy was added on this agent/);
    assert.equal(err.properties, undefined, "nothing kept in state: this resource added nothing");
    assert.equal(sim.control.state().obproxy?.homePath, THEIR_HOME);
    const ourAdds = sim.control.state().dags.filter((d) => d.name === OBPROXY_DAGS.add.name && d.homePath === "/opt/ours/obproxy");
    assert.equal(ourAdds.length, 0);
  });

  it("continuing a half-done create never takes another party's OBProxy as ours", async () => {
    const { lifecycle } = capturingLifecycle();
    sim.control.failTask({ task: "Start obproxy", dag: "Add obproxy", times: "once" });
    const inputs = await inputsFor(sim, { homePath: "/opt/ours/obproxy" });
    const failed = await rejection(lifecycle.create(inputs));
    assert.equal(failed.properties.lastDag.state, "FAILED");
    // An operator passes our failed add in obshell's console (nothing is managed after it), then another party adds.
    const passed = await sim.control.operateDag(failed.properties.lastDag.id, "pass");
    assert.ok(passed.ok, JSON.stringify(passed));
    const theirs = await theirAdd(sim);
    await until(sim, (s) => s.dags.some((d) => d.id === theirs && d.isFinished) && s.managed, "their add");
    const err = await rejection(lifecycle.update(failed.id, failed.properties, inputs));
    assert.ok(err.code === "ForeignDag" || err.code === "DagPassed", `${err.code}: ${err.message}`);
    assert.equal(sim.control.state().obproxy?.homePath, THEIR_HOME);
  });

  it("after a lost answer, create never follows an Add DAG that started before its request as its own", async () => {
    const slow = await startSim({ mode: "memory", timeScale: 0.4 });
    try {
      const { lifecycle, lines } = capturingLifecycle();
      const theirs = await theirAdd(slow);
      // Their add runs for seconds; ours is sent well after it started, and its answer is lost.
      await new Promise((r) => setTimeout(r, 3_000));
      slow.control.dropConnections({ count: 1, path: "/api/v1/obproxy" });
      const err = await rejection(lifecycle.create(await inputsFor(slow, { homePath: "/opt/ours/obproxy" })));
      assert.notEqual(err.properties?.lastDag?.id, theirs, "their DAG was not recorded as ours");
      assert.ok(lines.some((l) => l.includes(theirs) && /not ours/.test(l)), lines.join("\n"));
      assert.ok(!lines.some((l) => l.includes(`following Add obproxy DAG ${theirs}`)), lines.join("\n"));
    } finally {
      await slow.stop();
    }
  });

  it("destroy never deletes the OBProxy another party added even when state recorded their Add DAG as ours (its log names their home)", async () => {
    // What a create that lost its answer while another party added may leave: their Add DAG recorded as our lastDag.
    const { lifecycle, lines } = capturingLifecycle();
    const ours = await inputsFor(sim, { homePath: "/opt/ours/obproxy" });
    const theirs = await theirAdd(sim);
    await until(sim, (s) => s.dags.some((d) => d.id === theirs && d.isFinished) && s.managed, "their add");
    const recorded = { ...ours, managed: true, adopted: false, running: true, sqlPort: 2883, rpcPort: 2885, exporterPort: 2884, lastDag: { id: theirs, name: OBPROXY_DAGS.add.name, state: "SUCCEED", operator: "RUN" } };
    const mark = sim.requests().length;
    await lifecycle.delete("agent", recorded);
    assert.equal(acceptedDeletesSince(sim, mark), 0, "no DELETE reached obshell");
    assert.equal(sim.control.state().managed, true, "their OBProxy is still managed");
    assert.match(lines.join("\n"), /another OBProxy is being added on this agent .*ours is already gone/);
  });
});

/**
 * The delete's done-check (nothing managed, no Delete DAG in flight) rides along with the poll the schedule places on
 * the Delete DAG's predicted end, instead of one round trip after it; when those early reads fail or predate the
 * end in a way that proves nothing, the check is read again after the end. The simulator ticks (timeScale 0.2:
 * a 202 ms engine tick), so the client learns the tick and predicts the end.
 */
import assert from "node:assert/strict";
import { OBSHELL_TASK_MIN_DURATIONS_MS } from "../../../src/obshell";
import { createLifecycle } from "../../../src/provider/lifecycle";
import type { Simulator } from "../../../src/simulator";
import { inputsFor, requestsTo, startSim } from "./fixture";

const SCALE = 0.2;

function tickingLifecycle(lines: string[]) {
  const scaled = Object.fromEntries(Object.entries(OBSHELL_TASK_MIN_DURATIONS_MS).map(([k, ms]) => [k, ms * SCALE]));
  return createLifecycle({ sink: (l) => lines.push(l), clientOptions: { taskMinDurationsMs: scaled } });
}

/** When (simulator clock) the last Delete DAG finished. */
function deleteFinishedAt(sim: Simulator): number {
  const dag = sim.control.state().dags.filter((d) => d.name === "Delete obproxy").at(-1);
  assert.ok(dag?.finishedAtMs, "a finished Delete DAG");
  return dag.finishedAtMs;
}

describe("delete: the done-check alongside the poll expected to see the end", function () {
  this.timeout(60_000);
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSim({ timeScale: SCALE, mode: "memory" });
  });
  afterEach(() => sim.stop());

  it("is sent with that poll, not after its answer", async () => {
    const lines: string[] = [];
    const lifecycle = tickingLifecycle(lines);
    const { id, outs } = await lifecycle.create(await inputsFor(sim, { homePath: "/opt/done-check/a" }));
    const from = sim.requests().length;
    await lifecycle.delete(id, outs);
    const finished = deleteFinishedAt(sim);
    const window = sim.requests().slice(from);
    const polls = window.filter((r) => r.method === "GET" && /^\/api\/v1\/task\/dag\/\d/.test(r.path));
    const seenEnd = polls.find((r) => r.receivedAt >= finished);
    assert.ok(seenEnd, "a poll after the end");
    assert.equal(polls.at(-1), seenEnd, "the first poll after the end was the last");
    const check = window.filter((r) => r.path === "/api/v1/info" || r.path.startsWith("/api/v1/task/dag/agent/unfinish"));
    assert.ok(check.length >= 2, "the done-check read /api/v1/info and the unfinished DAGs");
    const late = check.filter((r) => r.receivedAt > seenEnd.time);
    assert.deepEqual(late.map((r) => `${r.path} received ${r.receivedAt - seenEnd.time} ms after the poll was answered`), []);
    assert.ok(lines.some((l) => /OBProxy deleted/.test(l)), lines.join("\n"));
    assert.equal(sim.control.state().managed, false);
  });

  it("is read again after the end when the early reads fail", async () => {
    const lines: string[] = [];
    const lifecycle = tickingLifecycle(lines);
    const { id, outs } = await lifecycle.create(await inputsFor(sim, { homePath: "/opt/done-check/b" }));
    const before = requestsTo(sim, "GET", "/api/v1/info").length;
    // Every /api/v1/info read before the DAG's end fails: the early ones prove nothing, the one after the end decides.
    sim.control.respond5xx({ status: 503, count: 3, path: "/api/v1/info" });
    await lifecycle.delete(id, outs);
    const infos = requestsTo(sim, "GET", "/api/v1/info").slice(before);
    assert.ok(infos.some((r) => r.status === 503), "an early read failed");
    assert.equal(infos.at(-1)!.status, 200, "the deciding read succeeded");
    assert.ok(infos.at(-1)!.time >= deleteFinishedAt(sim), "and was answered after the end");
    assert.ok(lines.some((l) => /OBProxy deleted/.test(l)), lines.join("\n"));
    assert.equal(sim.control.state().managed, false);
  });
});

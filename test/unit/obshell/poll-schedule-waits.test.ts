import assert from "node:assert/strict";
import { waitForDag } from "../../../src/obshell/dag";
import { DAG_ID } from "../../helpers/dags";
import { fakeClock } from "../../helpers/fake-clock";
import { scriptedWaitDeps } from "../../helpers/wait-deps";
import { REAL_DELETE, tickDagAt, tickSchedule, type TickAgentNode } from "../../helpers/tick-agent";

/** Waits for a DAG on a ticking agent (fake clock); returns the poll times and the lag, relative to the DAG's end. */
async function waitOnTickAgent(nodes: TickAgentNode[], phase: number, createdOffset: number, skewMs = 0, tickMs = 1_000, endOnTick = false) {
  const clock = fakeClock();
  const created = clock.now() + createdOffset;
  clock.t = created;
  const times = tickSchedule(created + skewMs, phase, nodes, tickMs, endOnTick);
  const deps = scriptedWaitDeps(clock, (elapsed) => tickDagAt("Delete obproxy", nodes, created + skewMs, times, created + elapsed + skewMs), skewMs);
  const dag = await waitForDag(deps, DAG_ID, { deadline: created + 120_000 });
  const end = times.at(-1)!.end - skewMs;
  return { dag, polls: deps.polls, lagMs: clock.now() - end, dagMs: end - created };
}

describe("poll schedule on obshell's real timing (1 s engine tick, nodes ≥ 1 s)", () => {
  it("sees an 11 s Delete DAG end within 100 ms, with at most one poll per second, for any tick phase", async () => {
    for (const phase of [0, 130, 490, 870, 999]) {
      for (const created of [0, 250, 640]) {
        const r = await waitOnTickAgent(REAL_DELETE, phase, created);
        assert.equal(r.dag.state, "SUCCEED");
        assert.ok(r.lagMs >= 0 && r.lagMs <= 100, `phase ${phase} created +${created}: lag ${r.lagMs}`);
        assert.ok(r.polls.length <= r.dagMs / 1_000, `phase ${phase}: ${r.polls.length} polls in ${r.dagMs} ms`);
        assert.ok(r.polls.length <= 12, `${r.polls.length} polls: ${r.polls.map((p) => p - r.polls[0]!).join(",")}`);
      }
    }
  });

  it("keeps that on a 1.01 s tick whose ticks also mark node ends (the calibrated simulator's engine)", async () => {
    const work = REAL_DELETE.map((n) => ({ ...n, ms: n.name === "Stop obproxy" ? 5_000 : 100 }));
    for (const phase of [0, 333, 777]) {
      const r = await waitOnTickAgent(work, phase, 120, 0, 1_010, true);
      assert.ok(r.lagMs >= 0 && r.lagMs <= 100, `phase ${phase}: lag ${r.lagMs}`);
      assert.ok(r.polls.length <= r.dagMs / 1_000, `phase ${phase}: ${r.polls.length} polls in ${r.dagMs} ms`);
    }
  });

  it("keeps that with the agent clock 30 s ahead (skew-corrected start times)", async () => {
    const r = await waitOnTickAgent(REAL_DELETE, 420, 100, 30_000);
    assert.ok(r.lagMs <= 100, `lag ${r.lagMs}`);
    assert.ok(r.polls.length <= 12, `polls ${r.polls.length}`);
  });

  it("a node outliving its minimum (a slow Stop) is still seen soon after, without a fast-poll tail", async () => {
    const slowStop = REAL_DELETE.map((n) => (n.name === "Stop obproxy" ? { ...n, ms: 6_400 } : n));
    const r = await waitOnTickAgent(slowStop, 200, 0);
    assert.ok(r.lagMs <= 100, `lag ${r.lagMs}`);
    // The 1.4 s overrun costs a short backoff (50 ms, then growing) on top of one poll per node; the one cap on
    // predicted sleeps (dag.ts: a PENDING node's minimum is not trusted beyond 3 s) adds one more.
    assert.ok(r.polls.length <= r.dagMs / 1_000 + 3, `${r.polls.length} polls in ${r.dagMs} ms: ${r.polls.map((x) => x - r.polls[0]!).join(",")}`);
  });
});

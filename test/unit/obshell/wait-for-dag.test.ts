import assert from "node:assert/strict";
import { waitForDag, type DagProgress } from "../../../src/obshell/dag";
import { NetworkError, isConfigError, isDagFailedError, isDagTimeoutError, isNetworkError } from "../../../src/obshell/errors";
import type { DagDetail } from "../../../src/obshell/schemas";
import { fakeClock } from "../../helpers/fake-clock";
import { scriptedWaitDeps as deps } from "../../helpers/wait-deps";
import { DAG_ID, deleteDag } from "../../helpers/dags";
import { rejects } from "../../helpers/secrets";

const iso = (ms: number) => new Date(ms).toISOString();

/** A delete DAG timeline: check 0–200 ms, stop 200–5200 ms (start_time on the agent clock), then done. */
function deleteTimeline(t0: number, agentOffset = 0) {
  return (e: number): DagDetail => {
    if (e < 200) return deleteDag(1, "RUNNING");
    if (e < 5_200) return deleteDag(2, "RUNNING", { start: iso(t0 + 200 + agentOffset) });
    if (e < 5_300) return deleteDag(3, "RUNNING");
    return deleteDag(4, "SUCCEED");
  };
}

describe("waitForDag", () => {
  it("returns the DAG on SUCCEED, reporting each change once with stage text", async () => {
    const clock = fakeClock();
    const d = deps(clock, deleteTimeline(clock.now()));
    const seen: DagProgress[] = [];
    const dag = await waitForDag(d, DAG_ID, { deadline: clock.now() + 60_000, onProgress: (p) => seen.push(p) });
    assert.equal(dag.state, "SUCCEED");
    assert.deepEqual(seen.map((p) => `${p.stage}/${p.maxStage} ${p.taskName} ${p.state}`), [
      "1/4 Check obproxy status RUNNING",
      "2/4 Stop obproxy RUNNING",
      "3/4 Delete obproxy RUNNING",
      "4/4 Clean obproxy dir SUCCEED",
    ]);
    assert.match(seen[1].message, /^stage 2\/4: Stop obproxy \(RUNNING, \d+\.\ds\)$/);
  });

  it("predicts the Stop obproxy end: sees it within 150 ms, at under one poll per second", async () => {
    const clock = fakeClock();
    const d = deps(clock, deleteTimeline(clock.now()));
    await waitForDag(d, DAG_ID, { deadline: clock.now() + 60_000 });
    const doneSeen = d.polls[d.polls.length - 1];
    assert.ok(doneSeen - 5_300 <= 150, `lag ${doneSeen - 5_300}`);
    assert.ok(d.polls.length <= 6 + 1, `polls ${d.polls.length}: ${d.polls.join(",")}`);
    assert.ok(clock.sleeps.some((s) => s > 4_000), "slept through the stop");
  });

  it("polls the quick tail after the stop every 100 ms: the end is seen within ~100 ms", async () => {
    const clock = fakeClock();
    const t0 = clock.now();
    const d = deps(clock, (e) => {
      if (e < 5_200) return deleteDag(2, "RUNNING", { start: iso(t0 + 200) });
      if (e < 5_650) return deleteDag(3, "RUNNING");
      if (e < 6_130) return deleteDag(4, "RUNNING");
      return deleteDag(4, "SUCCEED");
    });
    await waitForDag(d, DAG_ID, { deadline: clock.now() + 60_000 });
    assert.ok(d.polls.at(-1)! - 6_130 <= 100, `lag ${d.polls.at(-1)! - 6_130}`);
    assert.ok(d.polls.length <= 16, `polls ${d.polls.length}: ${d.polls.join(",")}`);
  });

  it("corrects a skewed agent start_time with the measured skew", async () => {
    const clock = fakeClock();
    // The agent clock runs 30 s ahead; without correction the stop would look finished already.
    const d = deps(clock, deleteTimeline(clock.now(), 30_000), 30_000);
    await waitForDag(d, DAG_ID, { deadline: clock.now() + 60_000 });
    assert.ok(clock.sleeps.some((s) => s > 4_000), `sleeps ${clock.sleeps.join(",")}`);
  });

  it("throws DagFailedError with the failure summary", async () => {
    const clock = fakeClock();
    const d = deps(clock, (e) => (e < 300 ? deleteDag(2, "RUNNING") : deleteDag(2, "FAILED", { logs: ["ERROR: [OBProxy.StopTimeout]: Kill OBProxy process timeout"] })));
    await rejects(waitForDag(d, DAG_ID, { deadline: clock.now() + 60_000 }), (e: unknown) => isDagFailedError(e) && e.errCode === "OBProxy.StopTimeout" && e.failedTask === "Stop obproxy");
  });

  it("times out at the deadline with the last stage, never later, without cancelling", async () => {
    const clock = fakeClock();
    const start = clock.now();
    const d = deps(clock, () => deleteDag(2, "RUNNING", { start: iso(start) }));
    await rejects(waitForDag(d, DAG_ID, { deadline: start + 3_000 }), (e: unknown) => {
      assert.ok(isDagTimeoutError(e));
      assert.equal(e.stage, 2);
      assert.equal(e.taskName, "Stop obproxy");
      assert.equal(e.lastDag?.id, DAG_ID);
      return true;
    });
    assert.ok(clock.now() <= start + 3_000);
  });

  it("rides out an unreachable agent until it answers again", async () => {
    const clock = fakeClock();
    const refused = new NetworkError("http://127.0.0.1:2886", "refused", "refused");
    const d = deps(clock, (e) => (e < 200 ? deleteDag(2, "RUNNING") : e < 8_000 ? refused : deleteDag(4, "SUCCEED")));
    const dag = await waitForDag(d, DAG_ID, { deadline: clock.now() + 60_000 });
    assert.equal(dag.state, "SUCCEED");
  });

  it("ends unreachable at the deadline with DagTimeoutError carrying the last failure", async () => {
    const clock = fakeClock();
    const refused = new NetworkError("http://127.0.0.1:2886", "refused", "refused");
    const d = deps(clock, () => refused);
    await rejects(waitForDag(d, DAG_ID, { deadline: clock.now() + 5_000 }), (e: unknown) => isDagTimeoutError(e) && e.cause === refused);
  });

  it("honours the abort signal", async () => {
    const clock = fakeClock();
    const ctl = new AbortController();
    clock.onSleep = () => ctl.abort();
    const d = deps(clock, () => deleteDag(1, "RUNNING"));
    await rejects(waitForDag(d, DAG_ID, { deadline: clock.now() + 60_000, signal: ctl.signal }), (e: unknown) => isNetworkError(e) && e.kind === "aborted");
  });

  it("rejects a malformed DAG id without a request", async () => {
    const clock = fakeClock();
    const d = deps(clock, () => deleteDag(1, "RUNNING"));
    await rejects(waitForDag(d, "4123", { deadline: clock.now() + 1 }), isConfigError);
    await rejects(waitForDag(d, "../../x", { deadline: clock.now() + 1 }), isConfigError);
    assert.equal(d.polls.length, 0);
  });
});

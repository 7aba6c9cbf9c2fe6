/**
 * waitForDag started from the answer that created the DAG (`initial`): no read of it at once, the first poll when
 * its first node can have ended; anything but a DAG not yet picked up is read at once as before.
 */
import assert from "node:assert/strict";
import { waitForDag } from "../../../src/obshell/dag";
import { OBSHELL_TASK_MIN_DURATIONS_MS, POLL } from "../../../src/obshell/poll-schedule";
import type { DagDetail } from "../../../src/obshell/schemas";
import { fakeClock } from "../../helpers/fake-clock";
import { scriptedWaitDeps as deps } from "../../helpers/wait-deps";
import { DAG_ID, dag, deleteDag } from "../../helpers/dags";

/** The creating answer: READY, stage 1, `nodes: null` (protocol: the answer that creates a DAG). */
const created = (): DagDetail => dag({ state: "READY", stage: 1, nodes: null });

describe("waitForDag from the creating answer", () => {
  it("first polls when the first node can have ended, not at once", async () => {
    const clock = fakeClock();
    const d = deps(clock, (e) => (e < 1_500 ? deleteDag(1, "RUNNING") : deleteDag(4, "SUCCEED")));
    const progress: string[] = [];
    await waitForDag(d, DAG_ID, { deadline: clock.now() + 60_000, initial: created(), onProgress: (p) => progress.push(p.message) });
    assert.equal(d.polls[0], OBSHELL_TASK_MIN_DURATIONS_MS["Check obproxy status"]! + POLL.afterMs, `first poll at ${d.polls[0]} ms`);
    assert.match(progress[0]!, /^stage 1\/4: Check obproxy status \(READY/, "the creating answer is reported as the first progress");
  });

  it("reads at once a DAG that is not the one waited for, or already picked up", async () => {
    for (const initial of [{ ...created(), id: "42130706433376999" }, deleteDag(2, "RUNNING")]) {
      const clock = fakeClock();
      const d = deps(clock, () => deleteDag(4, "SUCCEED"));
      await waitForDag(d, DAG_ID, { deadline: clock.now() + 60_000, initial });
      assert.deepEqual(d.polls, [0]);
    }
  });

  it("still honours the deadline before its first poll", async () => {
    const clock = fakeClock();
    const d = deps(clock, () => deleteDag(1, "RUNNING"));
    await assert.rejects(waitForDag(d, DAG_ID, { deadline: clock.now() + 400, initial: created() }), (e: Error) => e.name === "DagTimeoutError");
    assert.ok(clock.now() - Date.UTC(2026, 4, 11, 10, 0, 0) <= 400, "no sleep past the deadline");
  });
});

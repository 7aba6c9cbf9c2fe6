import assert from "node:assert/strict";
import { PREDICTION_CEILING_MS, capSleep, waitForDag } from "../../../src/obshell/dag";
import { OBSHELL_TASK_MIN_DURATIONS_MS } from "../../../src/obshell/poll-schedule";
import { fakeClock } from "../../helpers/fake-clock";
import { scriptedWaitDeps as deps } from "../../helpers/wait-deps";
import { DAG_ID, deleteDag } from "../../helpers/dags";

describe("predicted sleeps are capped", () => {
  it("a start_time an hour in the future never makes waitForDag sleep past the task's minimum plus the ceiling", async () => {
    const clock = fakeClock();
    const hourAhead = new Date(clock.now() + 3_600_000).toISOString();
    // The agent's clock is wrong only in start_time: the Stop runs, and the DAG succeeds 1 s into the wait.
    const d = deps(clock, (e) => (e < 1_000 ? deleteDag(2, "RUNNING", { start: hourAhead }) : deleteDag(4, "SUCCEED")));
    const dag = await waitForDag(d, DAG_ID, { deadline: clock.now() + 10_000 });
    assert.equal(dag.state, "SUCCEED");
    const cap = OBSHELL_TASK_MIN_DURATIONS_MS["Stop obproxy"]! + PREDICTION_CEILING_MS;
    assert.ok(Math.max(...clock.sleeps) <= cap, `slept ${Math.max(...clock.sleeps)} ms, cap ${cap} ms`);
    assert.ok(d.polls.at(-1)! < 10_000, `success seen at ${d.polls.at(-1)} ms, before the 10 s deadline`);
  });

  it("every sleep is capped by the time left, the running task's minimum plus the ceiling, and a known maximum", () => {
    assert.equal(capSleep(3_600_000, { left: 10_000, runningTaskMinMs: 5_000 }), 5_000 + PREDICTION_CEILING_MS);
    assert.equal(capSleep(3_600_000, { left: 2_000, runningTaskMinMs: 5_000 }), 2_000);
    assert.equal(capSleep(3_600_000, { left: 60_000 }), PREDICTION_CEILING_MS);
    assert.equal(capSleep(7_000, { left: 60_000, runningTaskMinMs: 10_000, taskMaxMs: 4_000 }), 4_000);
    assert.equal(capSleep(150, { left: 60_000, runningTaskMinMs: 10_000 }), 150);
    assert.equal(capSleep(150, { left: -5 }), 0);
  });
});

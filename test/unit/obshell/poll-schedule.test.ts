import assert from "node:assert/strict";
import { POLL, nextPollDelay } from "../../../src/obshell/poll-schedule";

const T = 1_000_000;

describe("poll schedule", () => {
  it("polls quickly right after a change", () => {
    const d = nextPollDelay({ now: T, lastChangeAt: T, random: 0.5 });
    assert.ok(d >= 100 && d <= 250, String(d));
  });

  it("backs off with the quiet time, capped at 2 s", () => {
    assert.equal(nextPollDelay({ now: T + 1_000, lastChangeAt: T, random: 0.5 }), 600);
    assert.equal(nextPollDelay({ now: T + 60_000, lastChangeAt: T, random: 0.99 }), POLL.capMs);
  });

  it("jitters by ±20 %", () => {
    assert.equal(nextPollDelay({ now: T + 2_000, lastChangeAt: T, random: 0 }), 960);
    assert.equal(nextPollDelay({ now: T + 2_000, lastChangeAt: T, random: 0.999 }), 1440);
  });

  it("sleeps until shortly before a predicted end", () => {
    assert.equal(nextPollDelay({ now: T, lastChangeAt: T, earliestDoneAt: T + 10_000, random: 0.5 }), 10_000 - POLL.leadMs);
  });

  it("polls every 100 ms around the predicted end, then backs off from it", () => {
    assert.equal(nextPollDelay({ now: T + 9_900, lastChangeAt: T, earliestDoneAt: T + 10_000, random: 0.5 }), POLL.nearMs);
    assert.equal(nextPollDelay({ now: T + 11_000, lastChangeAt: T, earliestDoneAt: T + 10_000, random: 0.5 }), POLL.nearMs);
    const after = nextPollDelay({ now: T + 12_000, lastChangeAt: T, earliestDoneAt: T + 10_000, random: 0.5 });
    assert.equal(after, 1_200);
  });

  it("averages at most one poll per second over a 10 s task without prediction", () => {
    let now = T;
    let polls = 0;
    while (now < T + 10_000) {
      now += nextPollDelay({ now, lastChangeAt: T, random: 0.5 });
      polls++;
    }
    assert.ok(polls <= 11, `polls=${polls}`);
  });

  it("sees a predicted 10 s task end within 150 ms using few polls", () => {
    const end = T + 10_000;
    let now = T;
    let polls = 0;
    while (now < end) {
      now += nextPollDelay({ now, lastChangeAt: T, earliestDoneAt: end, random: 0.5 });
      polls++;
    }
    assert.ok(now - end <= 150, `lag=${now - end}`);
    assert.ok(polls <= 4, `polls=${polls}`);
  });
});

describe("poll schedule: quick tail", () => {
  it("polls every 100 ms for 2 s after the last change once only quick tasks are left, then backs off", () => {
    assert.equal(nextPollDelay({ now: T + 50, lastChangeAt: T, quickTail: true, random: 0.5 }), POLL.tailMs);
    assert.equal(nextPollDelay({ now: T + 1_900, lastChangeAt: T, quickTail: true, random: 0.5 }), POLL.tailMs);
    assert.equal(nextPollDelay({ now: T + 2_500, lastChangeAt: T, quickTail: true, random: 0.5 }), 1_500);
  });

  it("knows which DAG stages are a quick tail", async () => {
    const { isQuickTail } = await import("../../../src/obshell/dag");
    const { OBSHELL_TASK_MIN_DURATIONS_MS } = await import("../../../src/obshell/poll-schedule");
    const { deleteDag, dag } = await import("../../helpers/dags");
    const mins = OBSHELL_TASK_MIN_DURATIONS_MS;
    assert.deepEqual([1, 2, 3, 4].map((st) => isQuickTail(deleteDag(st, "RUNNING"), mins)), [false, false, true, true]);
    // Prediction turned off: Stop obproxy is still long.
    assert.equal(isQuickTail(deleteDag(2, "RUNNING"), {}), false);
    assert.equal(isQuickTail(deleteDag(4, "SUCCEED"), mins), false);
    assert.equal(isQuickTail(dag({ name: "Some other DAG", state: "RUNNING", stage: 2, maxStage: 2, nodes: null }), mins), false);
    const upgrade = (stage: number) => dag({ name: "Upgrade obproxy", state: "RUNNING", stage, maxStage: 10, nodes: null });
    assert.deepEqual([8, 9, 10].map((st) => isQuickTail(upgrade(st), mins)), [false, false, true]);
  });
});

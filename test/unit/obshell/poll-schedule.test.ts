import assert from "node:assert/strict";
import {
  OBSHELL_TASK_MIN_DURATIONS_MS as MINS,
  POLL,
  dagTimeline,
  earliestNextEnd,
  expectsDagEnd,
  learnExtraMs,
  learnTick,
  nextPollDelay,
  tickAtOrAfter,
  planPollDelay,
  type DagTimeline,
} from "../../../src/obshell/poll-schedule";
import { deleteDag } from "../../helpers/dags";
import { REAL_DELETE, tickDagAt, tickSchedule } from "../../helpers/tick-agent";

const T = Date.UTC(2026, 4, 11, 10, 0, 0);

/** A Delete timeline on a 1 s tick at phase 300 ms, created at T + 50. */
function realDelete(atMs: number, skewMs = 0): DagTimeline {
  const times = tickSchedule(T + 50, 300, REAL_DELETE);
  return dagTimeline(tickDagAt("Delete obproxy", REAL_DELETE, T + 50, times, atMs), skewMs)!;
}

describe("poll schedule: backoff fallback", () => {
  it("polls quickly right after a change, backs off with the quiet time, capped at 2 s", () => {
    assert.equal(nextPollDelay({ now: T, lastChangeAt: T, random: 0.5 }), POLL.firstMs);
    assert.equal(nextPollDelay({ now: T + 1_000, lastChangeAt: T, random: 0.5 }), 600);
    assert.equal(nextPollDelay({ now: T + 60_000, lastChangeAt: T, random: 0.99 }), POLL.capMs);
  });

  it("jitters by ±20 % and backs off from a missed prediction rather than from the last change", () => {
    assert.equal(nextPollDelay({ now: T + 2_000, lastChangeAt: T, random: 0 }), 960);
    assert.equal(nextPollDelay({ now: T + 2_000, lastChangeAt: T, random: 0.999 }), 1440);
    assert.equal(nextPollDelay({ now: T + 10_050, lastChangeAt: T, missedPredictionAt: T + 10_000, random: 0.5 }), POLL.missedFloorMs);
    assert.equal(nextPollDelay({ now: T + 11_000, lastChangeAt: T, missedPredictionAt: T + 10_000, random: 0.5 }), 600);
  });
});

describe("poll schedule: what obshell's timing tells", () => {
  it("every OBProxy task has a node's minimum; Start and Stop their sleeps", () => {
    assert.equal(MINS["Check obproxy status"], 1_000);
    assert.equal(MINS["Clean obproxy dir"], 1_000);
    assert.equal(MINS["Wait hot restart obproxy finish"], 1_000);
    assert.equal(MINS["Start obproxy"], 10_000);
    assert.equal(MINS["Stop obproxy"], 5_000);
  });

  it("learns the engine tick from picked-up starts on one grid, not from one start or scattered ones", () => {
    assert.deepEqual(learnTick(realDelete(T + 400)), { periodMs: 1_000, originMs: T + 300 }, "DAG start and node 1 start on the tick");
    assert.deepEqual(learnTick(realDelete(T + 3_000)), { periodMs: 1_000, originMs: T + 300 }, "node 2 two ticks later");
    assert.equal(learnTick(realDelete(T + 100)), undefined, "nothing picked up yet");
    const scattered: DagTimeline = { state: "RUNNING", stage: 2, nodes: [{ name: "a", state: "SUCCEED", startMs: T + 10, endMs: T + 40 }, { name: "b", state: "RUNNING", startMs: T + 540 }] };
    assert.equal(learnTick(scattered), undefined);
    const tick = { periodMs: 1_000, originMs: T + 300 };
    assert.equal(tickAtOrAfter(T + 1_350, tick), T + 2_300);
    assert.equal(tickAtOrAfter(T + 300, tick), T + 300);
  });

  it("learns a period other than 1 s from starts a few ticks apart, and predicts ends seen on ticks", () => {
    const times = tickSchedule(T + 50, 300, REAL_DELETE, 1_010, true);
    const t = dagTimeline(tickDagAt("Delete obproxy", REAL_DELETE, T + 50, times, times[1]!.start + 100), 0)!;
    const tick = learnTick(t)!;
    assert.ok(Math.abs(tick.periodMs - 1_010) < 1, String(tick.periodMs));
    // Stop (5 s) ends on the first tick after 5 s: 5 periods = 5050 ms after its start.
    assert.ok(Math.abs(earliestNextEnd(t, MINS, times[1]!.start + 100)! - (times[1]!.start + 5_050)) < 1);
    assert.equal(times[1]!.end, times[1]!.start + 5_050);
  });

  it("learns the agent's overhead beyond the minimums from finished nodes (median, capped)", () => {
    assert.equal(learnExtraMs(realDelete(T + 400), MINS), 0);
    assert.equal(learnExtraMs(realDelete(T + 3_000), MINS), 10, "Check took 1.01 s");
    const slow: DagTimeline = { state: "RUNNING", stage: 2, nodes: [{ name: "Check obproxy status", state: "SUCCEED", startMs: T, endMs: T + 9_000 }, { name: "Stop obproxy", state: "RUNNING", startMs: T + 9_000 }] };
    assert.equal(learnExtraMs(slow, MINS, undefined), POLL.maxLearnedExtraMs);
  });

  it("predicts the end of the RUNNING node from its start, its minimum and the learned overhead", () => {
    // Stop obproxy picked up at T+2300 (Check ran 300–1310).
    assert.equal(earliestNextEnd(realDelete(T + 3_000), MINS, T + 3_000), T + 2_300 + 5_000 + 10);
  });

  it("between nodes, the next one starts on the next tick at the earliest", () => {
    // At T+1311 Check (300–1310) is done and Stop not picked up: the next tick is T+2300.
    const between = realDelete(T + 1_311);
    assert.equal(between.nodes[1]!.state, "PENDING");
    assert.equal(earliestNextEnd(between, MINS, T + 1_311), T + 2_300 + 5_000 + 10);
    // A new DAG (nothing picked up, phase unknown): the pick-up may come at once.
    assert.equal(earliestNextEnd(realDelete(T + 100), MINS, T + 100), T + 100 + 1_000);
  });

  it("corrects agent times by the skew", () => {
    // Read 30 s ahead on the agent clock: its start_time is 30 s ahead too, and the prediction lands on our clock.
    const times = tickSchedule(T + 30_050, 300, REAL_DELETE);
    const skewed = dagTimeline(tickDagAt("Delete obproxy", REAL_DELETE, T + 30_050, times, T + 33_000), 30_000)!;
    assert.equal(earliestNextEnd(skewed, MINS, T + 3_000), T + 2_300 + 5_000 + 10);
  });

  it("a Stop that found no process ends at once: predicted with the shortest minimum", () => {
    const t: DagTimeline = { state: "RUNNING", stage: 2, nodes: [{ name: "Check obproxy status", state: "SUCCEED" }, { name: "Stop obproxy", state: "RUNNING", startMs: T, endsAtOnce: true }] };
    assert.equal(earliestNextEnd(t, MINS, T), T + 1_000);
  });

  it("nothing predictable (no minimum, agent times reset, no details): the backoff", () => {
    const unknown = deleteDag(2, "RUNNING", { start: "1970-01-01T00:00:00Z" });
    assert.equal(earliestNextEnd(dagTimeline(unknown, 0)!, MINS, T), undefined);
    assert.equal(earliestNextEnd(dagTimeline(deleteDag(2, "RUNNING", { start: new Date(T).toISOString() }), 0)!, {}, T), undefined);
    assert.equal(planPollDelay({ now: T + 1_000, lastChangeAt: T, random: 0.5, mins: MINS }), 600);
  });

  it("scales the nominal tick with the minimums (a sped-up simulator) and caps the wait after a miss at the next tick", () => {
    const scaled = Object.fromEntries(Object.entries(MINS).map(([k, v]) => [k, v * 0.3]));
    const times = tickSchedule(T + 50, 300, REAL_DELETE.map((n) => ({ ...n, ms: n.ms * 0.3 })), 303, true);
    const t = dagTimeline(tickDagAt("Delete obproxy", REAL_DELETE, T + 50, times, times[1]!.start + 50), 0)!;
    assert.ok(Math.abs(learnTick(t, 300)!.periodMs - 303) < 1);
    // Long after Stop's predicted end, the next poll is no later than just after the next tick.
    const late = times[1]!.start + 4_000;
    const d = planPollDelay({ now: late, lastChangeAt: times[1]!.start, random: 0.5, timeline: t, mins: scaled });
    assert.ok(d <= 303 + POLL.afterMs, String(d));
  });

  it("polls just after the predicted end, and backs off from it once missed", () => {
    const t = realDelete(T + 3_000);
    assert.equal(planPollDelay({ now: T + 3_000, lastChangeAt: T + 3_000, random: 0.5, timeline: t, mins: MINS }), 2_300 + 5_010 + POLL.afterMs - 3_000);
    const late = T + 2_300 + 5_010 + POLL.afterMs + 500;
    assert.equal(planPollDelay({ now: late, lastChangeAt: T + 3_000, random: 0.5, timeline: t, mins: MINS }), Math.round(Math.max(POLL.missedFloorMs, (late - (T + 7_310)) * POLL.quietFactor)));
  });
  it("tells which poll is placed on the DAG's predicted end (its last node's), and only while that is ahead", () => {
    const plan = (atMs: number, now = atMs) => ({ now, lastChangeAt: atMs, random: 0.5, timeline: realDelete(atMs), mins: MINS });
    assert.equal(expectsDagEnd(plan(T + 3_000)), false, "Stop obproxy running: its end is not the DAG's");
    assert.equal(expectsDagEnd(plan(T + 9_500)), true, "between the last two nodes: the next poll is on the last one's end");
    assert.equal(expectsDagEnd(plan(T + 10_500)), true, "the last node running");
    assert.equal(expectsDagEnd(plan(T + 10_500, T + 11_310 + POLL.afterMs + 100)), false, "its predicted end has passed: the backoff polls");
    assert.equal(expectsDagEnd({ now: T, lastChangeAt: T, random: 0.5, mins: MINS }), false, "nothing read yet");
  });
});

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

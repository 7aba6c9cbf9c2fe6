import assert from "node:assert/strict";
import { DEFAULT_TIMEOUTS_MS, formatDuration, parseDuration, timeoutMs } from "../../../src/provider/durations";

describe("provider durations", () => {
  it("parses duration strings and seconds", () => {
    assert.equal(parseDuration("20m"), 1_200_000);
    assert.equal(parseDuration("90s"), 90_000);
    assert.equal(parseDuration("1h30m"), 5_400_000);
    assert.equal(parseDuration("500ms"), 500);
    assert.equal(parseDuration("1.5m"), 90_000);
    assert.equal(parseDuration(45), 45_000);
    assert.equal(parseDuration("45"), 45_000);
  });

  it("rejects garbage, zero, negatives and more than a day", () => {
    for (const v of ["", "m", "20x", "-5s", "0s", 0, -1, Number.NaN, Infinity, "25h", 90_000, "1h 30m", "1e3s"]) {
      assert.equal(parseDuration(v as never), undefined, String(v));
    }
  });

  it("defaults above obshell's own bounds", () => {
    assert.equal(timeoutMs(undefined, "create"), 25 * 60_000);
    assert.equal(timeoutMs({}, "update"), 25 * 60_000);
    assert.equal(timeoutMs({ create: "1m" }, "delete"), DEFAULT_TIMEOUTS_MS.delete);
    assert.equal(timeoutMs({ delete: "2m" }, "delete"), 120_000);
  });

  it("formats durations for messages", () => {
    assert.equal(formatDuration(900_000), "15m");
    assert.equal(formatDuration(5_430_000), "1h30m30s");
    assert.equal(formatDuration(250), "250ms");
  });
});

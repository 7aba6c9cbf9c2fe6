/**
 * A small seeded chaos run (bench/chaos, the engine of `npm run chaos`): 20 fault schedules, create → destroy
 * through the provider against the simulator, every invariant held. The seed is fixed so a failure reproduces with
 * `npm run chaos -- --seed 20250601 --count 20`.
 */
import { strict as assert } from "node:assert";
import { isClean, runChaos, summaryLine } from "../../../bench/chaos/run";

const SEED = 20250601;
const COUNT = 20;

describe("chaos: seeded fault schedules against the provider", function () {
  this.timeout(120_000);

  it(`${COUNT} schedules (seed ${SEED}): no hang, lateness past the deadline, duplicate DAG, request caused by a DAG we did not start, "deleted" while managed, leak, secret, untyped error or failed recovery`, async () => {
    const summary = await runChaos({ seed: SEED, count: COUNT, concurrency: 5 });
    const details = summary.failures.map((f) => `${f.schedule}\n  ${f.violations.map((v) => `${v.kind}: ${v.detail}`).join("\n  ")}`);
    assert.ok(isClean(summary), `${summaryLine(summary)}\n${details.join("\n")}`);
    assert.equal(summary.schedules, COUNT);
    // The faults must actually have bitten, or the run proves nothing.
    assert.ok(summary.outcomes.faultRequests > 0, "no request was faulted");
  });
});

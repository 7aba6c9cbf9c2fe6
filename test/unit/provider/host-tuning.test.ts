/**
 * host-tuning.ts: set at run time, the semi-space growth factor keeps V8's young generation at its initial size under
 * the allocation pattern of a fleet destroy (many young objects surviving a scavenge), and the opt-out leaves V8
 * alone. Each case runs in a fresh Node process: the flag is process-wide.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";

const MODULE = path.join(__dirname, "..", "..", "..", "src", "provider", "host-tuning.ts");

/** The young generation's size (MB) after 1 s of survival-heavy allocation, and tuneHostGc's answer. */
function youngGenerationAfterChurn(env: Record<string, string>): { mb: number; applied: boolean } {
  const script = `
    const v8 = require("node:v8");
    const applied = require(${JSON.stringify(MODULE)}).tuneHostGc(process.env);
    const ring = new Array(300000);
    let i = 0;
    const end = Date.now() + 1000;
    while (Date.now() < end) for (let k = 0; k < 10000; k++) ring[i++ % ring.length] = { a: i, b: [i], c: "x" + i };
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
    process.stdout.write(JSON.stringify({ mb: young.space_size / 1048576, applied }));
  `;
  const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 30_000 });
  return JSON.parse(out) as { mb: number; applied: boolean };
}

describe("host tuning: the provider processes' young generation", function () {
  this.timeout(60_000);

  it("stays at its initial size when tuned, and grows as V8 likes with PULUMI_OBPROXY_V8_TUNING=off", () => {
    const tuned = youngGenerationAfterChurn({ PULUMI_OBPROXY_V8_TUNING: "" });
    const untouched = youngGenerationAfterChurn({ PULUMI_OBPROXY_V8_TUNING: "off" });
    assert.equal(tuned.applied, true);
    assert.equal(untouched.applied, false);
    assert.ok(tuned.mb <= 4, `tuned: ${tuned.mb} MB`);
    assert.ok(untouched.mb >= 4 * tuned.mb, `untouched ${untouched.mb} MB vs tuned ${tuned.mb} MB: the churn did grow it`);
  });
});

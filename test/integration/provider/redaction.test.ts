/**
 * Issue 9, item 6: no secret in any part of an error that leaves the provider — message, stack, the `cause` chain,
 * task logs carried as fields — as `util.inspect(err)` and `console.error(err)` print them; and a password-like
 * `parameters` value counts as a secret. The state the engine keeps (`properties`) still holds the real values.
 */
import assert from "node:assert/strict";
import { formatWithOptions, inspect } from "node:util";
import type { Simulator } from "../../../src/simulator";
import { PROXYRO_PASSWORD, SYS_PASSWORD, capturingLifecycle, inputsFor, rejection, startSim } from "./fixture";

const PARAM_SECRET = "Param-secret-5d1e77";

/** Every text a user may see of an error: inspect (as console.error prints it, and deep), stack and each cause. */
function views(err: unknown): string[] {
  const out = [formatWithOptions({}, "%s", err), formatWithOptions({ colors: false }, err), inspect(err, { depth: Infinity })];
  for (let cur: unknown = err, depth = 0; cur instanceof Error && depth < 10; cur = cur.cause, depth++) {
    out.push(cur.message, String(cur.stack), JSON.stringify({ ...cur }));
  }
  return out;
}

describe("provider error redaction against the simulator", function () {
  this.timeout(60_000);
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(async () => {
    await sim.stop();
  });

  it("an error leaving the provider holds no secret in message, stack, cause chain or task-log fields; state keeps the values", async () => {
    const { lifecycle, lines } = capturingLifecycle();
    const inputs = await inputsFor(sim, { parameters: { ssl_password: PARAM_SECRET } });
    // obshell's task log echoes whatever failed: here a password and a parameter value (the worst case).
    const echo = `bad credentials proxyro=${PROXYRO_PASSWORD} sys=${SYS_PASSWORD} ssl_password=${PARAM_SECRET}`;
    sim.control.failTask({ task: "Start obproxy", times: "once", message: echo });
    const err = await rejection(lifecycle.create(inputs));
    assert.equal(err.code, "DagFailed");
    assert.ok(err.cause instanceof Error, "the client's DagFailedError is kept as the cause");
    for (const text of [...views(err), ...lines]) {
      for (const secret of [PROXYRO_PASSWORD, SYS_PASSWORD, PARAM_SECRET]) assert.ok(!text.includes(secret), `leaks ${secret}:\n${text}`);
    }
    assert.match(inspect(err, { depth: Infinity }), /proxyro=\*\*\*/, "the cause's task logs are there, redacted");
    // The engine stores `properties` as the resource's outputs: they must keep the real values (secret in state).
    assert.equal(err.properties.proxyroPassword, PROXYRO_PASSWORD);
    assert.equal(err.properties.parameters.ssl_password, PARAM_SECRET);
  });
});

/**
 * Issue 9, item 8: the simulator's control plane (`/__sim/*`) cannot be driven from a web page — it needs the
 * control token in a header and a JSON body, refuses anything a browser sends (Origin, text/plain) — and
 * `GET /__sim/state` shows no secret-derived value.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import type { Simulator } from "../../../src/simulator";
import { addBody, call, startTestSim, waitDag } from "../../unit/simulator/helpers";

const SYS_PASSWORD = "Sys-ctl-pw-77a1";
const PARAM_VALUE = "param-value-e4c2";

describe("simulator control plane", () => {
  let sim: Simulator;
  beforeEach(async () => (sim = await startTestSim()));
  afterEach(() => sim.stop());

  const json = (token?: string) => ({ "content-type": "application/json", ...(token ? { "x-sim-control-token": token } : {}) });

  it("a web page cannot drive /__sim/*: no token, a wrong token, text/plain or an Origin header are refused and change nothing", async () => {
    const body = JSON.stringify({ password: null });
    const attempts: [string, RequestInit][] = [
      // What a page can send without a CORS preflight: a text/plain POST, with the browser's Origin.
      ["text/plain cross-origin", { method: "POST", headers: { "content-type": "text/plain", origin: "https://evil.example" }, body }],
      ["text/plain with the token", { method: "POST", headers: { "content-type": "text/plain", "x-sim-control-token": sim.controlToken }, body }],
      ["no token", { method: "POST", headers: json(), body }],
      ["wrong token", { method: "POST", headers: json("x".repeat(sim.controlToken.length)), body }],
      ["token but browser Origin", { method: "POST", headers: { ...json(sim.controlToken), origin: sim.url }, body }],
      ["token but Sec-Fetch-Site", { method: "POST", headers: { ...json(sim.controlToken), "sec-fetch-site": "same-origin" }, body }],
    ];
    for (const [what, init] of attempts) {
      const r = await fetch(`${sim.url}/__sim/agent-password`, init);
      assert.ok([401, 403, 415].includes(r.status), `${what}: ${r.status}`);
      assert.equal(sim.control.state().agentPasswordSet, true, `${what} unset the password`);
    }
    assert.equal((await fetch(`${sim.url}/__sim/state`)).status, 401, "state needs the token too");
    const ok = await fetch(`${sim.url}/__sim/agent-password`, { method: "POST", headers: json(sim.controlToken), body });
    assert.equal(ok.status, 200);
    assert.equal(sim.control.state().agentPasswordSet, false);
  });

  it("each simulator has its own random control token, or the one given", async () => {
    const other = await startTestSim();
    const fixed = await startTestSim({ controlToken: "fixed-token-for-ci-0123" });
    try {
      assert.ok(sim.controlToken.length >= 32);
      assert.notEqual(other.controlToken, sim.controlToken);
      assert.equal(fixed.controlToken, "fixed-token-for-ci-0123");
      assert.equal((await fetch(`${fixed.url}/__sim/state`, { headers: { "x-sim-control-token": sim.controlToken } })).status, 401);
    } finally {
      await other.stop();
      await fixed.stop();
    }
  });

  it("GET /__sim/state shows no secret-derived value: no sys password sha1, no parameter value", async () => {
    const r = await call(sim, "/api/v1/obproxy", { body: addBody(undefined, { obproxy_sys_password: SYS_PASSWORD, parameters: { ssl_password: PARAM_VALUE } }) });
    assert.equal(r.status, 200, r.text);
    const dag = await waitDag(sim, r.json.data.id);
    assert.equal(dag.state, "SUCCEED");
    const sha1 = createHash("sha1").update(SYS_PASSWORD).digest("hex");
    // The agent API (behind obshell's auth) logs the start command line like obshell does.
    assert.ok(JSON.stringify(dag).includes(sha1), "the agent's own task log is unchanged");
    const text = await (await fetch(`${sim.url}/__sim/state`, { headers: { "x-sim-control-token": sim.controlToken } })).text();
    for (const secret of [sha1, SYS_PASSWORD, PARAM_VALUE]) assert.ok(!text.includes(secret), `state shows ${secret}`);
    assert.match(text, /ssl_password=\*\*\*/, "keys are kept, values hidden");
    assert.ok(!JSON.stringify(sim.control.state()).includes(sha1), "the in-process view too");
  });
});

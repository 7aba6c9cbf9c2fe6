/** How add's synchronous checks answer on each agent generation (§4.1, Appendix A; obshell 737982a…61ee147). */
import { strict as assert } from "node:assert";
import type { Simulator } from "../../../src/simulator";
import { addBody, call, startTestSim, waitDag } from "./helpers";

const add = async (sim: Simulator, home: string) => (await call(sim, "/api/v1/obproxy", { body: addBody(home) })).json;

describe("simulator: add per version generation", () => {
  const sims: Simulator[] = [];
  const sim = async (version: string) => {
    const s = await startTestSim({ version });
    sims.push(s);
    s.control.defineMemoryHome("/el7", { build: "2.el7" });
    s.control.defineMemoryHome("/missing", { exists: false });
    return s;
  };
  afterEach(async () => Promise.all(sims.splice(0).map((s) => s.stop())));

  it("a build with a suffix (2.el7) is only accepted from 4.4.0.0", async () => {
    const banner = "obproxy (OceanBase 4.3.2.0 2.el7)\n\nREVISION: 2-local-0d6d8b6e2b7c1f3a\nBUILD_TIME: Jan  1 2025 00:00:00\nBUILD_FLAGS: RelWithDebInfo\n";
    assert.deepEqual((await add(await sim("4.3.0.0"), "/el7")).error, { code: 1002, message: `Unexpected error: version not found in output: ${banner}` });
    for (const v of ["4.3.1.0", "4.3.2.0"]) {
      assert.deepEqual((await add(await sim(v), "/el7")).error, {
        errCode: "OBProxy.VersionOutputUnexpected", message: `Version not found in output: version not found in output: ${banner}`,
      });
    }
    const ok = await sim("4.4.0.0");
    const d = await add(ok, "/el7");
    assert.equal((await waitDag(ok, d.data.id)).state, "SUCCEED");
    assert.equal(ok.control.state().obproxy!.version, "4.3.2.0-2");
  });

  it("4.2.6.0: home path errors are 1000 'Bad request: invalid obproxy home path: <Go error>'", async () => {
    const s = await sim("4.2.6.0");
    s.control.defineMemoryHome("/used", { etcEntries: 1 });
    assert.deepEqual((await add(s, "/missing")).error, { code: 1000, message: "Bad request: invalid obproxy home path: stat /missing: no such file or directory" });
    assert.deepEqual((await add(s, "/used")).error, { code: 1000, message: "Bad request: invalid obproxy home path: obproxy etc directory is not empty" });
  });

  for (const [version, text] of [
    ["4.2.6.0", "failed to set status to 4: agent status is not 1"],
    ["4.3.0.0", "failed to start maintenance: agent is under maintenance"],
  ] as const) {
    it(`${version}: the OBProxy lock answers 500/1002 "${text}"`, async () => {
      const s = await sim(version);
      await add(s, "/h");
      const second = await call(s, "/api/v1/obproxy", { body: addBody("/h2") });
      assert.deepEqual([second.status, second.json.error], [500, { code: 1002, message: `Unexpected error: ${text}` }]);
    });
  }

  it("≥4.3.1: the lock names the DAG and the agent ([ip]:port for IPv6)", async () => {
    const s = await startTestSim({ agentIp: "::1" });
    sims.push(s);
    await add(s, "/h");
    const second = await call(s, "/api/v1/obproxy", { body: addBody("/h2") });
    assert.deepEqual(second.json.error, { errCode: "Agent.UnderMaintenance", message: `Create task 'Add obproxy' failed: [::1]:${s.port} is under maintenance` });
  });
});

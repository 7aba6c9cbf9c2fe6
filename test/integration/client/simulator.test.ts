import assert from "node:assert/strict";
import { inspect } from "node:util";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../../src/simulator";
import {
  createObshellClient, isDagFailedError, isObshellApiError, isObshellVersionError, type DagProgress, type ObshellClient,
} from "../../../src/obshell";
import { TEST_PEM } from "../../helpers/raw-agent";

const PW = "Sim-Agent-Pw-9f3!";
const SCALE = 0.02;
// Against a time-scaled simulator, the predicted minimum durations scale too.
const MINS = { "Start obproxy": 10_000 * SCALE, "Stop obproxy": 5_000 * SCALE };
const HOME = "/home/admin/obproxy";

describe("client ↔ simulator (protocol)", function () {
  this.timeout(30_000);
  let sim: Simulator | undefined;
  let client: ObshellClient | undefined;

  async function start(o: SimulatorOptions = {}, pw: string | undefined = PW): Promise<ObshellClient> {
    sim = await startSimulator({ mode: "memory", timeScale: SCALE, agentPassword: PW, privateKeyPem: TEST_PEM, ...o });
    client = createObshellClient({ endpoint: sim.url, agentPassword: pw, taskMinDurationsMs: MINS, requestTimeoutMs: 5_000 });
    return client;
  }
  afterEach(async () => {
    await client?.close();
    await sim?.stop();
    client = undefined;
    sim = undefined;
  });
  const deadline = () => Date.now() + 20_000;

  async function add(c: ObshellClient): Promise<void> {
    const dag = await c.addObproxy({ home_path: HOME, rs_list: "127.0.0.1:2881" });
    await c.waitForDag(dag.id, { deadline: deadline() });
  }

  it("delete → DAG → SUCCEED with progress through 4 stages; then 204 → not-managed", async () => {
    const c = await start();
    await add(c);
    const answer = await c.deleteObproxy();
    assert.equal(answer.kind, "dag");
    const seen: DagProgress[] = [];
    const done = await c.waitForDag((answer as { dag: { id: string } }).dag.id, { deadline: deadline(), onProgress: (p) => seen.push(p) });
    assert.equal(done.state, "SUCCEED");
    assert.equal(seen.at(-1)?.stage, 4);
    assert.match(seen.at(-1)!.message, /^stage 4\/4: Clean obproxy dir \(SUCCEED, /);
    assert.deepEqual(await c.deleteObproxy(), { kind: "not-managed" });
  });

  it("agent password not set → AgentPasswordNotInitialized with how to set it", async () => {
    const c = await start({ agentPassword: null });
    await assert.rejects(c.stopObproxy(), (e: unknown) => isObshellApiError(e) && e.errCode === "Security.Authentication.AgentPasswordNotInitialized" && /agent\/password/.test(e.hint ?? ""));
  });

  it("wrong password → IncorrectAgentPassword, nothing secret in the error", async () => {
    const c = await start({}, "Wrong-Pw-123");
    const e = await c.stopObproxy().catch((x: unknown) => x);
    assert.ok(isObshellApiError(e) && e.errCode === "Security.Authentication.IncorrectAgentPassword" && e.status === 401);
    const text = JSON.stringify(e) + inspect(e, { depth: 10, showHidden: true });
    assert.ok(!text.includes("Wrong-Pw-123") && !text.includes(PW));
  });

  it("≤4.3.0 agents: numeric codes still give hints", async () => {
    const c = await start({ version: "4.3.0.0" }, "Wrong-Pw-123");
    await assert.rejects(c.stopObproxy(), (e: unknown) => isObshellApiError(e) && e.errCode === undefined && e.code === 10008 && e.status === 401 && /password is wrong/.test(e.hint ?? ""));
  });

  for (const version of ["4.5.0.0", "4.3.1.0"]) {
    it(`survives a key rotation (${version}): refetches the key and resends once`, async () => {
      const c = await start({ version, privateKeyPem: undefined });
      await add(c);
      sim!.control.rotateKey();
      const before = sim!.requests().filter((r) => r.path === "/api/v1/secret").length;
      await c.getUnfinishedDags();
      assert.equal(sim!.requests().filter((r) => r.path === "/api/v1/secret").length, before + 1);
    });
  }

  it("corrects clock skew measured at the first call, and re-measures after Expired", async () => {
    const c = await start();
    sim!.control.skewClock(600_000);
    await c.getUnfinishedDags();
    sim!.control.skewClock(1_200_000);
    await c.getUnfinishedDags();
    const expired = sim!.requests().filter((r) => r.errCode === "Security.Authentication.Expired");
    assert.equal(expired.length, 1);
  });

  it("gates on the obshell version", async () => {
    const c = await start({ version: "4.2.6.0" });
    assert.equal((await c.assertObproxySupported()).version, "4.2.6.0");
    await c.close();
    await sim!.stop();
    const old = await start({ version: "4.2.5.0" });
    await assert.rejects(old.assertObproxySupported(), (e: unknown) => isObshellVersionError(e) && e.minimum === "4.2.6.0");
  });

  it("under maintenance names the DAG holding the lock", async () => {
    const c = await start();
    await add(c);
    sim!.control.failTask({ task: "Stop obproxy", dag: "Stop obproxy" });
    const stop = await c.stopObproxy();
    await assert.rejects(c.waitForDag(stop.id, { deadline: deadline() }), (e: unknown) => isDagFailedError(e) && e.failedTask === "Stop obproxy" && e.errCode === "OBProxy.StopTimeout");
    await assert.rejects(c.deleteObproxy(), (e: unknown) => isObshellApiError(e) && e.errCode === "Agent.UnderMaintenance" && (e.hint ?? "").includes(stop.id));
    assert.equal((await c.findObproxyMaintenanceDag())?.id, stop.id);
    await c.operateDag(stop.id, "RETRY");
    assert.equal((await c.waitForDag(stop.id, { deadline: deadline() })).state, "SUCCEED");
    assert.equal(await c.findObproxyMaintenanceDag(), undefined);
  });

  it("waitForDag rides out an agent restart", async () => {
    const c = await start({ timeScale: 0.2 });
    await add(c);
    const answer = await c.deleteObproxy();
    assert.equal(answer.kind, "dag");
    const wait = c.waitForDag((answer as { dag: { id: string } }).dag.id, { deadline: deadline(), taskMinDurationsMs: { "Stop obproxy": 1_000 } });
    await sim!.control.restart({ downMs: 700 });
    assert.equal((await wait).state, "SUCCEED");
  });
});

/**
 * The typed client against a real obshell agent (opt-in: OBSHELL_BIN): password, add with a fake OBProxy home that
 * speaks MySQL, stop/start, a Start whose process is gone, a failing Delete DAG retried, delete and 204, a wrong
 * password. Each DAG's shape, task names, errors and duration are also checked against the simulator's claims
 * (`OBPROXY_DAGS`, the calibrated engine); durations are printed for docs/testing.md.
 */
import assert from "node:assert/strict";
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createObshellClient, type ObshellClient } from "../../src/obshell";
import { OBPROXY_DAGS, type DagDetail } from "../../src/obshell/schemas";
import { createFakeObproxyHome, makeFakeObproxyExitAtStart, readFakeObproxyLog } from "../../src/simulator";
import { secret, testLog } from "../helpers/secrets";
import { skipWithoutObshell, startRealAgent, type RealAgent } from "./harness";
import { addParams, dagSeconds, killFake, report } from "./fixture";

const AGENT_PW = secret("Real-Agent-pw-4c1d");

describe("real obshell: client", function () {
  this.timeout(15 * 60_000);
  let agent: RealAgent | undefined;
  let client: ObshellClient;
  const homes: string[] = [];
  let firstSqlPort = 0;

  before(async function () {
    skipWithoutObshell(this);
    agent = await startRealAgent();
    client = createObshellClient({ endpoint: agent.url, agentPassword: AGENT_PW, log: testLog, requestTimeoutMs: 15_000 });
    await client.setAgentPassword(AGENT_PW);
  });
  after(async () => {
    await client?.close();
    for (const h of homes) killFake(h);
    await agent?.stop();
  });

  const wait = (d: DagDetail) => client.waitForDag(d.id, { deadline: Date.now() + 180_000 });
  const failure = async (d: DagDetail) => {
    try {
      await wait(d);
    } catch (e) {
      return e as Error & Record<string, any>;
    }
    throw new Error(`${d.name} was expected to fail`);
  };

  it("info (4.5.0.0-0, SINGLE), secret, time; a wrong password gets 401 IncorrectAgentPassword", async () => {
    const info = await client.getInfo();
    assert.equal(info.identity, "SINGLE");
    assert.equal(info.isObproxyAgent, false);
    report("info.version", info.version);
    assert.match((await client.getSecret()).public_key, /^[A-Za-z0-9+/=]+$/);
    assert.ok(Math.abs((await client.getTime()).getTime() - Date.now()) < 60_000);
    const wrong = createObshellClient({ endpoint: agent!.url, agentPassword: secret("Wrong-Real-pw-77"), log: testLog });
    try {
      await assert.rejects(wrong.getUnfinishedDags(), (e: any) => e.status === 401 && e.errCode === "Security.Authentication.IncorrectAgentPassword");
    } finally {
      await wrong.close();
    }
  });

  it("add with a fake OBProxy home: obshell's task names, SUCCEED, the fake saw the health check and the proxyro ALTER", async () => {
    const home = await createFakeObproxyHome(undefined, { maxLifetimeMs: 30 * 60_000 });
    homes.push(home);
    const params = await addParams(home);
    firstSqlPort = params.sql_port!;
    const add = await client.addObproxy(params);
    const done = await wait(add);
    assert.deepEqual(done.nodes!.map((n) => n.name), [...OBPROXY_DAGS.add.tasks]);
    assert.deepEqual([done.state, done.stage, done.max_stage], ["SUCCEED", 4, 4]);
    report("Add obproxy", dagSeconds(done), done.nodes!.map((n) => `${n.name} ${dagSeconds(n).toFixed(2)}`).join(", "));
    assert.equal((await client.getInfo()).isObproxyAgent, true);
    const sent = await readFakeObproxyLog(home);
    assert.ok(sent.some((e) => e.user === "root@proxysys"), JSON.stringify(sent));
    assert.ok(sent.some((e) => e.sql === "show proxyconfig"));
    const alter = sent.find((e) => /^ALTER proxyconfig SET /i.test(e.sql ?? ""));
    assert.ok(alter, "Set proxyro password sends ALTER proxyconfig");
    assert.match(alter!.sql!, /<redacted>/);
    report("ALTER statement", alter!.sql!);
  });

  it("stop kills the process (Stop DAG); start brings it back (Start DAG)", async () => {
    const home = homes.at(-1)!;
    const pid = Number(readFileSync(join(home, "run", "obproxy.pid"), "utf8"));
    const stop = await wait(await client.stopObproxy());
    report("Stop obproxy", dagSeconds(stop));
    assert.deepEqual(stop.nodes!.map((n) => n.name), [...OBPROXY_DAGS.stop.tasks]);
    assert.equal(existsProc(pid), false, "the fake OBProxy is gone");
    const start = await wait(await client.startObproxy());
    report("Start obproxy", dagSeconds(start));
    assert.deepEqual(start.nodes!.map((n) => n.name), [...OBPROXY_DAGS.start.tasks]);
    const again = Number(readFileSync(join(home, "run", "obproxy.pid"), "utf8"));
    assert.ok(again !== pid && existsProc(again));
  });

  it("a Start whose process is gone fails at the first health check with Common.Unexpected", async () => {
    const home = homes.at(-1)!;
    await wait(await client.stopObproxy());
    await makeFakeObproxyExitAtStart(home);
    const start = await client.startObproxy();
    const e = await failure(start);
    const failed = await client.getDag(start.id);
    const node = failed.nodes!.find((n) => n.state === "FAILED")!;
    const logs = node.sub_tasks![0]!.task_logs ?? [];
    report("Start (process gone)", dagSeconds(failed), `${e.errCode} ${logs.length} log lines: ${JSON.stringify(logs)}`);
    assert.equal(node.name, "Start obproxy");
    assert.equal(e.errCode, "Common.Unexpected");
    assert.match(logs.at(-1) ?? "", /obproxy start failed: obproxy process not found on port \d+: .*connection refused/);
  });

  it("a Delete DAG failing at Stop obproxy (bad pid file) is retried to SUCCEED; then DELETE answers 204", async () => {
    const home = homes.at(-1)!;
    // The failed Start above left nothing running: remove the marker so a later start would work, and break the pid file.
    writeFileSync(join(home, "run", "obproxy.pid"), "not-a-pid");
    const answer = await client.deleteObproxy();
    assert.equal(answer.kind, "dag");
    const dag = (answer as { dag: DagDetail }).dag;
    const e = await failure(dag);
    const failed = await client.getDag(dag.id);
    report("Delete (bad pid) failure", dagSeconds(failed), `${e.errCode} at ${failed.nodes!.find((n) => n.state === "FAILED")?.name}: ${e.message}`);
    assert.deepEqual(failed.nodes!.map((n) => n.name), [...OBPROXY_DAGS.delete.tasks]);
    assert.equal((await client.findObproxyMaintenanceDag())?.id, dag.id, "the FAILED Delete DAG holds the lock");
    // A missing pid file is "not running"; an empty one would fail strconv.Atoi again.
    unlinkSync(join(home, "run", "obproxy.pid"));
    await client.operateDag(dag.id, "RETRY");
    const done = await wait(dag);
    report("Delete obproxy (retried)", dagSeconds(done));
    assert.equal(done.state, "SUCCEED");
    assert.equal((await client.getInfo()).isObproxyAgent, false);
    assert.deepEqual(await client.deleteObproxy(), { kind: "not-managed" });
  });

  it("obshell keeps its first OBProxy connection: another SQL port fails at Set proxyro password; the first port works", async () => {
    const home = await createFakeObproxyHome(undefined, { maxLifetimeMs: 30 * 60_000 });
    homes.push(home);
    const add = await client.addObproxy(await addParams(home));
    const e = await failure(add);
    const failed = await client.getDag(add.id);
    report("second add, other port", dagSeconds(failed), `${e.errCode}: ${failed.nodes!.find((n) => n.state === "FAILED")?.sub_tasks?.[0]?.task_logs?.at(-1)}`);
    assert.equal(failed.stage, 3);
    assert.match(e.message, new RegExp(`set obproxy user password failed: dial tcp 127\\.0\\.0\\.1:${firstSqlPort}: connect: connection refused`));
    // PASS releases the lock; nothing was persisted, so the agent manages nothing.
    await client.operateDag(add.id, "PASS");
    killFake(home);
    assert.equal((await client.getInfo()).isObproxyAgent, false);

    const again = await createFakeObproxyHome(undefined, { maxLifetimeMs: 30 * 60_000 });
    homes.push(again);
    await wait(await client.addObproxy({ ...(await addParams(again)), sql_port: firstSqlPort }));
    const pid = Number(readFileSync(join(again, "run", "obproxy.pid"), "utf8"));
    const answer = await client.deleteObproxy();
    const done = await wait((answer as { dag: DagDetail }).dag);
    report("Delete obproxy", dagSeconds(done), done.nodes!.map((n) => `${n.name} ${dagSeconds(n).toFixed(2)}`).join(", "));
    assert.equal(existsProc(pid), false);
    assert.equal((await client.getInfo()).isObproxyAgent, false);
  });
});

function existsProc(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
}

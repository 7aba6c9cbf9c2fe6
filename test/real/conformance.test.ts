/**
 * Simulator vs real agent (opt-in: OBSHELL_BIN): one scenario run at the same time against a real obshell agent and
 * a real-mode obshell-sim at timeScale 1, each with its own fake OBProxy homes; the DAGs' shapes, task names,
 * states, stages, error codes and normalized failure logs must be equal, and each DAG's duration within 20%.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createObshellClient, type ObshellClient } from "../../src/obshell";
import type { DagDetail } from "../../src/obshell/schemas";
import { createFakeObproxyHome, makeFakeObproxyExitAtStart, startSimulator } from "../../src/simulator";
import { secret, testLog } from "../helpers/secrets";
import { addParams, dagSeconds, killFake, report } from "./fixture";
import { skipWithoutObshell, startRealAgent } from "./harness";

const AGENT_PW = secret("Conformance-pw-31f7");

/** What is compared of one DAG. */
interface DagShape {
  step: string;
  name: string;
  state: string;
  operator: string;
  stage: number;
  maxStage: number;
  nodes: string[];
  errCode?: string;
  failedLogs?: string[];
  seconds: number;
}

/** Removes what differs by construction: ports, home paths, sha1s, retry counts. */
function normalize(line: string, home: string): string {
  return line.split(home).join("<home>").replace(/\b[0-9a-f]{40}\b/g, "<sha1>").replace(/(port |:)\d{2,5}\b/g, "$1<port>")
    .replace(/'[^']*listen_port=[^']*'/, "'<options>'").replace(/\(retry \d+\)/, "(retry n)");
}

/**
 * Steps whose duration is not the agent's: how many health-check retries a gone process gets depends on TIME_WAIT
 * sockets left on the port by earlier checks (obshell's port scan counts them), and a PASS ends the DAG when the
 * client sends it.
 */
const NOT_TIMED = new Set(["start, process gone", "add passed"]);

async function scenario(client: ObshellClient, label: string): Promise<{ shapes: DagShape[]; homes: string[] }> {
  const shapes: DagShape[] = [];
  const homes: string[] = [];
  const deadline = () => Date.now() + 240_000;
  const record = async (step: string, dag: DagDetail, home: string) => {
    let errCode: string | undefined;
    try {
      await client.waitForDag(dag.id, { deadline: deadline() });
    } catch (e) {
      errCode = (e as { errCode?: string }).errCode ?? (e as Error).name;
    }
    const d = await client.getDag(dag.id);
    const failed = d.nodes?.find((n) => n.state === "FAILED");
    shapes.push({
      step, name: d.name, state: d.state, operator: d.operator, stage: d.stage, maxStage: d.max_stage, nodes: (d.nodes ?? []).map((n) => `${n.name}:${n.state}`),
      errCode, failedLogs: failed?.sub_tasks?.[0]?.task_logs?.map((l) => normalize(l, home)).filter((l, i, all) => l !== all[i - 1]),
      seconds: dagSeconds(d),
    });
    return d;
  };
  const home = await createFakeObproxyHome(undefined, { maxLifetimeMs: 30 * 60_000 });
  homes.push(home);
  await record("add", await client.addObproxy(await addParams(home)), home);
  await record("stop", await client.stopObproxy(), home);
  await record("start", await client.startObproxy(), home);
  await record("stop again", await client.stopObproxy(), home);
  await makeFakeObproxyExitAtStart(home);
  await record("start, process gone", await client.startObproxy(), home);
  writeFileSync(join(home, "run", "obproxy.pid"), "not-a-pid");
  const del = await client.deleteObproxy();
  assert.equal(del.kind, "dag", label);
  const failedDelete = await record("delete, bad pid file", (del as { dag: DagDetail }).dag, home);
  // A missing pid file is "not running"; an empty one would fail strconv.Atoi again.
    unlinkSync(join(home, "run", "obproxy.pid"));
  await client.operateDag(failedDelete.id, "RETRY");
  await record("delete retried", failedDelete, home);
  assert.deepEqual(await client.deleteObproxy(), { kind: "not-managed" }, label);
  // An add whose OBProxy cannot listen (the port is taken), then PASS.
  const home2 = await createFakeObproxyHome(undefined, { maxLifetimeMs: 30 * 60_000 });
  homes.push(home2);
  const params = await addParams(home2);
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(params.sql_port!, "127.0.0.1", r));
  try {
    const add = await record("add, port taken", await client.addObproxy(params), home2);
    await client.operateDag(add.id, "PASS");
    await record("add passed", add, home2);
  } finally {
    await new Promise<void>((r) => blocker.close(() => r()));
  }
  const info = await client.getInfo();
  shapes.push({ step: "after PASS", name: `isObproxyAgent=${info.isObproxyAgent}`, state: "", operator: "", stage: 0, maxStage: 0, nodes: [], seconds: 0 });
  if (info.isObproxyAgent) {
    const cleanup = await client.deleteObproxy();
    if (cleanup.kind === "dag") await record("delete after PASS", cleanup.dag, home2);
  }
  return { shapes, homes };
}

describe("real obshell: the simulator conforms", function () {
  this.timeout(20 * 60_000);
  before(function () {
    skipWithoutObshell(this);
  });

  it("same scenario, same DAG shapes, task names, errors and logs; durations within 20% at timeScale 1", async () => {
    const agent = await startRealAgent();
    const sim = await startSimulator({ agentPassword: AGENT_PW, timeScale: 1, cachedProxyConnection: true });
    const real = createObshellClient({ endpoint: agent.url, agentPassword: AGENT_PW, log: testLog });
    const simulated = createObshellClient({ endpoint: sim.url, agentPassword: AGENT_PW, log: testLog });
    const homes: string[] = [];
    try {
      await real.setAgentPassword(AGENT_PW);
      const [r, s] = await Promise.all([scenario(real, "real"), scenario(simulated, "sim")]);
      homes.push(...r.homes, ...s.homes);
      for (let i = 0; i < Math.max(r.shapes.length, s.shapes.length); i++) {
        const a = r.shapes[i]!;
        const b = s.shapes[i]!;
        report(`${a?.step}`, `real ${a?.seconds.toFixed(2)} s, sim ${b?.seconds.toFixed(2)} s`, `${a?.state} ${a?.errCode ?? ""}`.trim());
      }
      const strip = (x: DagShape) => ({ ...x, seconds: 0 });
      assert.deepEqual(s.shapes.map(strip), r.shapes.map(strip));
      for (let i = 0; i < r.shapes.length; i++) {
        const a = r.shapes[i]!;
        const b = s.shapes[i]!;
        if (a.seconds < 2 || NOT_TIMED.has(a.step)) continue;
        assert.ok(Math.abs(b.seconds - a.seconds) <= a.seconds * 0.2, `${a.step}: sim ${b.seconds.toFixed(2)} s vs real ${a.seconds.toFixed(2)} s`);
      }
    } finally {
      await real.close();
      await simulated.close();
      for (const h of homes) killFake(h);
      await sim.stop();
      await agent.stop();
    }
  });
});

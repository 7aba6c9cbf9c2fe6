/**
 * examples/teardown with the CLI this repository builds: four stacks of examples/basic (pr-1, pr-2, pr-3 and a
 * `staging` the pattern must not touch), each on its own real-mode simulated agent. pr-2's agent fails its Delete
 * DAG once: the first teardown destroys and removes pr-1 and pr-3, lists pr-2 with its DAG and the resume command,
 * and exits 1; a second run retries pr-2's own DAG (no second delete) and exits 0.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cp, mkdtemp, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createFakeObproxyHome, startSimulator, type Simulator } from "../../src/simulator";
import { AGENT_PASSWORD, freePort } from "../engine/harness/fixture";
import { REPO_ROOT } from "../engine/harness/project";
import { deleteDagsStarted, findSecrets, leftoverDirs } from "./harness/checks";
import { cachedPackedProject } from "./harness/project-cache";
import { SECRETS, PROXYRO_PASSWORD } from "./harness/stacks";
import { cliIt, e2eSuite, Workspace } from "./harness/workspace";

const TIME_SCALE = 0.05;
const PR_STACKS = ["pr-1", "pr-2", "pr-3"];

interface Agent {
  stack: string;
  sim: Simulator;
  home: string;
}

/** Runs examples/teardown (TypeScript through the repository's tsx) with the workspace's isolated Pulumi env. */
function teardown(ws: Workspace, programDir: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(programDir, "index.ts"), "--cwd", ws.programDir, ...args], {
      cwd: REPO_ROOT,
      env: ws.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const add = (c: Buffer) => {
      output += c.toString("utf8");
      ws.transcript.push(...c.toString("utf8").split("\n").filter(Boolean));
    };
    child.stdout.on("data", add);
    child.stderr.on("data", add);
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Highest number of stacks between their "destroying" and "destroyed …"/"destroy failed" lines at once. */
function maxInFlight(output: string): number {
  let now = 0;
  let max = 0;
  for (const line of output.split("\n")) {
    if (/^\[[\w-]+\] destroying$/.test(line)) max = Math.max(max, ++now);
    else if (/^\[[\w-]+\] (destroyed in|destroy failed)/.test(line)) now--;
  }
  return max;
}

describe("e2e: examples/teardown (Automation API) with the Pulumi CLI", function () {
  this.timeout(900_000);
  const { cleanups, watch } = e2eSuite();

  cliIt("tears down every pr-* stack 2 at a time, survives pr-2's failed Delete DAG, lists it with its resume command; a second run finishes it", async () => {
    const ws = await Workspace.create("basic", { OBSHELL_TASK_TIME_SCALE: String(TIME_SCALE) });
    cleanups.add(() => ws.cleanup());
    watch(ws);
    const homes = await mkdtemp(path.join(os.tmpdir(), "obproxy-e2e-teardown-"));
    cleanups.add(() => rm(homes, { recursive: true, force: true }));
    const programDir = path.join(ws.root, "teardown");
    await cp(path.join(REPO_ROOT, "examples", "teardown"), programDir, { recursive: true });
    await symlink(path.join((await cachedPackedProject()).dir, "node_modules"), path.join(programDir, "node_modules"), "dir");

    const agents: Agent[] = [];
    for (const stack of [...PR_STACKS, "staging"]) {
      const sim = await startSimulator({ agentPassword: AGENT_PASSWORD, timeScale: TIME_SCALE });
      cleanups.add(() => sim.stop());
      const home = await createFakeObproxyHome(path.join(homes, stack));
      agents.push({ stack, sim, home });
      await ws.pulumi(["stack", "init", stack, "--non-interactive"]);
      await ws.configure(
        { "obshell:endpoint": sim.url, homePath: home, rsList: "127.0.0.1:2881", sqlPort: String(await freePort()) },
        { "obshell:agentPassword": AGENT_PASSWORD, proxyroPassword: PROXYRO_PASSWORD },
      );
      await ws.op("up");
      assert.equal(sim.control.state().managed, true, `${stack} is up`);
    }
    const [pr1, pr2, pr3, staging] = agents;
    pr2.sim.control.failTask({ task: "Stop obproxy", dag: "Delete obproxy", times: "once", message: "kill timed out" });

    const first = await teardown(ws, programDir, ["--parallel", "2", "pr-*"]);
    assert.equal(first.code, 1, first.output);
    assert.match(first.output, /3 stack\(s\) of .* match 'pr-\*': pr-1, pr-2, pr-3; 2 at a time/);
    assert.match(first.output, /\[pr-1\] .*Delete obproxy DAG \d+ stage \d\/\d/, "pr-1's DAG progress was streamed");
    assert.ok(maxInFlight(first.output) <= 2, `at most 2 at a time:\n${first.output}`);
    for (const a of [pr1, pr3]) {
      assert.equal(a.sim.control.state().managed, false, `${a.stack} destroyed`);
      assert.deepEqual(leftoverDirs(a.home), []);
    }
    const failedDag = pr2.sim.control.state().dags.find((d) => d.name === "Delete obproxy");
    assert.equal(failedDag?.state, "FAILED");
    assert.equal(pr2.sim.control.state().managed, true);
    assert.match(first.output, new RegExp(`pr-2: FAILED — Delete obproxy DAG ${failedDag!.id}`));
    assert.match(first.output, /Stop obproxy/);
    assert.match(first.output, new RegExp(`resume: pulumi destroy --stack pr-2 --cwd ${ws.programDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    assert.match(first.output, /2 destroyed, 1 failed/);
    const left = (await ws.pulumi(["stack", "ls", "--json"])).output;
    assert.deepEqual((JSON.parse(left) as { name: string }[]).map((s) => s.name).sort(), ["dev", "pr-2", "staging"], "destroyed stacks were removed");

    const second = await teardown(ws, programDir, ["pr-*"]);
    assert.equal(second.code, 0, second.output);
    assert.match(second.output, /1 stack\(s\) of .* match 'pr-\*': pr-2;/);
    assert.equal(pr2.sim.control.state().managed, false);
    assert.equal(deleteDagsStarted(pr2.sim), 1, "the second run retried the failed DAG instead of starting another delete");
    assert.equal(pr2.sim.control.state().dags.find((d) => d.id === failedDag!.id)?.state, "SUCCEED");
    assert.equal(staging.sim.control.state().managed, true, "staging does not match pr-*");
    assert.deepEqual(findSecrets({ "teardown output": first.output + second.output }, SECRETS), []);
  });
});

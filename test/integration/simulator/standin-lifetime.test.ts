/** The stand-in OBProxy never outlives its simulator: stop() mid-start, and a simulator process killed with -9. */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { freePort } from "../../helpers/ports";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFakeObproxyHome, type Simulator } from "../../../src/simulator";
import { addBody, call, startTestSim, waitDag } from "../../unit/simulator/helpers";

/** Running and not a zombie; a process that exits between the two looks is gone (its /proc entry vanishes). */
function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until the pid file has a pid (bounded). */
async function pidOf(home: string): Promise<number> {
  const file = join(home, "run/obproxy.pid");
  for (let i = 0; i < 200; i++) {
    const pid = existsSync(file) ? Number(readFileSync(file, "utf8")) : 0;
    if (pid > 0) return pid;
    await sleep(25);
  }
  throw new Error("no pid file");
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms && alive(pid); waited += 50) await sleep(50);
  return !alive(pid);
}

describe("simulator: stand-in OBProxy lifetime", function () {
  this.timeout(30_000);
  let home: string;
  beforeEach(async () => (home = await createFakeObproxyHome()));
  afterEach(() => rm(home, { recursive: true, force: true }));

  it("stop() during the Start obproxy health check kills the stand-in it just launched", async () => {
    // timeScale 0.5: the health check sleeps 5 s, so the simulator stops while the stand-in is unconfirmed.
    const sim: Simulator = await startTestSim({ mode: "real", timeScale: 0.5 });
    try {
      await call(sim, "/api/v1/obproxy", { body: addBody(home, { sql_port: await freePort() }) });
      const pid = await pidOf(home);
      assert.ok(alive(pid));
    } finally {
      await sim.stop();
    }
    assert.ok(await goneWithin(Number(readFileSync(join(home, "run/obproxy.pid"), "utf8")), 2_000));
  });

  it("a second start fails (port in use) and leaves the running instance and its pid file alone", async () => {
    const sim: Simulator = await startTestSim({ mode: "real" });
    try {
      const add = await call(sim, "/api/v1/obproxy", { body: addBody(home, { sql_port: await freePort() }) });
      assert.equal((await waitDag(sim, add.json.data.id)).state, "SUCCEED");
      const pid = await pidOf(home);
      const start = await call(sim, "/api/v1/obproxy/start", { method: "POST" });
      const failed = await waitDag(sim, start.json.data.id);
      assert.equal(failed.state, "FAILED");
      assert.match(failed.nodes[1].sub_tasks[0].task_logs.at(-1), /^ERROR: \[Common\.Unexpected\]: Unexpected error: failed to start obproxy, output: obproxy exited early/);
      assert.deepEqual([await pidOf(home), alive(pid)], [pid, true]);
    } finally {
      await sim.stop();
    }
  });

  it("exits when its simulator process dies (kill -9), without any cleanup by the simulator", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sim-kill-"));
    const cli = join(__dirname, "../../../src/simulator/cli.ts");
    const child = spawn(process.execPath, ["--import", "tsx", cli, "--port", "0", "--agent-password", "agentpwd", "--time-scale", "0.01"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      let out = "";
      child.stdout.on("data", (c) => (out += c));
      for (let i = 0; i < 300 && !/listening on (http\S+)/.test(out); i++) await sleep(50);
      const url = /listening on (http\S+)/.exec(out)![1]!;
      const r = await call({ url } as Simulator, "/api/v1/obproxy", { body: addBody(home, { sql_port: await freePort() }) });
      assert.equal(r.status, 200, r.text);
      const pid = await pidOf(home);
      child.kill("SIGKILL");
      // The stand-in polls its simulator's pid every 500 ms.
      assert.ok(await goneWithin(pid, 5_000), "stand-in outlived its simulator");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  });
});

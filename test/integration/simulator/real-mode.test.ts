import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
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

describe("simulator: real mode with a fake OBProxy home", function () {
  this.timeout(30_000);
  let sim: Simulator;
  let home: string;
  beforeEach(async () => {
    sim = await startTestSim({ mode: "real" });
    home = await createFakeObproxyHome();
  });
  afterEach(async () => {
    await sim.stop();
    await rm(home, { recursive: true, force: true });
  });

  it("add launches a stand-in on sql_port; stop kills it; start restarts it; delete cleans the home", async () => {
    const port = await freePort();
    const add = await call(sim, "/api/v1/obproxy", { body: addBody(home, { sql_port: port, name: "app" }) });
    const d = await waitDag(sim, add.json.data.id);
    assert.equal(d.state, "SUCCEED", JSON.stringify(d.nodes.map((n: any) => n.sub_tasks[0].task_logs)));
    assert.match(d.nodes[1].sub_tasks[0].task_logs[0], /^start obproxy cmd: cd '.*'; \.\/bin\/obproxy -o '.*listen_port=\d+.*' -n 'app' -c 'obcluster'$/);
    const pid = Number(readFileSync(join(home, "run/obproxy.pid"), "utf8"));
    assert.ok(alive(pid));
    const stop = await call(sim, "/api/v1/obproxy/stop", { method: "POST" });
    const s = await waitDag(sim, stop.json.data.id);
    assert.deepEqual(s.nodes[1].sub_tasks[0].task_logs, [`Get obproxy pid: ${pid}`, `Kill obproxy process ${pid}`, "Check obproxy process", "Successfully killed the obproxy process"]);
    assert.ok(!alive(pid));
    const start = await call(sim, "/api/v1/obproxy/start", { method: "POST" });
    assert.equal((await waitDag(sim, start.json.data.id)).state, "SUCCEED");
    const pid2 = Number(readFileSync(join(home, "run/obproxy.pid"), "utf8"));
    assert.ok(alive(pid2) && pid2 !== pid);
    const del = await call(sim, "/api/v1/obproxy", { method: "DELETE" });
    assert.equal((await waitDag(sim, del.json.data.id)).state, "SUCCEED");
    for (const dir of ["etc", "log", "run", "bin", "lib"]) assert.ok(!existsSync(join(home, dir)), dir);
    assert.ok(!alive(pid2));
  });

  it("checks home_path on the real filesystem and runs bin/obproxy -V", async () => {
    const e = async (body: object) => (await call(sim, "/api/v1/obproxy", { body })).json.error;
    assert.equal((await e(addBody(join(home, "nope")))).errCode, "Common.PathNotExist");
    assert.equal((await e(addBody(join(home, "bin/obproxy")))).errCode, "Common.PathNotDir");
    await writeFile(join(home, "etc/obproxy.conf"), "x");
    assert.equal((await e(addBody(home))).message, `invalid obproxy home path: Directory '${home}/etc' is not empty`);
    const bare = await mkdtemp(join(tmpdir(), "bare-home-"));
    try {
      await mkdir(join(bare, "lib"));
      assert.equal((await e(addBody(bare))).message, `invalid obproxy home path: '${bare}/bin' does not exist`);
      await mkdir(join(bare, "bin"));
      await writeFile(join(bare, "bin/obproxy"), "#!/bin/sh\necho nothing\n", { mode: 0o755 });
      // buildAddObproxyOptions reads the version before the ports are checked, and does not wrap its error.
      const v = await e(addBody(bare, { sql_port: null, parameters: { listen_port: "x" } }));
      assert.equal(v.errCode, "OBProxy.VersionOutputUnexpected");
      assert.equal(v.message, "Version not found in output: nothing\n");
      await writeFile(join(bare, "bin/obproxy"), "#!/bin/sh\nexit 3\n", { mode: 0o755 });
      assert.deepEqual(await e(addBody(bare)), { errCode: "Common.Unexpected", message: "exit status 3" });
      await rm(join(bare, "bin/obproxy"));
      assert.equal((await e(addBody(bare))).message, "fork/exec ./bin/obproxy: no such file or directory");
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });

  it("a busy sql_port makes Start obproxy fail", async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (busy.address() as { port: number }).port;
      const add = await call(sim, "/api/v1/obproxy", { body: addBody(home, { sql_port: port }) });
      const d = await waitDag(sim, add.json.data.id);
      assert.equal(d.state, "FAILED");
      assert.match(d.nodes[1].sub_tasks[0].task_logs.at(-1), /^ERROR: \[Common.Unexpected\]: Unexpected error: failed to start obproxy, output: obproxy exited early/);
    } finally {
      busy.close();
    }
  });

  it("stop() leaves no stand-in behind", async () => {
    const port = await freePort();
    const add = await call(sim, "/api/v1/obproxy", { body: addBody(home, { sql_port: port }) });
    await waitDag(sim, add.json.data.id);
    const pid = Number(readFileSync(join(home, "run/obproxy.pid"), "utf8"));
    await sim.stop();
    assert.ok(!alive(pid));
  });

  it("lost OBProxy (process killed, home removed): delete still succeeds", async () => {
    const add = await call(sim, "/api/v1/obproxy", { body: addBody(home, { sql_port: await freePort() }) });
    await waitDag(sim, add.json.data.id);
    await sim.control.loseObproxy({ process: true, home: true });
    const del = await call(sim, "/api/v1/obproxy", { method: "DELETE" });
    const d = await waitDag(sim, del.json.data.id);
    assert.equal(d.state, "SUCCEED");
    assert.deepEqual(d.nodes[1].sub_tasks[0].task_logs, ["Get obproxy pid: ", "Obproxy is not running"]);
  });

  it("the stand-in exits by itself after its maximum lifetime", async () => {
    const short = await startTestSim({ mode: "real", standinMaxLifetimeMs: 500 });
    try {
      const add = await call(short, "/api/v1/obproxy", { body: addBody(home, { sql_port: await freePort() }) });
      await waitDag(short, add.json.data.id);
      const pid = Number(readFileSync(join(home, "run/obproxy.pid"), "utf8"));
      for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(!alive(pid));
    } finally {
      await short.stop();
    }
  });
});

describe("obshell-sim CLI", function () {
  this.timeout(30_000);
  it("prints its URL, logs requests without secrets, stops on SIGTERM", async () => {
    const cli = join(__dirname, "../../../src/simulator/cli.ts");
    const child = spawn(process.execPath, ["--import", "tsx", cli, "--port", "0", "--agent-password", "s3cret-pw", "--time-scale", "0.01", "--memory", "--fail-task", "Start obproxy:always:OBProxy.HealthCheckTimeout",
      "--faults", JSON.stringify({ status5xx: { status: 503, count: 1, path: "/api/v1/status" } }),
      "--private-key", join(__dirname, "../../fixtures/test-agent-key-1024.pem")], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    for (let i = 0; i < 200 && !/control token: (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    const url = /listening on (http\S+)/.exec(out)![1]!;
    const token = /control token: (\S+)/.exec(out)![1]!;
    assert.equal((await fetch(`${url}/api/v1/info`)).status, 200);
    assert.deepEqual([(await fetch(`${url}/api/v1/status`)).status, (await fetch(`${url}/api/v1/status`)).status], [503, 200]);
    const secret = (await (await fetch(`${url}/api/v1/secret`)).json()) as any;
    assert.match(secret.data.public_key, /^MIGJAoGBALFWmGOjodmr2H8f/);
    assert.equal((await fetch(`${url}/__sim/state`)).status, 401, "the control plane needs the printed token");
    const state = (await (await fetch(`${url}/__sim/state`, { headers: { "x-sim-control-token": token } })).json()) as any;
    assert.equal(state.faults.failTasks[0].times, "always");
    const exit = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    child.kill("SIGTERM");
    assert.equal(await exit, 0);
    assert.match(out, /GET \/api\/v1\/info 200/);
    assert.ok(!out.includes("s3cret-pw"));
  });
});

/**
 * The operator command against obshell-sim over real loopback HTTP: status, dag show/watch/operators with exit codes
 * from the DAG's end state, confirmation of destructive operators, the same delete as `pulumi destroy`, usage
 * errors, Ctrl-C, and no password in any output. One test runs the built bin as a process, as an operator would.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { PassThrough } from "node:stream";
import { main, type MainIo } from "../../../src/cli/main";
import { EXIT } from "../../../src/cli/options";
import { HOME, SIM_PW, simFixture } from "../../helpers/sim-client";
import { assertNoSecrets } from "../../helpers/secrets";

interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs main in-process with captured streams and no terminal (as a script would). */
async function run(argv: string[], env: Record<string, string>, signal = new AbortController().signal): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const input = Object.assign(new PassThrough(), { isTTY: false });
  const io: MainIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env,
    terminal: { input, output: new PassThrough() },
    signal,
  };
  const code = await main(argv, io);
  const result = { code, out: out.join("\n"), err: err.join("\n") };
  assertNoSecrets(result, "command output");
  assert.ok(!result.out.includes(SIM_PW) && !result.err.includes(SIM_PW));
  return result;
}

describe("operator command (pulumi-obproxy)", function () {
  this.timeout(60_000);
  const fx = simFixture({ scale: 0.02 });
  afterEach(() => fx.closeAll());

  async function agent() {
    const { sim, client } = await fx.start();
    return { sim, client, env: { OBSHELL_ENDPOINT: sim.url, OBSHELL_AGENT_PASSWORD: SIM_PW, OBSHELL_TASK_TIME_SCALE: String(fx.scale) } };
  }

  it("status reports the agent, whether it manages an OBProxy, and the lock holder as JSON", async () => {
    const { client, env } = await agent();
    const before = await run(["status", "--json"], env);
    assert.equal(before.code, EXIT.ok, before.err);
    const doc = JSON.parse(before.out);
    assert.equal(doc.obproxyManaged, false);
    assert.equal(doc.lock, null);
    const dag = await client.addObproxy({ home_path: HOME, rs_list: "127.0.0.1:2881" });
    const during = JSON.parse((await run(["status", "--json"], env)).out);
    assert.equal(during.lock?.id, dag.id);
    assert.equal(during.lock?.name, "Add obproxy");
  });

  it("dag watch follows a DAG to SUCCEED and exits 0", async () => {
    const { client, env } = await agent();
    const dag = await client.addObproxy({ home_path: HOME, rs_list: "127.0.0.1:2881" });
    const r = await run(["dag", "watch", dag.id], env);
    assert.equal(r.code, EXIT.ok, r.err);
    assert.match(r.out, new RegExp(`Add obproxy DAG ${dag.id} SUCCEED`));
    assert.match(r.err, /stage \d\/\d/, "progress lines on stderr");
  });

  it("dag watch exits 1 on FAILED and names the next commands, ours and obshell's", async () => {
    const { sim, client, env } = await agent();
    sim.control.failTask({ task: "Check obproxy status", times: "always" });
    const dag = await client.addObproxy({ home_path: HOME, rs_list: "127.0.0.1:2881" });
    const r = await run(["dag", "watch", dag.id], env);
    assert.equal(r.code, EXIT.failed);
    assert.match(r.out, /FAILED/);
  });

  it("pass asks first: refused without a terminal or --yes (nothing sent), sent with --yes; watch then exits 4", async () => {
    const { sim, client, env } = await agent();
    await client.addObproxy({ home_path: HOME, rs_list: "127.0.0.1:2881" }).then((d) => client.waitForDag(d.id, { deadline: Date.now() + 20_000 }));
    sim.control.failTask({ task: "Stop obproxy", times: "once" });
    const del = await client.deleteObproxy();
    assert.equal(del.kind, "dag");
    const dagId = del.kind === "dag" ? del.dag.id : "";
    assert.equal((await run(["dag", "watch", dagId], env)).code, EXIT.failed);
    const refused = await run(["dag", "pass", dagId], env);
    assert.equal(refused.code, EXIT.usage);
    assert.match(refused.err, /--yes/);
    assert.equal(sim.requests().filter((q) => q.method === "POST" && q.path.startsWith("/api/v1/task/dag/")).length, 0, "nothing sent");
    const passed = await run(["dag", "pass", dagId, "--yes", "--wait"], env);
    assert.equal(passed.code, EXIT.passed, passed.err);
    assert.match(passed.out, /SUCCEED \(operator PASS\)/);
  });

  it("delete removes the managed OBProxy with one DELETE, waits for the Delete DAG, and exits 0", async () => {
    const { sim, client, env } = await agent();
    await client.addObproxy({ home_path: HOME, rs_list: "127.0.0.1:2881" }).then((d) => client.waitForDag(d.id, { deadline: Date.now() + 20_000 }));
    const r = await run(["delete", "--timeout", "1m", "--json"], env);
    assert.equal(r.code, EXIT.ok, r.err);
    assert.equal(JSON.parse(r.out).obproxyManaged, false);
    assert.equal((await client.getInfo()).isObproxyAgent, false);
    assert.equal(sim.requests().filter((q) => q.method === "DELETE" && q.path === "/api/v1/obproxy").length, 1);
    assert.match(r.err, /Delete obproxy DAG \d+/);
  });

  it("usage errors name what is missing and send nothing (exit 2); the password is never an argument", async () => {
    const noEndpoint = await run(["status"], { OBSHELL_AGENT_PASSWORD: SIM_PW });
    assert.equal(noEndpoint.code, EXIT.usage);
    assert.match(noEndpoint.err, /OBSHELL_ENDPOINT/);
    const noPassword = await run(["status", "--endpoint", "http://127.0.0.1:1"], {});
    assert.equal(noPassword.code, EXIT.usage);
    assert.match(noPassword.err, /OBSHELL_AGENT_PASSWORD/);
    const argvPassword = await run(["status", "--password", "x"], { OBSHELL_AGENT_PASSWORD: SIM_PW });
    assert.equal(argvPassword.code, EXIT.usage);
    const badTimeout = await run(["delete", "--timeout", "soon", "--endpoint", "http://127.0.0.1:1"], { OBSHELL_AGENT_PASSWORD: SIM_PW });
    assert.equal(badTimeout.code, EXIT.usage);
    assert.match(badTimeout.err, /--timeout soon/);
    const badId = await run(["dag", "watch", "42", "--endpoint", "http://127.0.0.1:1"], { OBSHELL_AGENT_PASSWORD: SIM_PW });
    assert.equal(badId.code, EXIT.usage);
    assert.equal((await run(["dag", "--help"], {})).code, EXIT.ok);
  });

  it("Ctrl-C during a watch exits 130 and says the DAG keeps running", async () => {
    // obshell's real task durations: the add runs for many seconds.
    const sim = await fx.sim({ timeScale: 1 });
    const client = fx.client(sim.url);
    const env = { OBSHELL_ENDPOINT: sim.url, OBSHELL_AGENT_PASSWORD: SIM_PW };
    const dag = await client.addObproxy({ home_path: HOME, rs_list: "127.0.0.1:2881" });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error("interrupted (Ctrl-C)")), 500);
    const r = await run(["dag", "watch", dag.id, "--timeout", "1m"], env, ctl.signal);
    assert.equal(r.code, EXIT.interrupted, r.err);
    assert.match(r.err, /keeps running/);
  });

  it("the built bin follows a DAG and exits with its end state, password only from the environment", async () => {
    const { client, env } = await agent();
    const dag = await client.addObproxy({ home_path: HOME, rs_list: "127.0.0.1:2881" });
    const bin = path.join(__dirname, "../../../dist/cli/main.js");
    const child = spawn(process.execPath, [bin, "dag", "watch", dag.id], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 0, out);
    assert.ok(!out.includes(SIM_PW));
    assert.match(out, /SUCCEED/);
  });
});

/**
 * The native plugin `pulumi-resource-obproxy` over gRPC, started as the engine starts it (the executable through
 * npm's `.bin` symlink of the packed and installed package, cwd elsewhere), against obshell-sim. A gated simulator
 * clock keeps a Delete DAG RUNNING for as long as a test needs, instead of betting on timing.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createObshellClient } from "../../src/obshell";
import { startSimulator, type Simulator } from "../../src/simulator";
import { GatedClock } from "../e2e/harness/gate";
import { AGENT_PASSWORD, PROXYRO_PASSWORD, SYS_PASSWORD } from "./harness/fixture";
import { isSecret, secret, startNativePlugin, type NativePlugin } from "./harness/native";
import { sharedPackedProject, type PackedProject } from "./harness/project";
import type { RpcError } from "./harness/rpc";
import { freshObProxyArgs } from "../helpers/resource-args";

const SECRETS = [AGENT_PASSWORD, PROXYRO_PASSWORD, SYS_PASSWORD];

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("engine: native plugin pulumi-resource-obproxy over gRPC", function () {
  this.timeout(240_000);
  const gate = new GatedClock();
  let project: PackedProject;
  let sim: Simulator;
  let cwd: string;
  const plugins: NativePlugin[] = [];

  before(async () => {
    project = await sharedPackedProject();
    sim = await startSimulator({ agentPassword: AGENT_PASSWORD, timeScale: 0.01, clock: gate });
    cwd = await mkdtemp(path.join(os.tmpdir(), "obproxy-plugin-cwd-"));
  });
  // A failed test must not leave the agent managing an OBProxy (one agent manages one): the next add would refuse.
  afterEach(async () => {
    gate.open();
    if (!sim.control.state().managed) return;
    const client = createObshellClient({ endpoint: sim.url, agentPassword: AGENT_PASSWORD, taskMinDurationsMs: {} });
    const answer = await client.deleteObproxy().catch(() => undefined);
    if (answer?.kind === "dag") await client.waitForDag(answer.dag.id, { deadline: Date.now() + 30_000 }).catch(() => undefined);
    await client.close();
  });
  after(async () => {
    await Promise.all(plugins.map((p) => p.stop()));
    await sim?.stop();
    await rm(cwd, { recursive: true, force: true });
  });

  /** The plugin through node_modules/.bin, configured like the engine does (secrets wrapped). */
  async function plugin(config: Record<string, unknown> = { agentPassword: secret(AGENT_PASSWORD) }): Promise<NativePlugin> {
    const bin = path.join(project.dir, "node_modules", ".bin", "pulumi-resource-obproxy");
    const p = await startNativePlugin(bin, ["127.0.0.1:1"], cwd, { OBSHELL_TASK_TIME_SCALE: "0.01" });
    plugins.push(p);
    await p.rpc.configure(config);
    return p;
  }

  /** Fresh inputs: no agentPassword (it comes from provider config), secrets wrapped as the engine sends them. */
  async function inputs(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const args = await freshObProxyArgs(sim.url, { agent: AGENT_PASSWORD, proxyro: PROXYRO_PASSWORD, sys: SYS_PASSWORD });
    delete args.agentPassword;
    return { ...args, proxyroPassword: secret(args.proxyroPassword), obproxySysPassword: secret(args.obproxySysPassword), ...extra };
  }

  async function created(p: NativePlugin, name: string, extra: Record<string, unknown> = {}) {
    const checked = await p.rpc.check(name, await inputs(extra));
    assert.deepEqual(checked.failures, []);
    const res = await p.rpc.create(name, checked.inputs);
    return { ...res, inputs: checked.inputs };
  }

  const deleteDag = () => sim.control.state().dags.filter((d) => d.name === "Delete obproxy").at(-1);
  const deletesAccepted = () => sim.requests().filter((r) => r.method === "DELETE" && r.path === "/api/v1/obproxy" && r.status === 200).length;

  it("starts without side effects, prints only its port, serves its version and schema; run-plugin (PulumiPlugin.yaml) serves the same", async () => {
    const p = await plugin();
    const manifest = JSON.parse(await readFile(path.join(project.packageDir, "package.json"), "utf8")) as { version: string };
    assert.equal(await p.rpc.pluginInfo(), manifest.version);
    const schema = await p.rpc.schema();
    assert.equal(schema.name, "obproxy");
    const res = schema.resources["obproxy:index:ObProxy"];
    for (const key of ["agentPassword", "proxyroPassword", "obproxySysPassword", "tls"]) assert.equal(res.inputProperties[key].secret, true, key);
    assert.equal(schema.types["obproxy:index:Tls"].properties.key.secret, true);
    assert.equal(schema.config.variables.agentPassword.secret, true);
    assert.deepEqual(p.stdout.length, 1, `stdout must hold only the port: ${p.stdout.join("|")}`);

    // What a Node language host with RunPlugin does for `packages: {obproxy: <package dir>}`.
    const runPlugin = path.join(project.dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin", "index.js");
    const viaRunPlugin = await startNativePlugin(process.execPath, [runPlugin, project.packageDir, "127.0.0.1:1"], cwd);
    plugins.push(viaRunPlugin);
    assert.equal(await viaRunPlugin.rpc.pluginInfo(), manifest.version);
    assert.equal((await viaRunPlugin.rpc.schema()).name, "obproxy");
  });

  it("Configure secrets: the agent password comes from provider config, never reaches outputs; outputs' secrets stay wrapped", async () => {
    const p = await plugin();
    const bad = await p.rpc.checkConfig({ tls: { key: "not a pem" }, agentPasword: "typo" });
    assert.deepEqual(bad.failures.map((f) => f.property).sort(), ["agentPasword", "tls.key"]);
    const ok = await p.rpc.checkConfig({ agentPassword: secret(AGENT_PASSWORD) });
    assert.deepEqual(ok.failures, []);
    assert.ok(isSecret(ok.inputs.agentPassword), "config password answered as a secret");

    const r = await created(p, "secrets");
    assert.equal(r.properties.managed, true);
    assert.equal(r.properties.agentPassword, undefined, "a password from provider config is not written to state");
    assert.ok(isSecret(r.properties.proxyroPassword) && isSecret(r.properties.obproxySysPassword));
    assert.equal(r.properties.resourceName, undefined);
    assert.equal(p.stdout.length, 1, "progress lines never go to stdout");
    assert.ok(p.stderr.some((l) => l.includes("ObProxy secrets")), "progress lines fall back to stderr without an engine");
    // Secret values travel wrapped (the engine encrypts them); nothing the plugin printed may hold one.
    const { proxyroPassword: _p, obproxySysPassword: _s, ...plain } = r.properties;
    const text = JSON.stringify(plain) + p.stdout.join("\n") + p.stderr.join("\n");
    for (const s of SECRETS) assert.ok(!text.includes(s), `a secret leaked: ${s.slice(0, 3)}…`);

    // Without provider config and environment, the error names where a password can come from.
    const bare = await plugin({});
    const err = (await bare.rpc.create("nopw", (await bare.rpc.check("nopw", await inputs())).inputs).catch((e: unknown) => e)) as RpcError;
    assert.match(err.message, /no agent password/);
    assert.match(err.message, /obproxy:agentPassword/);
    for (const s of SECRETS) assert.ok(!err.message.includes(s));
    await p.rpc.delete("secrets", r.id, r.properties);
  });

  it("customTimeouts reach the wait and win over the timeouts input: delete fails at the deadline, naming the DAG; the resource stays", async () => {
    const p = await plugin();
    const r = await created(p, "timeouts", { timeouts: { delete: "10m" } });
    gate.close();
    const started = Date.now();
    const err = (await p.rpc.delete("timeouts", r.id, r.properties, 1).catch((e: unknown) => e)) as RpcError;
    const took = Date.now() - started;
    assert.ok(err instanceof Error, "delete must fail");
    const dag = deleteDag()!;
    assert.match(err.message, new RegExp(`Delete obproxy DAG ${dag.id} still running.* after 1s`));
    assert.match(err.message, /resource stays in state/);
    assert.ok(took >= 900 && took < 15_000, `failed after ${took} ms, expected ~1 s`);
    assert.equal(dag.isFinished, false, "obshell's DAG is still going");
    gate.open();
    await p.rpc.delete("timeouts", r.id, r.properties);
    assert.equal(sim.control.state().managed, false);
  });

  it("Cancel stops an in-flight wait with a clear message and leaves obshell's DAG running; the next delete resumes it", async () => {
    const p = await plugin();
    await p.rpc.cancel(); // as at the end of every run: nothing in flight, nothing happens
    const r = await created(p, "cancel");
    const before = deletesAccepted();
    gate.close();
    const pending = p.rpc.delete("cancel", r.id, r.properties).catch((e: unknown) => e as RpcError);
    await until("the Delete DAG to be accepted", () => deletesAccepted() === before + 1 && deleteDag()?.isFinished === false);
    await p.rpc.cancel();
    const err = await pending;
    assert.ok(err instanceof Error, "the cancelled delete fails");
    const dag = deleteDag()!;
    assert.match(err.message, new RegExp(`Delete obproxy DAG ${dag.id}`));
    assert.match(err.message, /cancelled the operation/);
    assert.match(err.message, /stays in state/);
    assert.equal(dag.isFinished, false, "Cancel never touches obshell's DAG");
    gate.open();
    await p.rpc.delete("cancel", r.id, r.properties);
    assert.equal(deletesAccepted(), before + 1, "no second Delete DAG");
    assert.equal(sim.control.state().managed, false);
  });

  it("Diff says replace (delete first) or update in place; Update gets its customTimeouts", async () => {
    const p = await plugin();
    const r = await created(p, "diffed");
    const moved = await p.rpc.diff("diffed", r.id, r.properties, { ...r.inputs, homePath: "/elsewhere/obproxy" });
    assert.deepEqual([moved.changes, moved.replaces], [true, ["homePath"]]);
    const stop = { ...r.inputs, running: false };
    const stopping = await p.rpc.diff("diffed", r.id, r.properties, stop);
    assert.deepEqual([stopping.changes, stopping.replaces, stopping.diffs], [true, [], ["running"]]);
    gate.close();
    const err = (await p.rpc.update("diffed", r.id, r.properties, stop, 1).catch((e: unknown) => e)) as RpcError;
    assert.match(String(err?.message), /Stop obproxy DAG \d+ still running.* after 1s/);
    gate.open();
    await until("the Stop DAG to end", () => sim.control.state().dags.every((d) => d.isFinished));
    await p.rpc.delete("diffed", r.id, r.properties);
  });

  it("Read by id imports `<endpoint>#<homePath>` with complete inputs; refresh reads; gone reads empty", async () => {
    const p = await plugin();
    const r = await created(p, "original");
    const home = String(r.inputs.homePath);
    const imported = await p.rpc.read("imported", `${sim.url}#${home}`);
    assert.equal(imported.id, r.id);
    assert.equal(imported.properties.homePath, home);
    assert.equal(imported.inputs.homePath, home, "the imported homePath is the real one");
    assert.equal(imported.inputs.endpoint, sim.url);
    assert.equal(imported.inputs.agentPassword, undefined);
    const checked = await p.rpc.check("imported", imported.inputs);
    assert.deepEqual(checked.failures, [], "import's inputs pass check");

    const bad = (await p.rpc.read("bad", "10.0.0.5:2886").catch((e: unknown) => e)) as RpcError;
    assert.match(bad.message, /<endpoint>#<homePath>/);

    const refreshed = await p.rpc.read("original", r.id, r.properties, r.inputs);
    assert.equal(refreshed.id, r.id);
    assert.equal(refreshed.properties.agentAddress, r.properties.agentAddress);
    assert.equal((await p.rpc.diff("original", r.id, refreshed.properties, r.inputs)).changes, false);
    await p.rpc.delete("original", r.id, refreshed.properties);
    assert.equal((await p.rpc.read("original", r.id, r.properties, r.inputs)).id, "");
  });
});

import assert from "node:assert/strict";
import { CheckFailedError, destroy, refresh, up } from "./harness/engine";
import { EngineFixture } from "./harness/fixture";

describe("engine: ObProxy through the dynamic-provider plugin", function () {
  this.timeout(240_000);
  const fx = new EngineFixture();
  before(() => fx.setup());
  after(() => fx.teardown());

  it("registers the type token and a small shim as __provider", async () => {
    const captured = await fx.capture("shape");
    assert.equal(captured.type, "pulumi-nodejs:dynamic/obshell:ObProxy");
    assert.ok(captured.provider.length < 4096, `__provider is ${captured.provider.length} bytes`);
    assert.match(captured.provider, /require\("pulumi-obproxy\/provider-v1"\)/);
    assert.doesNotMatch(captured.provider, /lifecycle|createObshellClient|undici/);
    assert.equal(captured.inputs.resourceName, "shape");
  });

  it("create → refresh → stop → start → no-op → destroy", async () => {
    const captured = await fx.capture("proxy");
    const plugin = await fx.plugin({ "obshell:agentPassword": "unused-when-input-given" });
    const created = await up(plugin.rpc, captured.inputs);
    assert.equal(created.step, "create");
    let state = created.state;
    assert.equal(state.outputs.__provider, captured.provider);
    assert.equal(state.outputs.managed, true);
    assert.equal(state.outputs.lastDag.state, "SUCCEED");

    const refreshed = await refresh(plugin.rpc, state);
    assert.ok(refreshed);
    assert.deepEqual(refreshed.outputs, state.outputs);

    const stopped = await up(plugin.rpc, { ...captured.inputs, running: false }, state);
    assert.equal(stopped.step, "update");
    assert.equal(stopped.state.outputs.running, false);
    assert.equal(stopped.state.outputs.lastDag.name, "Stop obproxy");
    const started = await up(plugin.rpc, captured.inputs, stopped.state);
    assert.equal(started.state.outputs.running, true);
    assert.equal(started.state.outputs.lastDag.name, "Start obproxy");
    state = started.state;
    assert.equal((await up(plugin.rpc, captured.inputs, state)).step, "same");

    await destroy(plugin.rpc, state);
    assert.equal(fx.sim.control.state().managed, false);
    const progress = plugin.output().filter((l) => l.startsWith("ObProxy proxy ("));
    assert.ok(progress.some((l) => /Delete obproxy DAG \d+ stage \d\/4: /.test(l)), plugin.output().join("\n"));
  });

  it("passes check failures through and diffs replacements delete-first", async () => {
    const captured = await fx.capture("checked");
    const plugin = await fx.plugin();
    const bad = { ...captured.inputs, homePath: "../x", sqlPort: 0, parameters: { "a-b": "1" } };
    const err = await up(plugin.rpc, bad).catch((e: unknown) => e);
    assert.ok(err instanceof CheckFailedError);
    assert.deepEqual(err.failures.map((f) => f.property).sort(), ["homePath", "parameters.a-b", "sqlPort"]);
    const olds = { ...captured.inputs, managed: true, running: true, adopt: false };
    const diff = await plugin.rpc.diff("id", olds, { ...captured.inputs, homePath: "/other/home" });
    assert.deepEqual(diff, { changes: "some", replaces: ["homePath"], deleteBeforeReplace: true });
    const same = await plugin.rpc.diff("id", olds, captured.inputs);
    assert.equal(same.changes, "none");
  });
});

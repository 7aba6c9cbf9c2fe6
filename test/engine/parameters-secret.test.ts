/**
 * Issue 9, item 6 through the real Node dynamic-provider plugin: a `parameters` map with a password-like key is a
 * secret input and output (the engine writes it encrypted), and its value appears in no error or plugin output.
 */
import assert from "node:assert/strict";
import { destroy, stateAsWritten, up } from "./harness/engine";
import { EngineFixture } from "./harness/fixture";

const PARAM_SECRET = "Ssl-param-pw-6a2f90";

describe("engine: password-like parameters", function () {
  this.timeout(240_000);
  const fx = new EngineFixture();
  before(() => fx.setup());
  after(() => fx.teardown());

  it("a parameters map with a password-like key is secret in state and its value is in no error or plugin output", async () => {
    const captured = await fx.capture("param-secret", { parameters: { ssl_password: PARAM_SECRET, client_max_connections: "100" } });
    assert.ok(captured.secretInputKeys.includes("parameters"), "parameters input is secret");
    assert.ok(captured.additionalSecretOutputs.includes("parameters"), "parameters output is secret");
    const plain = await fx.capture("param-plain", { parameters: { client_max_connections: "100" } });
    assert.ok(!plain.secretInputKeys.includes("parameters") && !plain.additionalSecretOutputs.includes("parameters"), "no password-like key: visible");

    const secretKeys = [...captured.secretInputKeys, ...captured.additionalSecretOutputs];
    const plugin = await fx.plugin();
    const { state } = await up(plugin.rpc, captured.inputs);
    assert.ok(!JSON.stringify(stateAsWritten(state, secretKeys)).includes(PARAM_SECRET), "state holds it encrypted only");
    fx.sim.control.failTask({ task: "Stop obproxy", dag: "Delete obproxy", times: "once", message: `kill with ssl_password=${PARAM_SECRET}` });
    const failed = await destroy(plugin.rpc, state).catch((e: Error) => e);
    assert.ok(failed instanceof Error, "the first destroy fails");
    assert.ok(!failed.message.includes(PARAM_SECRET), failed.message);
    await destroy(plugin.rpc, state);
    assert.ok(!plugin.output().join("\n").includes(PARAM_SECRET), "plugin output");
  });
});

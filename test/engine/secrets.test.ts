import assert from "node:assert/strict";
import { destroy, refresh, stateAsWritten, up, type ResourceState } from "./harness/engine";
import { AGENT_PASSWORD, EngineFixture, PROXYRO_PASSWORD, SYS_PASSWORD } from "./harness/fixture";

const TLS_KEY = "-----BEGIN PRIVATE KEY-----\nTls-key-material-3b9e\n-----END PRIVATE KEY-----";
const SECRETS = [AGENT_PASSWORD, PROXYRO_PASSWORD, SYS_PASSWORD, "Tls-key-material-3b9e"];

function assertNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} contains a secret`);
}

describe("engine: secrets", function () {
  this.timeout(240_000);
  const fx = new EngineFixture();
  before(() => fx.setup());
  after(() => fx.teardown());

  it("marks every password secret and keeps them out of __provider", async () => {
    const captured = await fx.capture("secretive", { tls: { key: TLS_KEY, cert: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----" } });
    assert.ok(captured.provider.length < 4096);
    assertNoSecret(captured.provider, "__provider");
    for (const key of ["agentPassword", "proxyroPassword", "obproxySysPassword", "tls"]) {
      assert.ok(captured.secretInputKeys.includes(key), `input ${key} is secret`);
      assert.ok(captured.additionalSecretOutputs.includes(key), `output ${key} is secret`);
    }
  });

  it("writes no plaintext password into state, logs or errors over a whole lifecycle", async () => {
    const captured = await fx.capture("scanned");
    const secretKeys = [...captured.secretInputKeys, ...captured.additionalSecretOutputs];
    const plugin = await fx.plugin();
    const written: string[] = [];
    const record = (s: ResourceState) => written.push(JSON.stringify(stateAsWritten(s, secretKeys)));
    let { state } = await up(plugin.rpc, captured.inputs);
    record(state);
    state = (await refresh(plugin.rpc, state))!;
    record(state);
    state = (await up(plugin.rpc, { ...captured.inputs, running: false }, state)).state;
    record(state);
    fx.sim.control.failTask({ task: "Stop obproxy", dag: "Delete obproxy", times: "once", message: `kill as ${PROXYRO_PASSWORD}` });
    const failed = await destroy(plugin.rpc, state).catch((e: Error) => e);
    assert.ok(failed instanceof Error);
    await destroy(plugin.rpc, state);
    for (const text of written) assertNoSecret(text, "state");
    assertNoSecret(failed.message, "error");
    assertNoSecret(plugin.output().join("\n"), "plugin output");
  });

  it("never writes an agent password from config or the environment into outputs", async () => {
    const fromConfig = await fx.capture("from-config", { agentPassword: undefined });
    assert.equal("agentPassword" in fromConfig.inputs, false);
    const plugin = await fx.plugin({ "obshell:agentPassword": AGENT_PASSWORD });
    const { state } = await up(plugin.rpc, fromConfig.inputs);
    assert.equal("agentPassword" in state.outputs, false);
    assert.ok(!JSON.stringify(state.outputs).includes(AGENT_PASSWORD));
    await destroy(plugin.rpc, state);

    const fromEnv = await fx.plugin({}, { OBSHELL_AGENT_PASSWORD: AGENT_PASSWORD });
    const again = await up(fromEnv.rpc, (await fx.capture("from-env", { agentPassword: undefined })).inputs);
    assert.ok(!JSON.stringify(again.state.outputs).includes(AGENT_PASSWORD));
    await destroy(fromEnv.rpc, again.state);
  });
});

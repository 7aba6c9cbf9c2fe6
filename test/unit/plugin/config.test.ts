/** The native plugin's provider config and secret handling on the wire (no network). */
import assert from "node:assert/strict";
import { resolveAgentPassword } from "../../../src/provider/config";
import { providerConfigReader, checkProviderConfig, readProviderConfig, withTlsDefaults } from "../../../src/plugin/config";
import { fromStruct, secret, toStruct, unwrapSecrets } from "../../../src/plugin/values";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

describe("plugin: provider config and wire values", () => {

  it("reads Configure's args, else its namespaced variables", () => {
    assert.deepEqual(readProviderConfig({ agentPassword: "a" }, [["obproxy:agentPassword", "b"]]), { agentPassword: "a" });
    assert.deepEqual(readProviderConfig({}, [["obproxy:config:agentPassword", "b"], ["other:x", "y"]]), { agentPassword: "b" });
  });

  it("checks each key, decodes a JSON-encoded tls object, and names the key at fault", () => {
    const ok = checkProviderConfig({ agentPassword: "pw-123", tls: JSON.stringify({ ca: PEM, insecureSkipVerify: false }) });
    assert.deepEqual(ok.failures, []);
    assert.deepEqual(ok.config.tls, { ca: PEM, insecureSkipVerify: false });
    const bad = checkProviderConfig({ agentPassword: "", tls: { ca: "nope", pin: "x" }, region: "x" });
    assert.deepEqual(bad.failures.map((f) => f.property).sort(), ["agentPassword", "region", "tls.ca", "tls.pin"]);
    for (const f of bad.failures) assert.ok(!f.reason.includes("nope"), "a rejected value is not echoed");
  });

  it("feeds the agent password to the lifecycle; the environment stays the fallback", () => {
    const reader = providerConfigReader({ agentPassword: "from-config" });
    assert.deepEqual(resolveAgentPassword({}, {}, reader), { value: "from-config", source: "config" });
    assert.deepEqual(resolveAgentPassword({ agentPassword: "input" }, {}, reader), { value: "input", source: "input" });
    assert.deepEqual(resolveAgentPassword({}, { OBSHELL_AGENT_PASSWORD: "env" }, providerConfigReader({})), { value: "env", source: "env" });
  });

  it("fills tls from the provider for https endpoints without their own", () => {
    const tls = { ca: PEM };
    assert.deepEqual(withTlsDefaults({ endpoint: "https://h:2886" }, { tls }).tls, tls);
    assert.equal(withTlsDefaults({ endpoint: "http://h:2886" }, { tls }).tls, undefined);
    assert.deepEqual(withTlsDefaults({ endpoint: "https://h:2886", tls: { insecureSkipVerify: true } }, { tls }).tls, { insecureSkipVerify: true });
  });

  it("unwraps secrets deeply on the way in, wraps the secret keys on the way out", () => {
    assert.deepEqual(unwrapSecrets({ a: secret({ b: secret("x") }), c: [secret(1)] }), { a: { b: "x" }, c: [1] });
    const out = fromStruct(toStruct({ proxyroPassword: "p", tls: { key: "k" }, endpoint: "http://h", name: undefined }));
    assert.deepEqual(out, { proxyroPassword: "p", tls: { key: "k" }, endpoint: "http://h" });
    const wire = toStruct({ proxyroPassword: "p", endpoint: "http://h" }).toJavaScript() as Record<string, unknown>;
    assert.deepEqual(wire.proxyroPassword, secret("p"));
    assert.equal(wire.endpoint, "http://h");
  });
});

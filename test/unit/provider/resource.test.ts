import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ObProxy } from "../../../src/provider/resource";

type Registered = { type: string; name: string; inputs: Record<string, any> };

function value<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

describe("ObProxy resource (under setMocks)", function () {
  this.timeout(30_000);
  const registered: Registered[] = [];

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (a) => {
          registered.push({ type: a.type, name: a.name, inputs: a.inputs });
          // What the provider would return: inputs plus computed outputs.
          return { id: "127.0.0.1:2886", state: { ...a.inputs, sqlPort: a.inputs.sqlPort ?? 2883, managed: true, agentVersion: "4.5.0.0" } };
        },
        call: (a) => a.inputs,
      },
      "unit",
      "test",
      false,
    );
  });

  it("registers the obshell:ObProxy dynamic type with the resource name as an input", async () => {
    const proxy = new ObProxy("proxy-a", { endpoint: "http://127.0.0.1:2886", homePath: "/opt/obproxy", rsList: "10.0.0.1:2881" });
    await value(proxy.urn);
    const r = registered.find((x) => x.name === "proxy-a")!;
    assert.equal(r.type, "pulumi-nodejs:dynamic/obshell:ObProxy");
    assert.equal(r.inputs.resourceName, "proxy-a");
    assert.equal(typeof r.inputs.__provider, "string");
    assert.ok(r.inputs.__provider.length < 4096, `${r.inputs.__provider.length} bytes`);
  });

  it("exposes outputs as properties (declared, not re-initialized by class fields)", async () => {
    const proxy = new ObProxy("proxy-b", { endpoint: "http://127.0.0.1:2886", homePath: "/opt/obproxy", proxyroPassword: "Pw-unit-123" });
    assert.equal(await value(proxy.sqlPort), 2883);
    assert.equal(await value(proxy.managed), true);
    assert.equal(await value(proxy.agentVersion), "4.5.0.0");
    assert.equal(await value(proxy.homePath), "/opt/obproxy");
  });

  it("captures no secret in the serialized provider", async () => {
    new ObProxy("proxy-c", { endpoint: "http://127.0.0.1:2886", homePath: "/opt/obproxy", agentPassword: "Agent-unit-pw", proxyroPassword: "Pw-unit-123" });
    await new Promise((r) => setTimeout(r, 200));
    const r = registered.find((x) => x.name === "proxy-c")!;
    assert.ok(!r.inputs.__provider.includes("Agent-unit-pw"));
    assert.ok(!r.inputs.__provider.includes("Pw-unit-123"));
  });

  it("makes parameters secret when a key looks like a password (issue 9, item 6), known now or resolved later", async () => {
    const plain = new ObProxy("proxy-p1", { endpoint: "http://127.0.0.1:2886", homePath: "/opt/obproxy", parameters: { listen_port: "3883" } });
    const known = new ObProxy("proxy-p2", { endpoint: "http://127.0.0.1:2886", homePath: "/opt/obproxy", parameters: { ssl_password: "Param-unit-pw" } });
    const later = new ObProxy("proxy-p3", {
      endpoint: "http://127.0.0.1:2886",
      homePath: "/opt/obproxy",
      parameters: pulumi.output(Promise.resolve({ observer_sys_password: "Param-unit-pw" })),
    });
    assert.equal(await pulumi.isSecret(plain.parameters), false);
    assert.equal(await pulumi.isSecret(known.parameters), true);
    assert.equal(await pulumi.isSecret(later.parameters), true);
    assert.deepEqual(await value(known.parameters), { ssl_password: "Param-unit-pw" });
  });
});

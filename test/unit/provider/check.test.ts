import assert from "node:assert/strict";
import { checkInputs } from "../../../src/provider/check";
import { createLifecycle } from "../../../src/provider/lifecycle";
import { UNKNOWN } from "../../../src/provider/types";

const valid = { endpoint: "http://127.0.0.1:2886", homePath: "/home/admin/obproxy", rsList: "10.0.0.1:2881" };

function properties(news: Record<string, unknown>): string[] {
  return checkInputs(news).map((f) => f.property);
}

describe("provider check", () => {
  it("accepts valid inputs, with and without optional properties", () => {
    assert.deepEqual(checkInputs(valid), []);
    const full = {
      ...valid,
      rsList: undefined,
      configUrl: "https://config.example.com/services?Action=ObRootServiceInfo",
      agentPassword: "agent-pw",
      name: "obproxy_1",
      sqlPort: 3883,
      rpcPort: 3885,
      exporterPort: 3884,
      proxyroPassword: "",
      obproxySysPassword: "sys-pw",
      parameters: { enable_metadb_used: "false", client_max_connections: "8192" },
      running: false,
      adopt: true,
      timeouts: { create: "20m", update: 2400, delete: "1h30m" },
      tls: {},
      agentPublicKeyPin: `sha256:${"ab".repeat(32)}`,
      resourceName: "proxy",
      __provider: "exports.handler = …",
    };
    assert.deepEqual(checkInputs({ ...full, endpoint: "https://10.0.0.5:2886" }), []);
  });

  it("requires endpoint and homePath", () => {
    assert.deepEqual(properties({}).sort(), ["endpoint", "homePath"]);
  });

  it("rejects bad ports, paths, lists and URLs, naming each property", () => {
    const failures = checkInputs({
      endpoint: "ftp://host",
      homePath: "relative/path",
      sqlPort: 0,
      rpcPort: 70000,
      exporterPort: 2884.5,
      rsList: "10.0.0.1",
      name: "bad name",
    });
    assert.deepEqual(failures.map((f) => f.property).sort(), ["endpoint", "exporterPort", "homePath", "name", "rpcPort", "rsList", "sqlPort"]);
    for (const f of failures) assert.ok(f.reason.length > 5, JSON.stringify(f));
  });

  it("rejects homePath with '..', '/', shell characters", () => {
    for (const homePath of ["/home/../etc", "/", "//", "/home/a b", "/home/$(rm -rf)", "/home/a;b", "/home/a\nb", "../x"]) {
      assert.deepEqual(properties({ ...valid, homePath }), ["homePath"], `one reason per property: ${homePath}`);
    }
  });

  it("rejects rsList and configUrl together, and malformed rs entries", () => {
    assert.deepEqual(properties({ ...valid, configUrl: "http://cfg" }), ["configUrl"]);
    for (const rsList of ["", "10.0.0.1:0", "10.0.0.1:2881;", "300.1.1.1:2881", "a b:2881", "10.0.0.1:2881;;10.0.0.2:2881"]) {
      assert.deepEqual(properties({ ...valid, rsList }), ["rsList"], rsList);
    }
    assert.deepEqual(properties({ ...valid, rsList: "10.0.0.1:2881;ob-2.example.com:2881;[::1]:2881" }), []);
  });

  it("rejects bad parameter keys and values", () => {
    const failures = checkInputs({ ...valid, parameters: { "bad-key": "1", ok: "a,b", n: 5, fine_key: "x" } });
    assert.deepEqual(failures.map((f) => f.property).sort(), ["parameters.bad-key", "parameters.n", "parameters.ok"]);
    assert.deepEqual(properties({ ...valid, parameters: "x" }), ["parameters"]);
  });

  it("rejects unknown timeout keys and invalid durations", () => {
    const failures = checkInputs({ ...valid, timeouts: { create: "20x", read: "1m", delete: -5, update: "0s" } });
    assert.deepEqual(failures.map((f) => f.property).sort(), ["timeouts.create", "timeouts.delete", "timeouts.read", "timeouts.update"]);
  });

  it("rejects unknown properties, TLS without https, cert without key", () => {
    assert.deepEqual(properties({ ...valid, sqlport: 1 }), ["sqlport"]);
    const pem = "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----";
    assert.deepEqual(properties({ ...valid, tls: { ca: pem } }), ["tls"]);
    assert.deepEqual(properties({ ...valid, endpoint: "https://h:2886", tls: { cert: pem } }), ["tls.key"]);
    assert.deepEqual(properties({ ...valid, endpoint: "https://h:2886", tls: { verify: true } }), ["tls.verify"]);
  });

  it("rejects endpoints that embed credentials and never echoes values", () => {
    const failures = checkInputs({ ...valid, endpoint: "http://root:hunter2@h:2886", proxyroPassword: 12345678 });
    assert.deepEqual(failures.map((f) => f.property).sort(), ["endpoint", "proxyroPassword"]);
    assert.ok(!JSON.stringify(failures).includes("hunter2"));
    assert.ok(!JSON.stringify(failures).includes("12345678"));
  });

  it("rejects two ports resolving to the same number, defaults included", () => {
    assert.deepEqual(properties({ ...valid, sqlPort: 2885 }), ["rpcPort"]);
    assert.deepEqual(properties({ ...valid, parameters: { listen_port: "2884" } }), ["exporterPort"]);
    assert.deepEqual(properties({ ...valid, parameters: { listen_port: "abc" } }), ["parameters.listen_port"]);
  });

  it("lets unknown values pass, top-level and nested", () => {
    const news = {
      endpoint: UNKNOWN,
      homePath: UNKNOWN,
      sqlPort: UNKNOWN,
      rsList: UNKNOWN,
      proxyroPassword: UNKNOWN,
      parameters: { listen_port: UNKNOWN, good: "x" },
      timeouts: { create: UNKNOWN },
      tls: { cert: UNKNOWN, key: "-----BEGIN KEY-----" },
      running: UNKNOWN,
    };
    assert.deepEqual(checkInputs(news), []);
    assert.deepEqual(checkInputs({ ...valid, parameters: UNKNOWN, timeouts: UNKNOWN, tls: UNKNOWN }), []);
    // A known bad sibling of an unknown value is still reported.
    assert.deepEqual(properties({ ...valid, parameters: { a: UNKNOWN, "b-c": "1" } }), ["parameters.b-c"]);
  });

  it("survives hostile shapes without throwing", async () => {
    const lifecycle = createLifecycle();
    const hostile: unknown[] = [null, [], "str", 5, { __proto__: { endpoint: 1 } }, { endpoint: {}, homePath: [] }];
    for (const news of hostile) {
      const result = await lifecycle.check({}, (news ?? {}) as Record<string, unknown>);
      assert.ok(Array.isArray(result.failures));
    }
    const deep = { ...valid, parameters: JSON.parse('{"__proto__": "x", "constructor": "y"}') };
    const result = await lifecycle.check({}, deep);
    assert.ok(Array.isArray(result.failures));
  });

  it("returns the news unchanged as inputs", async () => {
    const news = { ...valid, __provider: "p" };
    const result = await createLifecycle().check({}, news);
    assert.deepEqual(result.inputs, news);
    assert.deepEqual(result.failures, []);
  });
});

import assert from "node:assert/strict";
import { parseEndpoint, parsePin, resolveOptions } from "../../../src/obshell/options";
import { isConfigError } from "../../../src/obshell/errors";

describe("obshell options", () => {
  it("applies every default once", () => {
    const o = resolveOptions({ endpoint: "http://127.0.0.1:2886/" });
    assert.equal(o.endpoint, "http://127.0.0.1:2886");
    assert.equal(o.requestTimeoutMs, 30_000);
    assert.equal(o.maxResponseBytes, 4 * 1024 * 1024);
    assert.equal(o.readRetries, 3);
    assert.equal(o.headerLifetimeSec, 60);
    assert.equal(o.taskMinDurationsMs["Start obproxy"], 10_000);
    assert.equal(o.password(), undefined);
  });

  it("reads a password function at call time", () => {
    let pw = "a";
    const o = resolveOptions({ endpoint: "https://h:1", agentPassword: () => pw });
    pw = "b";
    assert.equal(o.password(), "b");
  });

  for (const bad of ["", "127.0.0.1:2886", "ftp://h", "http://h/api", "http://h?x=1", "not a url", 42 as unknown as string]) {
    it(`rejects endpoint ${JSON.stringify(bad)} with ConfigError(endpoint)`, () => {
      assert.throws(() => parseEndpoint(bad), (e: unknown) => isConfigError(e) && e.field === "endpoint");
    });
  }

  it("never echoes credentials in an endpoint", () => {
    assert.throws(() => parseEndpoint("http://root:hunter2@h:2886"), (e: Error) => !e.message.includes("hunter2"));
  });

  it("parses pins: sha256 hex (with prefix), base64 DER; rejects junk", () => {
    const hex = "ab".repeat(32);
    assert.deepEqual(parsePin(`sha256:${hex.toUpperCase()}`), { kind: "sha256", hex });
    assert.equal(parsePin("MIGJAoGBALFW").kind, "der");
    assert.throws(() => parsePin("sha256:zz"), isConfigError);
    assert.throws(() => parsePin("not base64!"), isConfigError);
  });

  it("rejects bad numbers naming the field", () => {
    assert.throws(() => resolveOptions({ endpoint: "http://h:1", requestTimeoutMs: 0 }), (e: unknown) => isConfigError(e) && e.field === "requestTimeoutMs");
    assert.throws(() => resolveOptions({ endpoint: "http://h:1", readRetries: 1.5 }), (e: unknown) => isConfigError(e) && e.field === "readRetries");
    assert.throws(() => resolveOptions({ endpoint: "http://h:1", taskMinDurationsMs: { x: -1 } }), (e: unknown) => isConfigError(e) && e.field === "taskMinDurationsMs");
  });
});

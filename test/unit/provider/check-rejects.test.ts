/**
 * Issue 9, item 7: input that can only fail later (or fail silently) is rejected by check, naming the property,
 * before any request; an endpoint the client cannot parse never escapes the operation's error handling unlabelled.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, createHash } from "node:crypto";
import fc from "fast-check";
import { checkInputs } from "../../../src/provider/check";
import { createLifecycle } from "../../../src/provider/lifecycle";
import { parseEndpoint, parsePin } from "../../../src/obshell/options";
import { isObshellError } from "../../../src/obshell";

const valid = { endpoint: "http://127.0.0.1:2886", homePath: "/home/admin/obproxy", rsList: "10.0.0.1:2881" };

function properties(news: Record<string, unknown>): string[] {
  return checkInputs(news).map((f) => f.property);
}

const der = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "pkcs1", format: "der" });

describe("provider check rejects what would fail later", () => {
  it("TLS settings with an http endpoint are an error whatever the scheme's case (TLS would be silently unused)", () => {
    const tls = { ca: "-----BEGIN CERTIFICATE-----\n…" };
    for (const endpoint of ["http://h:2886", "HTTP://h:2886", "Http://h:2886"]) {
      assert.deepEqual(properties({ ...valid, endpoint, tls }), ["tls"], endpoint);
    }
    assert.deepEqual(properties({ ...valid, endpoint: "HTTPS://h:2886", tls }), []);
  });

  it("an endpoint with leading or trailing spaces, a path, a query or a fragment fails on endpoint", () => {
    for (const endpoint of [" http://h:2886", "https://h:2886 ", "http://h:2886/api", "http://h:2886/x/", "http://h:2886?a=1", "http://h:2886/?", "http://h:2886#frag", "http://h:2886/#"]) {
      const failures = checkInputs({ ...valid, endpoint });
      assert.deepEqual(failures.map((f) => f.property), ["endpoint"], endpoint);
      assert.ok(!failures[0]!.reason.includes("h:2886"), "the reason does not echo the value");
    }
  });

  it("every endpoint check accepts is one the client parses (no unlabelled client error after a passing check)", () => {
    const piece = fc.constantFrom("", "/", "?", "#", "/.", "/a", " ", ":2886", ":0", ":99999", "@", "user:pw@", "%20", "\t");
    fc.assert(
      fc.property(fc.constantFrom("http://", "HTTP://", "https://", "ftp://", ""), fc.constantFrom("h", "H", "[::1]", "10.0.0.5", ""), piece, piece, (s, h, a, b) => {
        const endpoint = `${s}${h}${a}${b}`;
        if (properties({ ...valid, endpoint }).includes("endpoint")) return;
        assert.doesNotThrow(() => parseEndpoint(endpoint), endpoint);
      }),
      { numRuns: 500 },
    );
  });

  it("a key pin must be base64 PKCS#1 DER or a 64-hex SHA-256; 41 base64 characters, base64 SHA-256 and non-keys fail", () => {
    const hex = createHash("sha256").update(der).digest("hex");
    for (const pin of [der.toString("base64"), hex, `sha256:${hex}`, `SHA256:${hex.toUpperCase()}`]) {
      assert.deepEqual(properties({ ...valid, agentPublicKeyPin: pin }), [], pin);
      assert.doesNotThrow(() => parsePin(pin));
    }
    const b64sha = createHash("sha256").update(der).digest("base64");
    for (const pin of ["A".repeat(41), "A".repeat(44), Buffer.from("not a key at all, just text").toString("base64"), b64sha, `${hex}0`, "sha256:abc"]) {
      assert.deepEqual(properties({ ...valid, agentPublicKeyPin: pin }), ["agentPublicKeyPin"], pin);
    }
  });

  it("a homePath resolving to '/' ('/.', '/./', '//.') fails on homePath", () => {
    for (const homePath of ["/.", "/./", "//.", "/./."]) assert.deepEqual(properties({ ...valid, homePath }), ["homePath"], homePath);
  });

  it("port parameters (listen_port, rpc_listen_port, prometheus_listen_port) must be ports in 1–65535, explicit port or not", () => {
    for (const param of ["listen_port", "rpc_listen_port", "prometheus_listen_port"]) {
      for (const v of ["0", "99999", "65536", "-1", "2883a", ""]) {
        assert.deepEqual(properties({ ...valid, parameters: { [param]: v } }), [`parameters.${param}`], `${param}=${v}`);
      }
      assert.deepEqual(properties({ ...valid, parameters: { [param]: "3883" } }), []);
    }
    assert.deepEqual(properties({ ...valid, sqlPort: 3883, parameters: { listen_port: "99999" } }), ["parameters.listen_port"]);
  });

  it("a timeout below 1s fails on that timeout", () => {
    assert.deepEqual(properties({ ...valid, timeouts: { delete: "1ms", create: "999ms", update: 0.5 } }).sort(), ["timeouts.create", "timeouts.delete", "timeouts.update"]);
    assert.deepEqual(properties({ ...valid, timeouts: { delete: "1s", create: 1, update: "1500ms" } }), []);
  });

  it("an endpoint the client cannot parse fails the operation labelled with the resource, never outside its error handling", async () => {
    const lifecycle = createLifecycle({ sink: () => undefined });
    for (const endpoint of ["http://h:2886/api", "not a url", ""]) {
      const err = await lifecycle.create({ ...valid, endpoint, resourceName: "proxy", agentPassword: "pw-123456" }).then(
        () => assert.fail("create succeeded"),
        (e: Error) => e,
      );
      assert.ok(isObshellError(err), `${err.name}: ${err.message}`);
      assert.match(err.message, /^\[[\w.]+\] ObProxy proxy \(.*\): /);
      assert.match(err.message, /endpoint/);
    }
  });
});

/**
 * Issue 9, item 5: a cosmetic edit of the endpoint or homePath names the same place and is never a replacement
 * (a replacement deletes first, which wipes the installation). States written before normal forms existed hold the
 * raw text, so diff must compare normal forms on both sides.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { diffProps } from "../../../src/provider/diff";
import { createLifecycle } from "../../../src/provider/lifecycle";
import { normalizeEndpoint, normalizeHomePath } from "../../../src/provider/normalize";

const base = { endpoint: "http://h:2886", homePath: "/opt/obproxy", rsList: "10.0.0.1:2881", __provider: "P1" };
const olds = { ...base, sqlPort: 2883, rpcPort: 2885, exporterPort: 2884, running: true, adopt: false, managed: true };
const lifecycle = createLifecycle({ sink: () => undefined });

describe("provider normal forms (endpoint, homePath)", () => {
  it("the same place spelled differently is not a replacement: scheme/host case, default port, trailing '/', '.' segments", () => {
    const sameEndpoint = ["http://h:2886/", "HTTP://h:2886", "http://H:2886", "Http://H:2886/", "http://h:2886/.", "http://h:2886/./"];
    for (const endpoint of sameEndpoint) {
      assert.deepEqual(diffProps(olds, { ...base, endpoint }), { changes: false, replaces: [] }, endpoint);
    }
    const sameHome = ["/opt/obproxy/", "/opt//obproxy", "/opt/./obproxy", "/./opt/obproxy/.", "//opt/obproxy//"];
    for (const homePath of sameHome) {
      assert.deepEqual(diffProps(olds, { ...base, homePath }), { changes: false, replaces: [] }, homePath);
    }
    assert.deepEqual(diffProps({ ...olds, endpoint: "https://h" }, { ...base, endpoint: "https://H:443/" }), { changes: false, replaces: [] });
    assert.deepEqual(diffProps({ ...olds, endpoint: "http://h:80" }, { ...base, endpoint: "http://h" }), { changes: false, replaces: [] });
  });

  it("an old state holding raw text compares normalized against the new normal form", () => {
    const rawOld = { ...olds, endpoint: "HTTP://h:2886/", homePath: "/opt/obproxy/" };
    assert.deepEqual(diffProps(rawOld, base), { changes: false, replaces: [] });
  });

  it("a different place is still a replacement: other host, port, scheme or directory", () => {
    for (const [key, value] of [
      ["endpoint", "http://h2:2886"],
      ["endpoint", "http://h:2887"],
      ["endpoint", "https://h:2886"],
      ["homePath", "/opt/obproxy2"],
      ["homePath", "/opt/OBPROXY"],
    ]) {
      assert.deepEqual(diffProps(olds, { ...base, [key!]: value }).replaces, [key], `${key}=${value}`);
    }
  });

  it("check hands the engine the normal forms, so state stores one spelling per place", async () => {
    const { inputs, failures } = await lifecycle.check({}, { ...base, endpoint: "HTTP://H:2886/", homePath: "/opt//obproxy/./" });
    assert.deepEqual(failures, []);
    assert.equal(inputs.endpoint, "http://h:2886");
    assert.equal(inputs.homePath, "/opt/obproxy");
  });

  it("normal forms are idempotent and every accepted spelling of a place normalizes to one value", () => {
    const host = fc.constantFrom("h", "10.0.0.5", "[::1]", "agent.example.com");
    fc.assert(
      fc.property(host, fc.integer({ min: 1, max: 65535 }), fc.boolean(), fc.boolean(), (h, port, upper, slash) => {
        const plain = `http://${h}:${port}`;
        const odd = `${upper ? "HTTP" : "http"}://${upper ? h.toUpperCase() : h}:${port}${slash ? "/" : ""}`;
        const n = normalizeEndpoint(plain);
        assert.equal(normalizeEndpoint(odd), n);
        assert.equal(normalizeEndpoint(n), n);
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom("a", "b1", ".", "", "x_y"), { minLength: 1, maxLength: 6 }), (parts) => {
        const n = normalizeHomePath(`/${parts.join("/")}`);
        assert.equal(normalizeHomePath(n), n);
        assert.equal(normalizeHomePath(`${n}/`), n);
      }),
    );
  });
});

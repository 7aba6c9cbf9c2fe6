import { strict as assert } from "node:assert";
import { randomBytes } from "node:crypto";
import type { Simulator } from "../../../src/simulator";
import { decodeGoHeader, decodeStdBase64Partial } from "../../../src/simulator/go-decode";
import { call, startTestSim } from "./helpers";

describe("simulator: robustness", () => {
  let sim: Simulator;
  beforeEach(async () => (sim = await startTestSim()));
  afterEach(() => sim.stop());

  it("garbage headers and wrong-length bodies always get an envelope; the agent keeps serving", async () => {
    const headers = ["", "=", "AAAA", "A".repeat(172), randomBytes(128).toString("base64"), "not base64 at all!", randomBytes(300).toString("base64")];
    for (const h of headers) {
      const r = await fetch(`${sim.url}/api/v1/obproxy/stop`, { method: "POST", headers: { "X-OCS-Agent-Header": h }, body: randomBytes(37) });
      const j = (await r.json()) as any;
      assert.equal(j.successful, false, h);
    }
    for (const len of [1, 15, 17, 33]) {
      const r = await call(sim, "/api/v1/obproxy", { rawBody: randomBytes(len).toString("base64"), plainBody: true });
      assert.ok([400, 500].includes(r.status), `${len}: ${r.status}`);
    }
    const j = await call(sim, "/api/v1/obproxy", { headerJsonText: "[1,2]" });
    assert.equal(j.json.error.message, "Decrypt http header failed: json: cannot unmarshal array into Go value of type secure.HttpHeader");
    assert.equal((await call(sim, "/api/v1/info", { headerName: null })).status, 200);
  });

  it("Go decoding helpers: field case folding, partial base64", () => {
    const h = decodeGoHeader('{"AUTH":"a","ts":"1","Uri":"/x","keys":"AAAA","unknown":5,"auth":"b"}');
    assert.equal(h.Auth, "b");
    assert.equal(h.Keys!.length, 3);
    assert.throws(() => decodeGoHeader('{"Ts":1}'), /cannot unmarshal number into Go struct field HttpHeader.Ts of type string/);
    assert.deepEqual(decodeStdBase64Partial("AAAAAA"), { bytes: Buffer.alloc(3), error: "illegal base64 data at input byte 4" });
    assert.equal(decodeStdBase64Partial("AAAA{").bytes.length, 3);
    assert.equal(decodeStdBase64Partial("AA==").bytes.length, 1);
  });
});

import { strict as assert } from "node:assert";
import { encodeAesKeys, generateAesKeys, encryptBody } from "../../../src/obshell/crypto";
import type { Simulator } from "../../../src/simulator";
import { OCEANBASE_HEADER, addBody, call, startTestSim } from "./helpers";

const STOP = "/api/v1/obproxy/stop";

describe("simulator: request pipeline (§2, §7.4)", () => {
  let sim: Simulator;
  beforeEach(async () => (sim = await startTestSim()));
  afterEach(() => sim.stop());

  it("round trip: header fields and body arrive decrypted (request log)", async () => {
    const r = await call(sim, "/api/v1/obproxy", { body: addBody("/h", { obproxy_sys_password: "secret-sys" }) });
    assert.equal(r.status, 200, r.text);
    const e = sim.requests().at(-1)!;
    assert.equal(e.header, "X-OCS-Agent-Header");
    assert.equal(e.headerFields!.uri, "/api/v1/obproxy");
    assert.equal(e.headerFields!.keysBytes, 32);
    assert.equal((e.body as any).home_path, "/h");
    assert.equal((e.body as any).obproxy_sys_password, "******");
    assert.ok(!JSON.stringify(sim.requests()).includes("agentpwd"));
  });

  it("chunking: SDK 53-byte and k-11 chunks, 500+ byte headers", async () => {
    const pad = "x".repeat(500);
    const ts = String(Math.floor(Date.now() / 1000) + 60);
    const text = JSON.stringify({ auth: "agentpwd", ts, uri: "/api/v1/task/dag/agent/unfinish", keys: null, Token: pad });
    const r = await call(sim, "/api/v1/task/dag/agent/unfinish", { headerJsonText: text });
    assert.equal(r.status, 200, r.text);
  });

  it("accepts Python (lowercase) and Go (capitalised, Keys null) header keys", async () => {
    assert.equal((await call(sim, "/api/v1/task/dag/agent/unfinish", { style: "python" })).status, 200);
    const go = await call(sim, "/api/v1/task/dag/agent/unfinish", { style: "go" });
    assert.equal(go.status, 200, go.text);
    assert.deepEqual(sim.requests().at(-1)!.headerFields!.jsonKeys, ["Auth", "Ts", "Uri", "Keys"]);
  });

  it("numeric ts, unpadded and URL-safe keys give 401 DecryptFailed with code 1 (≥4.4.2)", async () => {
    const keys = encodeAesKeys(generateAesKeys());
    for (const fields of [{ ts: 1893456000 }, { keys: keys.replace(/=+$/, "") }, { keys: keys.replace(/\+/g, "-").replace(/\//g, "_") + "-_" }]) {
      const r = await call(sim, STOP, { method: "POST", fields });
      assert.equal(r.status, 401, JSON.stringify(fields));
      assert.equal(r.json.error.errCode, "Security.Authentication.Header.DecryptFailed");
      assert.equal(r.json.error.code, 1);
      assert.match(r.json.error.message, /^Decrypt http header failed: /);
      assert.equal(r.json.traceId, "");
      assert.equal(r.contentType, "application/json; charset=utf-8");
    }
  });

  it("auth matrix on /api/v1/obproxy/stop", async () => {
    const cases: Array<[string, Parameters<typeof call>[2], number, string, boolean]> = [
      ["no header", { method: "POST", headerName: null }, 400, "Request.Header.NotFound", false],
      ["X-OCS-Header", { method: "POST", headerName: OCEANBASE_HEADER }, 400, "Request.Header.NotFound", false],
      ["uri without query", { method: "POST", fields: { uri: "/api/v1/obproxy/stop?x=1" } }, 401, "Security.Authentication.Header.UriMismatch", true],
      ["expired", { method: "POST", tsOffsetSec: -1 }, 401, "Security.Authentication.Expired", true],
      ["ts abc", { method: "POST", fields: { ts: "abc" } }, 401, "Security.Authentication.Timestamp.Invalid", true],
      ["wrong password", { method: "POST", password: "nope" }, 401, "Security.Authentication.IncorrectAgentPassword", true],
    ];
    for (const [name, o, status, errCode, has10008] of cases) {
      const r = await call(sim, STOP, o);
      assert.equal(r.status, status, name);
      assert.equal(r.json.error.errCode, errCode, name);
      assert.equal(r.json.error.code === 10008, has10008, `${name}: code ${r.json.error.code}`);
      if (status === 401 && errCode !== "Security.Authentication.Header.UriMismatch") assert.match(r.json.error.message, /^Unauthorized: /, name);
    }
    const ok = await call(sim, STOP, { method: "POST" });
    assert.equal(ok.status, 400); // authenticated; nothing managed
    assert.equal(ok.json.error.errCode, "OBProxy.NotBeManaged");
    sim.control.setAgentPassword(null);
    const r = await call(sim, STOP, { method: "POST" });
    assert.equal(r.json.error.errCode, "Security.Authentication.AgentPasswordNotInitialized");
    assert.equal(r.json.error.message, "Unauthorized: Agent password is not initialized");
  });

  it("uri with a query must match exactly, and an empty auth skips the ts check", async () => {
    const r = await call(sim, "/api/v1/task/dag/agent/unfinish?show_details=True");
    assert.equal(r.status, 200);
    const e = await call(sim, STOP, { method: "POST", password: "", fields: { ts: "abc" } });
    assert.equal(e.json.error.errCode, "Security.Authentication.IncorrectAgentPassword");
  });

  it("body pitfalls: 20-byte keys panic, plain JSON, bad padding, empty body", async () => {
    const short = Buffer.alloc(20, 1).toString("base64");
    const p = await call(sim, "/api/v1/obproxy", { body: addBody(), fields: { keys: short } });
    assert.equal(p.status, 500);
    assert.deepEqual(p.json.error, { errCode: "Common.Unexpected", message: "Unexpected error: Internal Server Error" });
    assert.equal(p.json.traceId, "");
    const k8 = await call(sim, "/api/v1/obproxy", { body: addBody(), fields: { keys: Buffer.alloc(8).toString("base64") } });
    assert.equal(k8.json.error.errCode, "Request.Body.Decrypt.AES.KeyAndIv.Invalid");
    assert.equal(k8.status, 500);
    const plain = await call(sim, "/api/v1/obproxy", { rawBody: "abcdefgh", plainBody: true });
    assert.equal(plain.status, 500);
    assert.equal(plain.json.error.errCode, "Request.Body.Decrypt.AES.ContentLength.Invalid");
    assert.equal(plain.json.error.message, "Unauthorized: Decrypted string length is not a multiple of the block size");
    const json = await call(sim, "/api/v1/obproxy", { rawBody: JSON.stringify(addBody()), plainBody: true });
    assert.equal(json.status, 500); // '{' stops Go's base64 at byte 0: empty ciphertext, unpad panics
    const keys = generateAesKeys();
    const garbage = await call(sim, "/api/v1/obproxy", { keys, rawBody: encryptBody("not json", keys), plainBody: true });
    assert.equal(garbage.json.error.errCode, "Common.BindJsonFailed");
    const empty = await call(sim, "/api/v1/obproxy", { method: "POST" });
    assert.equal(empty.json.error.message, "Bind JSON failed: Key: 'AddObproxyParam.HomePath' Error:Field validation for 'HomePath' failed on the 'required' tag");
  });

  it("garbage headers give 401 even on /info; unknown routes 404", async () => {
    const r = await fetch(`${sim.url}/api/v1/info`, { headers: { "X-OCS-Agent-Header": "%%%garbage" } });
    assert.equal(r.status, 401);
    const nf = await call(sim, "/api/v1/nope", { headerName: null });
    assert.equal(nf.status, 404);
    assert.deepEqual(nf.json.error, { errCode: "Common.NotFound", message: "Element not found: 404 not found" });
    const wrongMethod = await call(sim, "/api/v1/obproxy/stop", { method: "GET" });
    assert.equal(wrongMethod.status, 404);
  });

  it("a wrong key (rotated) fails to decrypt; the agent keeps serving", async () => {
    const { publicKey } = await import("./helpers");
    const old = await publicKey(sim);
    sim.control.rotateKey();
    const { encryptAuthHeader } = await import("../../../src/obshell/crypto");
    const h = encryptAuthHeader({ auth: "agentpwd", ts: "9999999999", uri: STOP, keys: null }, old);
    const r = await fetch(`${sim.url}${STOP}`, { method: "POST", headers: { "X-OCS-Agent-Header": h } });
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as any).error.code, 1);
    assert.equal((await call(sim, STOP, { method: "POST" })).json.error.errCode, "OBProxy.NotBeManaged");
  });

  it("info, status, secret, time", async () => {
    const info = (await call(sim, "/api/v1/info", { headerName: null })).json.data;
    assert.equal(info.version, "4.5.0.0-0");
    assert.equal(info.security, true);
    assert.deepEqual(info.supportedAuth, ["v2"]);
    assert.equal(info.isObproxyAgent, false);
    const status = (await call(sim, "/api/v1/status", { headerName: null })).json.data;
    assert.equal(status.version, "4.5.0.0-0");
    const secret = (await call(sim, "/api/v1/secret", { headerName: null })).json.data;
    assert.match(secret.public_key, /^MIGJAoGBA/);
    sim.control.skewClock(3_600_000);
    const t = (await call(sim, "/api/v1/time", { headerName: null })).json.data;
    assert.ok(Math.abs(Date.parse(t) - (Date.now() + 3_600_000)) < 5000, t);
  });

  it("sets the agent password: first on SINGLE without password, then only with the current one", async () => {
    sim.control.setAgentPassword(null);
    const set = await call(sim, "/api/v1/agent/password", { headerName: OCEANBASE_HEADER, password: "", body: { password: "new" } });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.json.data, undefined);
    const again = await call(sim, "/api/v1/agent/password", { headerName: OCEANBASE_HEADER, body: { password: "x" } });
    assert.equal(again.json.error.errCode, "Security.Authentication.WithAgentPassword");
    assert.equal((await call(sim, "/api/v1/agent/password", { password: "new", body: { password: "x" } })).status, 200);
  });
});

import { strict as assert } from "node:assert";
import { call, startTestSim } from "./helpers";

const STOP = "/api/v1/obproxy/stop";

describe("simulator: version generations (§0, §6, Appendix A)", () => {
  for (const version of ["4.2.6.0", "4.3.0.0"]) {
    it(`${version}: numeric codes, 512-bit key, old messages`, async () => {
      const sim = await startTestSim({ version, privateKeyPem: undefined });
      try {
        const secret = (await call(sim, "/api/v1/secret", { headerName: null })).json.data;
        assert.match(secret.public_key, /^MEgCQQ/);
        const noHeader = await call(sim, STOP, { method: "POST", headerName: null });
        assert.equal(noHeader.status, 401);
        assert.deepEqual(noHeader.json.error, { code: 10008, message: "Verification failed: aegnt header not found" });
        const wrong = await call(sim, STOP, { method: "POST", password: "x" });
        assert.deepEqual(wrong.json.error, { code: 10008, message: "Verification failed: access denied: agent password is incorrect" });
        const bad = await fetch(`${sim.url}${STOP}`, { method: "POST", headers: { "X-OCS-Agent-Header": "AAAA" } });
        assert.deepEqual(((await bad.json()) as any).error, { code: 10008, message: "Verification failed: header decrypt failed" });
        const start = await call(sim, "/api/v1/obproxy/start", { method: "POST" });
        assert.equal(start.status, 400);
        assert.equal(start.json.error.code, 1000);
        const nf = await call(sim, "/api/v1/nope", { headerName: null });
        assert.deepEqual([nf.status, nf.json.error], [400, { code: 1000, message: "Bad request: 404 not found" }]);
        assert.equal((await call(sim, "/api/v1/info", { headerName: null })).json.data.isObproxyAgent, false);
      } finally {
        await sim.stop();
      }
    });
  }

  it("4.3.1.0: errCode, 512-bit key, DecryptFailed without legacy code", async () => {
    const sim = await startTestSim({ version: "4.3.1.0", privateKeyPem: undefined });
    try {
      assert.match((await call(sim, "/api/v1/secret", { headerName: null })).json.data.public_key, /^MEgCQQ/);
      const bad = await fetch(`${sim.url}${STOP}`, { method: "POST", headers: { "X-OCS-Agent-Header": "AAAA" } });
      const err = ((await bad.json()) as any).error;
      assert.equal(err.errCode, "Security.Authentication.Header.DecryptFailed");
      assert.equal(err.code, undefined);
    } finally {
      await sim.stop();
    }
  });

  it("4.4.2.0: 1024-bit key and code 1", async () => {
    const sim = await startTestSim({ version: "4.4.2.0", privateKeyPem: undefined });
    try {
      assert.match((await call(sim, "/api/v1/secret", { headerName: null })).json.data.public_key, /^MIGJAoGBA/);
      const bad = await fetch(`${sim.url}${STOP}`, { method: "POST", headers: { "X-OCS-Agent-Header": "AAAA" } });
      assert.equal(((await bad.json()) as any).error.code, 1);
    } finally {
      await sim.stop();
    }
  });
});

/** The client's authentication against the simulator: the auth matrix, both envelope generations, keys, skew, pins. */
import assert from "node:assert/strict";
import { parseAgentPublicKey } from "../../../src/obshell/crypto";
import { isConfigError, isKeyPinMismatchError, isObshellApiError, isObshellVersionError } from "../../../src/obshell";
import { TEST_PUBLIC } from "../../helpers/raw-agent";
import { startRewritingProxy, type RewritingProxy } from "../../helpers/rewriting-proxy";
import { rejects, secret } from "../../helpers/secrets";
import { SIM_PW, WRONG_PW, addAndWait, simFixture } from "../../helpers/sim-client";

const DAG_ROUTE = "/api/v1/task/dag/agent/unfinish";

describe("client ↔ simulator: authentication", function () {
  this.timeout(30_000);
  const fx = simFixture();
  let proxy: RewritingProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await fx.closeAll();
  });

  for (const version of ["4.5.0.0", "4.3.0.0"]) {
    describe(`auth matrix on obshell ${version}`, () => {
      it("agent password not set → AgentPasswordNotInitialized, with how to set it", async () => {
        const { client } = await fx.start({ version, agentPassword: null });
        await rejects(client.stopObproxy(), (e) => isObshellApiError(e) && e.status === 401 && /POST \/api\/v1\/agent\/password/.test(e.hint ?? "") && /setAgentPassword/.test(e.hint ?? ""));
      });

      it("wrong password → 401 with the wrong-password hint", async () => {
        const { client } = await fx.start({ version }, { agentPassword: WRONG_PW });
        const e = await rejects(client.stopObproxy(), (x) => isObshellApiError(x) && x.status === 401 && /password is wrong/.test(x.hint ?? ""));
        assert.equal(e.errCode, version === "4.5.0.0" ? "Security.Authentication.IncorrectAgentPassword" : undefined);
        assert.equal(e.code, 10008);
      });

      it("the right password → 200", async () => {
        const { client } = await fx.start({ version });
        assert.deepEqual(await client.getUnfinishedDags(), []);
      });

      it("a proxy rewriting the query → URI mismatch, with the proxy hint", async () => {
        const { sim } = await fx.start({ version });
        proxy = await startRewritingProxy(sim.url, (t) => t.replace("show_details=true", "show_details=1"));
        const c = fx.client(proxy.url);
        await rejects(c.getDag("42130706433028861"), (e) => isObshellApiError(e) && e.status === 401 && /proxy/.test(e.hint ?? ""));
      });

      it("a rotated key: refetches it and resends once", async () => {
        const { sim, client } = await fx.start({ version, privateKeyPem: undefined });
        await client.getUnfinishedDags();
        sim.control.rotateKey();
        await client.getUnfinishedDags();
        const log = sim.requests();
        assert.equal(log.filter((r) => r.path === "/api/v1/secret").length, 2);
        assert.deepEqual(log.filter((r) => r.path === DAG_ROUTE).map((r) => r.status), [200, 401, 200]);
      });
    });
  }

  it("a rotated key on 4.4.1.0 (errCode without legacy code 1) is also recognized", async () => {
    const { sim, client } = await fx.start({ version: "4.4.1.0", privateKeyPem: undefined });
    await addAndWait(client);
    sim.control.rotateKey();
    // A DAG-creating POST rejected at header decryption created nothing: it is resent once, and runs once.
    const stop = await client.stopObproxy();
    await client.waitForDag(stop.id, { deadline: Date.now() + 20_000 });
    assert.deepEqual(sim.requests().filter((r) => r.path === "/api/v1/obproxy/stop").map((r) => r.status), [401, 200]);
    assert.equal(sim.control.state().dags.filter((d) => d.name === "Stop obproxy").length, 1);
  });

  it("corrects clock skew at the first call, and re-measures after Expired", async () => {
    const { sim, client } = await fx.start();
    sim.control.skewClock(600_000);
    await client.getUnfinishedDags();
    sim.control.skewClock(1_200_000);
    await client.getUnfinishedDags();
    const log = sim.requests();
    assert.deepEqual(log.filter((r) => r.path === DAG_ROUTE).map((r) => r.errCode ?? r.status), [200, "Security.Authentication.Expired", 200]);
    assert.equal(log.filter((r) => r.path === "/api/v1/time").length, 2);
  });

  it("no agent password configured → ConfigError, nothing sent", async () => {
    const { sim } = await fx.start();
    const c = fx.client(sim.url, { agentPassword: () => undefined });
    await rejects(c.stopObproxy(), (e) => isConfigError(e) && e.field === "agentPassword");
    assert.equal(sim.requests().length, 0);
  });

  it("sets the first agent password on a SINGLE agent, then uses it", async () => {
    const { sim } = await fx.start({ agentPassword: null });
    const c = fx.client(sim.url, { agentPassword: undefined });
    await c.setAgentPassword(SIM_PW);
    assert.equal(sim.control.state().agentPasswordSet, true);
    assert.deepEqual(await c.getUnfinishedDags(), []);
    const newer = secret("Newer-Agent-Pw-42");
    await c.setAgentPassword(newer);
    await rejects(fx.client(sim.url).getUnfinishedDags(), (e) => isObshellApiError(e) && e.status === 401);
    assert.deepEqual(await fx.client(sim.url, { agentPassword: newer }).getUnfinishedDags(), []);
    await rejects(fx.client(sim.url, { agentPassword: WRONG_PW }).setAgentPassword(SIM_PW), (e) => isObshellApiError(e) && e.status === 401);
  });

  it("pins the agent key: a match works, a rotated key → KeyPinMismatchError before the password is sent again", async () => {
    const { sim } = await fx.start();
    const fingerprint = parseAgentPublicKey(TEST_PUBLIC).fingerprint;
    const byHash = fx.client(sim.url, { publicKeyPin: `sha256:${fingerprint}` });
    const byDer = fx.client(sim.url, { publicKeyPin: TEST_PUBLIC });
    await byHash.getUnfinishedDags();
    await byDer.getUnfinishedDags();
    sim.control.rotateKey();
    const before = sim.requests().filter((r) => r.path === DAG_ROUTE).length;
    await rejects(byHash.getUnfinishedDags(), (e) => isKeyPinMismatchError(e) && e.actualFingerprint !== fingerprint);
    // Only the request under the old (pinned) key went out; none under the new one.
    assert.equal(sim.requests().filter((r) => r.path === DAG_ROUTE).length, before + 1);
    const fresh = fx.client(sim.url, { publicKeyPin: TEST_PUBLIC });
    await rejects(fresh.stopObproxy(), isKeyPinMismatchError);
    assert.equal(sim.requests().filter((r) => r.path === "/api/v1/obproxy/stop").length, 0);
  });

  it("gates on the obshell version", async () => {
    const ok = await fx.start({ version: "4.2.6.0" });
    assert.equal((await ok.client.assertObproxySupported()).version, "4.2.6.0-0");
    const old = await fx.start({ version: "4.2.5.0" });
    await rejects(old.client.assertObproxySupported(), (e) => isObshellVersionError(e) && e.version === "4.2.5.0-0" && e.minimum === "4.2.6.0");
  });
});

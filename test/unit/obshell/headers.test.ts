import assert from "node:assert/strict";
import { inspect } from "node:util";
import { createObshellClient } from "../../../src/obshell/client";
import { buildTs } from "../../../src/obshell/auth";
import { agentKeyPairFromPem, generateAgentKeyPair, parseAgentPublicKey } from "../../../src/obshell/crypto";
import { isConfigError, isKeyPinMismatchError, isNetworkError, isObshellApiError } from "../../../src/obshell/errors";
import { fakeClock } from "../../helpers/fake-clock";
import { fakeSender } from "../../helpers/fake-sender";
import { DAG_ID, deleteDag } from "../../helpers/dags";
import { TEST_PEM, fail, ok } from "../../helpers/raw-agent";
import { rejects, secret, secretCount, testLog } from "../../helpers/secrets";

const PW = secret("Test-Pa55word!");
const dagOk = () => ({ status: 200, body: ok(deleteDag(1, "READY")) });

function client(route: Parameters<typeof fakeSender>[0], extra: { agentOffset?: number; publicKey?: () => string; pin?: string } = {}) {
  const clock = fakeClock();
  const sender = fakeSender(route, { agentNow: () => clock.now() + (extra.agentOffset ?? 0), ...(extra.publicKey ? { publicKey: extra.publicKey } : {}) });
  const c = createObshellClient({ endpoint: "http://127.0.0.1:2886", agentPassword: PW, clock, log: testLog, ...(extra.pin ? { publicKeyPin: extra.pin } : {}) }, { sender });
  return { c, sender, clock };
}

describe("X-OCS-Agent-Header", () => {
  it("Ts = floor(now + skew) + lifetime, as a string", () => {
    assert.equal(buildTs(1_000_999, 0, 60), "1060");
    assert.equal(buildTs(1_000_000, 5_000, 60), "1065");
  });

  it("signs the exact request target, query included; no Keys without a body", async () => {
    const { c, sender } = client(dagOk);
    await c.getDag(DAG_ID);
    const r = sender.sent.find((s) => s.header)!;
    assert.equal(r.target, `/api/v1/task/dag/${DAG_ID}?show_details=true`);
    assert.equal(r.header!.uri, r.target);
    assert.equal(r.header!.auth, PW);
    assert.equal(r.header!.keys, null);
    assert.equal(r.body, undefined);
  });

  it("encrypts a JSON body under the header's keys", async () => {
    const { c, sender } = client(() => ({ status: 200, body: ok() }));
    await c.operateDag(DAG_ID, "RETRY");
    const r = sender.sent.find((s) => s.header)!;
    assert.equal(r.plainBody, '{"operator":"retry"}');
    assert.equal(r.headers["Content-Type"], "application/json");
  });

  it("applies a measured skew beyond 2 s to Ts, and ignores a small one", async () => {
    for (const [offset, applied] of [[45_000, 45], [1_500, 0]] as const) {
      const { c, sender, clock } = client(dagOk, { agentOffset: offset });
      await c.stopObproxy();
      const r = sender.sent.find((s) => s.header)!;
      assert.equal(Number(r.header!.ts), Math.floor(clock.now() / 1000) + applied + 60);
    }
  });

  it("measures skew and fetches the key once per client", async () => {
    const { c, sender } = client(dagOk);
    await c.stopObproxy();
    await c.getDag(DAG_ID);
    assert.equal(sender.sent.filter((s) => s.target === "/api/v1/secret").length, 1);
    assert.equal(sender.sent.filter((s) => s.target === "/api/v1/time").length, 1);
  });

  it("concurrent first calls share one key fetch and one skew measurement", async () => {
    const { c, sender } = client(dagOk);
    await Promise.all([c.stopObproxy(), c.getDag(DAG_ID), c.getUnfinishedDags().catch(() => undefined)]);
    assert.equal(sender.sent.filter((s) => s.target === "/api/v1/secret").length, 1);
    assert.equal(sender.sent.filter((s) => s.target === "/api/v1/time").length, 1);
  });

  it("a caller aborting during the shared key fetch fails alone, as NetworkError aborted", async () => {
    const { c, sender } = client(dagOk);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const send = sender.send.bind(sender);
    sender.send = async (req, o) => {
      if (req.target === "/api/v1/secret") await gate;
      return send(req, o);
    };
    const ctl = new AbortController();
    const first = c.stopObproxy({ signal: ctl.signal });
    const second = c.getDag(DAG_ID);
    ctl.abort();
    await rejects(first, (e) => isNetworkError(e) && e.kind === "aborted");
    release();
    assert.equal((await second).id, DAG_ID);
    assert.equal(sender.sent.filter((s) => s.target === "/api/v1/obproxy/stop").length, 0, "the aborted POST was never sent");
  });

  it("after an Expired answer re-measures the skew and resends once", async () => {
    let n = 0;
    const { c, sender } = client(() => (n++ === 0 ? { status: 401, body: fail(401, { code: 10008, errCode: "Security.Authentication.Expired", message: "Unauthorized: Authentication expired" }) } : dagOk()));
    await c.stopObproxy();
    assert.equal(sender.sent.filter((s) => s.target === "/api/v1/obproxy/stop").length, 2);
    assert.equal(sender.sent.filter((s) => s.target === "/api/v1/time").length, 2);
  });

  it("after a decrypt failure refetches the key and resends once; a second one is thrown", async () => {
    const decrypt = { status: 401, body: fail(401, { code: 1, errCode: "Security.Authentication.Header.DecryptFailed", message: "Decrypt http header failed: crypto/rsa: decryption error" }) };
    const { c, sender } = client(() => decrypt);
    await rejects(c.stopObproxy(), (e: unknown) => isObshellApiError(e) && e.errCode === "Security.Authentication.Header.DecryptFailed");
    assert.equal(sender.sent.filter((s) => s.target === "/api/v1/obproxy/stop").length, 2);
    assert.equal(sender.sent.filter((s) => s.target === "/api/v1/secret").length, 2);
  });

  it("a pin mismatch is thrown before any password is sent", async () => {
    const other = generateAgentKeyPair(1024).publicKeyBase64;
    const pin = parseAgentPublicKey(agentKeyPairFromPem(TEST_PEM).publicKeyBase64).fingerprint;
    const { c, sender } = client(dagOk, { publicKey: () => other, pin: `sha256:${pin}` });
    await rejects(c.stopObproxy(), isKeyPinMismatchError);
    assert.equal(sender.sent.filter((s) => s.header).length, 0);
    const good = client(dagOk, { pin: agentKeyPairFromPem(TEST_PEM).publicKeyBase64 });
    await good.c.stopObproxy();
  });

  it("no password → ConfigError(agentPassword) and nothing sent", async () => {
    const sender = fakeSender(dagOk);
    const c = createObshellClient({ endpoint: "http://127.0.0.1:2886", agentPassword: () => undefined }, { sender });
    await rejects(c.stopObproxy(), (e: unknown) => isConfigError(e) && e.field === "agentPassword");
    assert.equal(sender.sent.length, 0);
  });

  it("never puts the password or header into a thrown error", async () => {
    const { c } = client(() => ({ status: 401, body: fail(401, { code: 10008, errCode: "Security.Authentication.IncorrectAgentPassword", message: "Unauthorized: Agent password is incorrect" }) }));
    const before = secretCount();
    const e = await rejects(c.stopObproxy(), isObshellApiError);
    assert.ok(secretCount() > before, "the double registered the header it received");
    for (const text of [JSON.stringify(e), inspect(e, { depth: 10, showHidden: true }), String((e as Error).stack)]) {
      assert.ok(!text.includes(PW), "password leaked");
      assert.ok(!/X-OCS-Agent-Header"?\s*[:=]/.test(text), "header leaked");
    }
  });
});

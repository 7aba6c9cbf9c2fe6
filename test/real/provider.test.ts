/**
 * The provider's lifecycle against a real obshell agent (opt-in: OBSHELL_BIN): create, refresh, stop/start, delete
 * with the DELETE's answer lost on the way back (the agent started the Delete DAG; destroy must find and wait for it,
 * never start a second one), and a wrong agent password.
 */
import assert from "node:assert/strict";
import { createObshellClient } from "../../src/obshell";
import { createLifecycle } from "../../src/provider/lifecycle";
import { createFakeObproxyHome } from "../../src/simulator";
import { freePort } from "../helpers/resource-args";
import { assertNoSecrets, secret, testLog } from "../helpers/secrets";
import { CONFIG_URL, PROXYRO_PW, SYS_PW, killFake, report } from "./fixture";
import { forwardingProxy, skipWithoutObshell, startRealAgent, type RealAgent } from "./harness";

const AGENT_PW = secret("Real-Agent-pw-9b2e");

/** A proxy to the agent that forwards everything and, once, drops the answer of `DELETE /api/v1/obproxy`. */
async function answerLosingProxy(upstream: string): Promise<{ url: string; deletes: number[]; close(): Promise<void> }> {
  const deletes: number[] = [];
  let dropped = false;
  const proxy = await forwardingProxy(upstream, (req, answer) => {
    if (req.method !== "DELETE" || req.url?.split("?")[0] !== "/api/v1/obproxy") return "forward";
    deletes.push(answer.statusCode ?? 0);
    if (dropped) return "forward";
    dropped = true;
    return "drop";
  });
  return { url: proxy.url, deletes, close: proxy.close };
}

describe("real obshell: provider lifecycle", function () {
  this.timeout(15 * 60_000);
  let agent: RealAgent | undefined;
  const homes: string[] = [];

  before(async function () {
    skipWithoutObshell(this);
    agent = await startRealAgent();
    const c = createObshellClient({ endpoint: agent.url, agentPassword: AGENT_PW, log: testLog });
    await c.setAgentPassword(AGENT_PW);
    await c.close();
  });
  after(async () => {
    for (const h of homes) killFake(h);
    await agent?.stop();
  });

  async function inputs(endpoint: string): Promise<Record<string, any>> {
    const homePath = await createFakeObproxyHome(undefined, { maxLifetimeMs: 30 * 60_000 });
    homes.push(homePath);
    return {
      endpoint, homePath, configUrl: CONFIG_URL, sqlPort: await freePort(), rpcPort: await freePort(), exporterPort: await freePort(),
      agentPassword: AGENT_PW, proxyroPassword: PROXYRO_PW, obproxySysPassword: SYS_PW, resourceName: "proxy", __provider: "exports.handler = () => ({});",
    };
  }

  it("create, refresh, stop, start, and a delete whose answer is lost: one Delete DAG, waited for, nothing left managed", async () => {
    const lines: string[] = [];
    const lifecycle = createLifecycle({ sink: (l) => lines.push(l) });
    const proxy = await answerLosingProxy(agent!.url);
    try {
      const ins = await inputs(proxy.url);
      let t = Date.now();
      const created = await lifecycle.create(ins);
      report("provider create", (Date.now() - t) / 1000);
      assert.equal(created.outs.managed, true);
      assert.equal(created.outs.running, true);
      const read = await lifecycle.read(created.id, created.outs);
      assert.equal(read.id, created.id);
      assert.equal(read.props?.running, true);
      const stopped = await lifecycle.update(created.id, created.outs, { ...ins, running: false });
      assert.equal(stopped.outs.running, false);
      const started = await lifecycle.update(created.id, stopped.outs, { ...ins, running: true });
      assert.equal(started.outs.running, true);
      t = Date.now();
      await lifecycle.delete(created.id, started.outs);
      report("provider delete (answer lost)", (Date.now() - t) / 1000, `DELETE answers seen by the proxy: ${proxy.deletes.join(",")}`);
      assert.equal(proxy.deletes.length, 1, "the lost DELETE is not sent again: its DAG is found and waited for");
      const c = createObshellClient({ endpoint: agent!.url, agentPassword: AGENT_PW, log: testLog });
      try {
        assert.equal((await c.getInfo()).isObproxyAgent, false);
        assert.equal(await c.findObproxyMaintenanceDag(), undefined, "no Delete DAG in flight");
      } finally {
        await c.close();
      }
      assert.equal((await lifecycle.read(created.id, started.outs)).id, undefined, "refresh after delete: gone");
      assertNoSecrets(lines.join("\n"), "progress lines");
    } finally {
      await proxy.close();
    }
  });

  it("a wrong agent password fails create with the field and obshell's error, before anything starts", async () => {
    const lifecycle = createLifecycle({ sink: () => undefined });
    const ins = await inputs(agent!.url);
    const err = await lifecycle.create({ ...ins, agentPassword: secret("Wrong-Real-pw-0a0a") }).then(
      () => assert.fail("create should fail"),
      (e: Error) => e,
    );
    assert.match(err.message, /IncorrectAgentPassword|agent password/i);
    assertNoSecrets(err);
  });
});

/**
 * Issue 9, item 9: the plain-HTTP threat model in docs/security.md holds as written. These tests prove what obshell's
 * protocol allows (against the simulator, which follows it): they document limits, not defects this package can fix.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createObshellClient } from "../../../src/obshell";
import { publicKeyFingerprint } from "../../../src/obshell/crypto";
import { resolveOptions } from "../../../src/obshell/options";
import { AGENT_HEADER } from "../../../src/obshell/schemas";
import type { Simulator } from "../../../src/simulator";
import { startOnPathProxy, type OnPathProxy } from "../../helpers/on-path";
import { AGENT_PASSWORD, capturingLifecycle, inputsFor, startSim } from "./fixture";

const DOC_PATH = join(__dirname, "../../../docs/security.md");

/** The agent's key pin, taken on the trusted side (directly from the simulator, not through the proxy). */
async function pinOf(sim: Simulator): Promise<string> {
  const client = createObshellClient({ endpoint: sim.url, agentPassword: AGENT_PASSWORD });
  try {
    return `sha256:${publicKeyFingerprint(Buffer.from((await client.getSecret()).public_key, "base64"))}`;
  } finally {
    await client.close();
  }
}

describe("plain-HTTP threat model (docs/security.md)", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let proxy: OnPathProxy;

  beforeEach(async () => {
    sim = await startSim();
    proxy = await startOnPathProxy(sim.url);
  });
  afterEach(async () => {
    await proxy.close();
    await sim.stop();
  });

  it("the doc states the client's real header lifetime and recommends https with tls.ca beyond trusted networks", () => {
    const DOC = readFileSync(DOC_PATH, "utf8");
    const lifetime = resolveOptions({ endpoint: "http://127.0.0.1:2886" }).headerLifetimeSec;
    assert.ok(DOC.includes(`**${lifetime} s**`), `docs/security.md must state the ${lifetime} s header lifetime`);
    assert.match(DOC, /binds the URI, not the method, and has no nonce/);
    assert.match(DOC, /use `https:\/\/` with `tls\.ca`/);
  });

  it("a header captured from a pinned create's POST /api/v1/obproxy is accepted as DELETE within its lifetime", async () => {
    const { lifecycle } = capturingLifecycle();
    const inputs = await inputsFor(sim, { endpoint: proxy.url, agentPublicKeyPin: await pinOf(sim) });
    await lifecycle.create(inputs);
    assert.equal(sim.control.state().managed, true);
    const add = proxy.seen.find((r) => r.method === "POST" && r.path === "/api/v1/obproxy");
    assert.ok(add, "the proxy saw the add");
    const header = add.headers[AGENT_HEADER.toLowerCase()] as string;
    // Replayed by the attacker directly to the agent: same header, other method, no body.
    const replay = await fetch(`${sim.url}/api/v1/obproxy`, { method: "DELETE", headers: { [AGENT_HEADER]: header } });
    assert.equal(replay.status, 200, await replay.text());
    for (let i = 0; i < 500 && sim.control.state().managed; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(sim.control.state().managed, false, "the replayed header deleted the OBProxy");
  });

  it("forged answers make a pinned destroy report success while obshell still manages the OBProxy", async () => {
    const { lifecycle } = capturingLifecycle();
    const inputs = await inputsFor(sim, { endpoint: proxy.url, agentPublicKeyPin: await pinOf(sim) });
    const created = await lifecycle.create(inputs);
    proxy.forge = (method, path) => (method === "DELETE" && path === "/api/v1/obproxy" ? { status: 204 } : undefined);
    proxy.rewriteAnswer = (method, path, body) => {
      if (method !== "GET" || path !== "/api/v1/info") return body;
      const json = JSON.parse(body);
      if (json.data) json.data.isObproxyAgent = false;
      return JSON.stringify(json);
    };
    await lifecycle.delete(created.id, created.outs);
    assert.equal(sim.control.state().managed, true, "nothing was deleted: the answers were forged");
  });
});

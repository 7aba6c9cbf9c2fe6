/**
 * The real Pulumi CLI running examples/basic against a real obshell agent (opt-in: OBSHELL_BIN; also needs
 * `npm run build:cli`): `pulumi up` adds the fake OBProxy through obshell's Add DAG, `pulumi destroy` deletes it
 * through the Delete DAG and leaves nothing managed and no secret in state or output.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createObshellClient } from "../../src/obshell";
import { createFakeObproxyHome } from "../../src/simulator";
import { findSecrets, leftoverDirs } from "../e2e/harness/checks";
import { cliIt, e2eSuite, OBPROXY_TYPE, resourcesOfType, Workspace } from "../e2e/harness/workspace";
import { freePort } from "../helpers/resource-args";
import { CONFIG_URL, PROXYRO_PW, killFake, report } from "./fixture";
import { skipWithoutObshell, startRealAgent } from "./harness";

const AGENT_PW = "Real-Cli-Agent-pw-5d7e";

describe("real obshell: examples/basic with the Pulumi CLI", function () {
  this.timeout(20 * 60_000);
  const { cleanups, watch } = e2eSuite();

  before(function () {
    skipWithoutObshell(this);
  });

  cliIt("pulumi up adds the OBProxy through the real agent; pulumi destroy deletes it (Delete DAG), nothing left", async () => {
    const agent = await startRealAgent();
    cleanups.add(() => agent.stop());
    const client = createObshellClient({ endpoint: agent.url, agentPassword: AGENT_PW });
    cleanups.add(() => client.close());
    await client.setAgentPassword(AGENT_PW);
    const homes = await mkdtemp(path.join(os.tmpdir(), "obproxy-real-cli-"));
    cleanups.add(() => rm(homes, { recursive: true, force: true }));
    const home = await createFakeObproxyHome(path.join(homes, "obproxy"), { maxLifetimeMs: 30 * 60_000 });
    cleanups.add(async () => killFake(home));
    const ws = await Workspace.create("basic");
    cleanups.add(() => ws.cleanup());
    watch(ws);
    await ws.configure(
      { "obshell:endpoint": agent.url, homePath: home, configUrl: CONFIG_URL, sqlPort: String(await freePort()) },
      { "obshell:agentPassword": AGENT_PW, proxyroPassword: PROXYRO_PW },
    );

    const up = await ws.op("up", { timeoutMs: 600_000 });
    report("pulumi up", up.ms / 1000);
    assert.match(up.output, /Add obproxy DAG \d+ stage \d\/4/);
    assert.equal((await client.getInfo()).isObproxyAgent, true);
    const [proxy] = resourcesOfType((await ws.exportStack()).deployment, OBPROXY_TYPE);
    assert.equal(proxy?.outputs?.managed, true);
    assert.equal(proxy?.outputs?.agentVersion, "4.5.0.0-0");

    const destroy = await ws.op("destroy", { timeoutMs: 600_000 });
    report("pulumi destroy", destroy.ms / 1000);
    assert.match(destroy.output, /Delete obproxy DAG \d+ stage 4\/4: Clean obproxy dir \(SUCCEED/);
    assert.equal((await client.getInfo()).isObproxyAgent, false);
    assert.equal(await client.findObproxyMaintenanceDag(), undefined, "no Delete DAG in flight");
    assert.deepEqual(resourcesOfType((await ws.exportStack()).deployment, OBPROXY_TYPE), []);
    assert.deepEqual(leftoverDirs(home), []);
    const exported = await ws.exportStack();
    const leaks = findSecrets({ "stack export": exported.text, "state files": ws.rawState(), "CLI output": ws.transcript.join("\n") }, [AGENT_PW, PROXYRO_PW]);
    assert.deepEqual(leaks, []);
  });
});

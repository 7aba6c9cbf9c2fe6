/**
 * The real Pulumi CLI (scripts/build-pulumi-cli.sh) running examples/basic against a real-mode obshell-sim: the
 * stand-in OBProxy is a process listening on the SQL port, and obshell's delete removes the home's directories.
 */
import assert from "node:assert/strict";
import { createObshellClient } from "../../src/obshell";
import { alive, deleteDagsStarted, findSecrets, leftoverDirs, listening, standinPid } from "./harness/checks";
import { AGENT_PASSWORD, basicStack, SECRETS, type BasicStack } from "./harness/stacks";
import { cliIt, e2eSuite, OBPROXY_TYPE, resourcesOfType } from "./harness/workspace";

describe("e2e: examples/basic with the Pulumi CLI", function () {
  this.timeout(600_000);
  const { cleanups, watch } = e2eSuite();

  async function stack(): Promise<BasicStack> {
    const s = await basicStack(cleanups);
    watch(s.ws);
    return s;
  }

  cliIt("pulumi up manages the OBProxy; pulumi destroy deletes it through the Delete DAG and empties the state", async () => {
    const { sim, ws, home, sqlPort } = await stack();
    const up = await ws.op("up");
    assert.match(up.output, /Add obproxy DAG \d+ stage \d\/\d/);
    assert.equal(sim.control.state().managed, true);
    assert.ok(await listening(sqlPort), "the stand-in OBProxy listens on the SQL port");
    const pid = standinPid(home);
    assert.ok(pid && alive(pid), "the stand-in wrote its pid");
    const [proxy] = resourcesOfType((await ws.exportStack()).deployment, OBPROXY_TYPE);
    assert.equal(proxy.outputs?.managed, true);

    const destroy = await ws.op("destroy");
    // Progress reaches the CLI as info diagnostics while the DAG runs.
    // (Lines are printed per poll when the stage changes; at this time scale some stages pass between two polls.)
    assert.match(destroy.output, /Delete obproxy DAG \d+ stage [123]\/4: /);
    assert.match(destroy.output, /Delete obproxy DAG \d+ stage 4\/4: Clean obproxy dir \(SUCCEED/);
    assert.match(destroy.output, /OBProxy deleted/);
    const deletes = sim.requests().filter((r) => r.method === "DELETE" && r.path === "/api/v1/obproxy");
    assert.equal(deletes.length, 1);
    assert.equal(deletes[0].status, 200);
    assert.equal(deletes[0].header, "X-OCS-Agent-Header", "the DELETE carries the encrypted agent header");
    const dag = sim.control.state().dags.find((d) => d.name === "Delete obproxy");
    assert.equal(dag?.state, "SUCCEED", "destroy returned after the DAG finished");
    assert.ok(dag?.finishedAtMs && dag.finishedAtMs <= Date.now());
    assert.equal(sim.control.state().managed, false);
    assert.deepEqual(resourcesOfType((await ws.exportStack()).deployment, OBPROXY_TYPE), []);
    assert.equal(alive(pid), false, "the stand-in process is gone");
    assert.equal(await listening(sqlPort), false);
    assert.deepEqual(leftoverDirs(home), []);

    // No password in the exported state, the raw backend files, or anything the CLI printed.
    const exported = await ws.exportStack();
    const leaks = findSecrets({ "stack export": exported.text, "state files": ws.rawState(), "CLI output": ws.transcript.join("\n") }, SECRETS);
    assert.deepEqual(leaks, []);
  });

  cliIt("pulumi refresh drops the resource after the OBProxy was deleted out of band", async () => {
    const { sim, ws } = await stack();
    await ws.op("up");
    // The agent forgets an OBProxy only through its delete (loseObproxy kills the process but obshell still manages
    // it), so delete it behind Pulumi's back with the client.
    const client = createObshellClient({ endpoint: sim.url, agentPassword: AGENT_PASSWORD, taskMinDurationsMs: {} });
    try {
      const answer = await client.deleteObproxy();
      assert.equal(answer.kind, "dag");
      if (answer.kind === "dag") await client.waitForDag(answer.dag.id, { deadline: Date.now() + 60_000 });
    } finally {
      await client.close();
    }
    assert.equal(sim.control.state().managed, false);
    const refresh = await ws.op("refresh");
    assert.match(refresh.output, /deleted/);
    assert.deepEqual(resourcesOfType((await ws.exportStack()).deployment, OBPROXY_TYPE), []);
    const before = deleteDagsStarted(sim);
    await ws.op("destroy");
    assert.equal(deleteDagsStarted(sim), before, "nothing left to delete");
  });
});

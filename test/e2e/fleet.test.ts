/**
 * examples/fleet with the real CLI: three real-mode agents on this machine (each its own home path and ports,
 * through the example's `agents` list), created and destroyed concurrently by one plugin process.
 */
import assert from "node:assert/strict";
import type { Simulator } from "../../src/simulator";
import { alive, findSecrets, leftoverDirs, listening, standinPid } from "./harness/checks";
import { fleetStack, SECRETS } from "./harness/stacks";
import { cliIt, e2eSuite, OBPROXY_TYPE, resourcesOfType } from "./harness/workspace";

/** [start, end] in epoch ms of each agent's DAG with this name. */
function dagWindows(sims: Simulator[], name: string): [number, number][] {
  return sims.map((sim) => {
    const dag = sim.control.state().dags.find((d) => d.name === name);
    assert.ok(dag, `a ${name} DAG on ${sim.url}`);
    return [Date.parse(dag.start_time), Date.parse(dag.end_time)];
  });
}

/** True when every window overlaps every other: all started before the first one ended. */
function allOverlap(windows: [number, number][]): boolean {
  return Math.max(...windows.map((w) => w[0])) < Math.min(...windows.map((w) => w[1]));
}

describe("e2e: examples/fleet with the Pulumi CLI", function () {
  this.timeout(600_000);
  const { cleanups, watch } = e2eSuite();

  // Time scale 0.2: Start obproxy's health check takes 2 s and Stop obproxy 1 s, long enough to see the overlap.
  cliIt("pulumi up and pulumi destroy run the three agents' DAGs concurrently", async () => {
    const { ws, agents } = await fleetStack(cleanups, 3, 0.2);
    watch(ws);
    const sims = agents.map((a) => a.sim);

    await ws.op("up");
    assert.equal(resourcesOfType((await ws.exportStack()).deployment, OBPROXY_TYPE).length, 3);
    for (const a of agents) {
      assert.equal(a.sim.control.state().managed, true);
      assert.ok(await listening(a.sqlPort), `a stand-in listens on ${a.sqlPort}`);
    }
    assert.ok(allOverlap(dagWindows(sims, "Add obproxy")), "the three Add DAGs ran at the same time");
    const pids = agents.map((a) => standinPid(a.home)!);

    const destroy = await ws.op("destroy");
    assert.equal((destroy.output.match(/OBProxy deleted/g) ?? []).length >= 3, true);
    assert.ok(allOverlap(dagWindows(sims, "Delete obproxy")), "the three Delete DAGs ran at the same time");
    for (const [i, a] of agents.entries()) {
      assert.equal(a.sim.control.state().managed, false);
      assert.equal(alive(pids[i]), false);
      assert.deepEqual(leftoverDirs(a.home), []);
    }
    const exported = await ws.exportStack();
    assert.deepEqual(resourcesOfType(exported.deployment, OBPROXY_TYPE), []);
    assert.deepEqual(findSecrets({ "stack export": exported.text, "state files": ws.rawState(), "CLI output": ws.transcript.join("\n") }, SECRETS), []);
  });
});

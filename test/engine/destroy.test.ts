import assert from "node:assert/strict";
import { GatedClock } from "../e2e/harness/gate";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { createObshellClient } from "../../src/obshell";
import { destroy, refresh, up, type ResourceState } from "./harness/engine";
import { AGENT_PASSWORD, EngineFixture } from "./harness/fixture";
import type { RpcError } from "./harness/rpc";

function deletesAccepted(fx: EngineFixture): number {
  return fx.sim.requests().filter((r) => r.method === "DELETE" && r.path === "/api/v1/obproxy" && r.status === 200).length;
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("engine: destroy", function () {
  this.timeout(240_000);

  describe("at normal speed", () => {
    const fx = new EngineFixture();
    before(() => fx.setup());
    after(() => fx.teardown());

    it("succeeds after the OBProxy was removed out of band (refresh: gone)", async () => {
      const captured = await fx.capture("oob");
      const plugin = await fx.plugin();
      const { state } = await up(plugin.rpc, captured.inputs);
      const client = createObshellClient({ endpoint: fx.sim.url, agentPassword: AGENT_PASSWORD, taskMinDurationsMs: {} });
      const answer = await client.deleteObproxy();
      if (answer.kind === "dag") await client.waitForDag(answer.dag.id, { deadline: Date.now() + 30_000 });
      await client.close();
      assert.equal(await refresh(plugin.rpc, state), undefined);
      await destroy(plugin.rpc, state);
      assert.equal(fx.sim.requests().filter((r) => r.method === "DELETE").at(-1)?.status, 204);
    });

    it("after a failed create: kept in state with __provider; the next up continues it, or destroy finishes then removes it", async () => {
      const captured = await fx.capture("failed-create");
      const plugin = await fx.plugin();
      fx.sim.control.failTask({ task: "Start obproxy", times: "once", message: "health check failed" });
      const err = (await up(plugin.rpc, captured.inputs).catch((e: unknown) => e)) as RpcError & { state: ResourceState };
      assert.ok(err.initFailure, `expected a partial failure, got ${String(err)}`);
      assert.match(err.message, /Add obproxy DAG \d+ failed at task "Start obproxy"/);
      const kept = err.state;
      assert.equal(kept.outputs.__provider, captured.provider, "__provider kept, so destroy can run");
      assert.deepEqual(kept.initErrors, [err.message]);
      // `pulumi up` again: the engine updates a resource with init errors; the Add DAG is retried.
      const continued = await up(plugin.rpc, captured.inputs, kept);
      assert.equal(continued.step, "update");
      assert.equal(continued.state.outputs.managed, true);
      await destroy(plugin.rpc, continued.state);
      assert.equal(fx.sim.control.state().managed, false);

      // `pulumi destroy` right after a failed create: it retries its own failed Add DAG, then deletes.
      // (A new home: obshell's delete removed bin/ and lib/ of the first.)
      const second = await fx.capture("failed-create-destroyed");
      fx.sim.control.failTask({ task: "Start obproxy", times: "once", message: "health check failed" });
      const again = (await up(plugin.rpc, second.inputs).catch((e: unknown) => e)) as RpcError & { state: ResourceState };
      assert.ok(again.initFailure, `expected a partial failure, got ${String(again)}`);
      await destroy(plugin.rpc, again.state);
      assert.equal(fx.sim.control.state().managed, false);
    });

    it("runs the installed package's code after an upgrade, not the code of the old state", async () => {
      const captured = await fx.capture("upgraded");
      const first = await fx.plugin();
      const { state } = await up(first.rpc, captured.inputs);
      await first.stop();
      const file = path.join(fx.project.packageDir, "dist", "provider", "lifecycle.js");
      const original = await readFile(file, "utf8");
      const marker = "UPGRADED-LIFECYCLE-MARKER";
      const patch = `\n;(() => { const d = exports.delete; exports.delete = async (...a) => { console.log("${marker} delete"); return d(...a); }; })();\n`;
      await writeFile(file, original + patch);
      try {
        const second = await fx.plugin();
        await destroy(second.rpc, state);
        assert.ok(second.output().some((l) => l.includes(marker)), second.output().join("\n"));
        assert.equal(fx.sim.control.state().managed, false);
      } finally {
        await writeFile(file, original);
      }
    });
  });

  describe("interrupted", () => {
    // A gated clock keeps the Delete DAG RUNNING across the kill and the next plugin's start, however slow the
    // machine is (a slow time scale alone lost that race under load).
    const gate = new GatedClock();
    const fx = new EngineFixture({ timeScale: 0.3, clock: gate });
    before(() => fx.setup());
    after(() => fx.teardown());

    it("resumes waiting on the running Delete DAG: no second delete", async () => {
      const captured = await fx.capture("interrupted");
      const first = await fx.plugin();
      const { state } = await up(first.rpc, captured.inputs);
      const pending = destroy(first.rpc, state).catch((e: Error) => e);
      await until("the Delete DAG to start", () => deletesAccepted(fx) === 1);
      gate.close();
      await first.stop("SIGKILL"); // a second Ctrl-C: the CLI kills the plugin mid-delete
      assert.ok((await pending) instanceof Error);
      const running = fx.sim.control.state().dags.filter((d) => d.name === "Delete obproxy" && !d.isFinished);
      assert.equal(running.length, 1, "the Delete DAG outlives the killed plugin");

      const second = await fx.plugin();
      const opening = setTimeout(() => gate.open(), 1_000);
      try {
        await destroy(second.rpc, state);
      } finally {
        clearTimeout(opening);
        gate.open();
      }
      assert.equal(deletesAccepted(fx), 1, "no second Delete DAG");
      assert.equal(fx.sim.control.state().managed, false);
      assert.ok(second.output().some((l) => l.includes("resuming the wait for Delete obproxy DAG")), second.output().join("\n"));
    });
  });
});

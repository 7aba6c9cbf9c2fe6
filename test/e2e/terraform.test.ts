/**
 * terraform-provider-obproxy with the real CLIs against obshell-sim: OpenTofu (built by `npm run build:tofu`) always,
 * Terraform when installed. The provider is installed into a filesystem mirror and `init` runs offline. Every run's
 * output is scanned for the passwords (they travel as TF_VAR_* variables only).
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createFakeObproxyHome, startSimulator, type Simulator } from "../../src/simulator";
import { AGENT_PASSWORD, freePort, PROXYRO_PASSWORD } from "../engine/harness/fixture";
import { Cleanups, deleteDagsStarted, findSecrets, leftoverDirs, until } from "./harness/checks";
import { GatedClock } from "./harness/gate";
import { engineIt, engines, TfWorkspace, type Engine } from "./harness/terraform";

interface TfStack {
  sim: Simulator;
  ws: TfWorkspace;
  home: string;
}

/** Output with Terraform's line wrapping undone, for matching messages. */
const flat = (output: string) => output.replace(/\s+/g, " ");
const dagsNamed = (sim: Simulator, name: string) => sim.control.state().dags.filter((d) => d.name === name);

for (const engine of engines()) {
  describe(`e2e: terraform-provider-obproxy with ${engine.name}`, function () {
    this.timeout(900_000);
    const cleanups = new Cleanups();
    let current: TfWorkspace | undefined;
    afterEach(async function () {
      if (current) {
        const leaks = findSecrets({ transcript: current.transcript.join("\n") }, [AGENT_PASSWORD, PROXYRO_PASSWORD]);
        if (this.currentTest?.state === "failed") console.log(`      ${engine.name} transcript (tail):\n${current.tail()}`);
        else assert.deepEqual(leaks, [], "no password in any command output");
      }
      current = undefined;
      await cleanups.run();
    });

    async function stack(e: Engine, clock?: GatedClock, timeScale = 0.03): Promise<TfStack> {
      const homes = await mkdtemp(path.join(os.tmpdir(), "obproxy-e2e-tf-home-"));
      cleanups.add(() => rm(homes, { recursive: true, force: true }));
      const home = await createFakeObproxyHome(path.join(homes, "obproxy"));
      const sim = await startSimulator({ agentPassword: AGENT_PASSWORD, timeScale, clock });
      cleanups.add(() => sim.stop());
      const vars = {
        endpoint: sim.url,
        agent_password: AGENT_PASSWORD,
        proxyro_password: PROXYRO_PASSWORD,
        home_path: home,
        sql_port: await freePort(),
        rpc_port: await freePort(),
        exporter_port: await freePort(),
      };
      const ws = await TfWorkspace.create(e, vars, { OBSHELL_TASK_TIME_SCALE: String(timeScale) });
      cleanups.add(() => ws.cleanup());
      current = ws;
      return { sim, ws, home };
    }

    /** Runs `destroy`, holds the Delete DAG RUNNING for a while and checks the CLI has not reported success yet. */
    async function destroyHeldOpen(s: TfStack, gate: GatedClock) {
      let exited = false;
      const run = s.ws.op("destroy").finally(() => (exited = true));
      await until("the Delete DAG to run", () => dagsNamed(s.sim, "Delete obproxy")[0]?.state === "RUNNING", 240_000, 5);
      gate.close();
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(exited, false, "destroy must not finish while the Delete DAG runs");
      assert.equal(dagsNamed(s.sim, "Delete obproxy")[0]?.state, "RUNNING");
      gate.open();
      return run;
    }

    engineIt(engine, "init → apply → plan (no changes) → state rm + import → plan → apply → destroy after the Delete DAG succeeded", async () => {
      const gate = new GatedClock();
      cleanups.add(() => gate.open());
      const s = await stack(engine, gate);
      s.ws.env.TF_LOG = "INFO"; // progress reaches the Terraform log (and the secret scan reads it all)
      const applied = await s.ws.op("apply");
      delete s.ws.env.TF_LOG;
      assert.match(applied.output, /Apply complete! Resources: 1 added/);
      assert.match(applied.output, /\[INFO\]\s+provider\.terraform-provider-obproxy[^:]*: ObProxy .*: adding the OBProxy at /);
      assert.match(applied.output, /\[INFO\]\s+provider\.terraform-provider-obproxy[^:]*: ObProxy .*: Add obproxy DAG \d+ stage/);
      assert.equal(s.sim.control.state().managed, true);
      const [created] = s.ws.instances();
      assert.equal(created?.attributes.managed, true);
      assert.equal((created?.attributes.last_dag as { name: string }).name, "Add obproxy");

      assert.equal((await s.ws.plan()).code, 0, "a plan right after apply has no changes");
      // The provider block's password is used, never stored (docs/terraform.md: resource passwords are, in plain text).
      assert.ok(!readFileSync(path.join(s.ws.dir, "terraform.tfstate"), "utf8").includes(AGENT_PASSWORD), "agent password not in state");

      await s.ws.run(["state", "rm", "-no-color", "obproxy.main"]);
      assert.deepEqual(s.ws.instances(), []);
      const imported = await s.ws.run(["import", "-input=false", "-no-color", "obproxy.main", `${s.sim.url}#${s.home}`]);
      assert.match(imported.output, /Import successful/);
      assert.equal(s.ws.instances()[0]?.attributes.id, created?.attributes.id);
      // obshell cannot report ports, passwords or the rs list: the first plan takes them from the configuration
      // in place; it never replaces what was just imported.
      const afterImport = await s.ws.plan();
      assert.equal(afterImport.code, 2, afterImport.output);
      assert.match(afterImport.output, /1 to change, 0 to destroy/);
      assert.doesNotMatch(afterImport.output, /forces replacement|must be replaced/);
      await s.ws.op("apply");
      assert.equal((await s.ws.plan()).code, 0, "no changes once the imported state took the configuration");

      const requestsBefore = s.sim.requests().length;
      const destroyed = await destroyHeldOpen(s, gate);
      assert.match(destroyed.output, /Destroy complete! Resources: 1 destroyed/);
      const [dag] = dagsNamed(s.sim, "Delete obproxy");
      assert.equal(dag?.state, "SUCCEED");
      assert.equal(deleteDagsStarted(s.sim), 1, "one DELETE");
      const polls = s.sim.requests().slice(requestsBefore).filter((r) => r.method === "GET" && r.path.startsWith(`/api/v1/task/dag/${dag!.id}`));
      assert.ok(polls.length >= 1, "the provider waited on the Delete DAG");
      assert.equal(s.sim.control.state().managed, false);
      assert.deepEqual(s.ws.instances(), []);
      assert.deepEqual(leftoverDirs(s.home), []);
    });

    engineIt(engine, "in-place update (running = false stops the OBProxy) and a home_path change replaces it, deleting first", async () => {
      const s = await stack(engine);
      await s.ws.op("apply");
      s.ws.env.TF_VAR_running = "false";
      const stopping = await s.ws.plan();
      assert.equal(stopping.code, 2);
      assert.match(stopping.output, /update in-place/);
      assert.match(stopping.output, /running\s+= true -> false/);
      await s.ws.op("apply");
      assert.equal(dagsNamed(s.sim, "Stop obproxy")[0]?.state, "SUCCEED");
      assert.equal(s.ws.instances()[0]?.attributes.running, false);
      assert.equal((await s.ws.plan()).code, 0);

      const other = await createFakeObproxyHome(path.join(path.dirname(s.home), "obproxy-2"));
      s.ws.env.TF_VAR_home_path = other;
      const moving = await s.ws.plan();
      assert.match(moving.output, /home_path\s+= .* # forces replacement/);
      await s.ws.op("apply");
      const adds = dagsNamed(s.sim, "Add obproxy");
      const [del] = dagsNamed(s.sim, "Delete obproxy");
      assert.equal(adds.length, 2);
      assert.equal(del?.state, "SUCCEED");
      const writes = s.sim.requests().filter((r) => r.path === "/api/v1/obproxy" && r.status === 200 && r.method !== "GET").map((r) => r.method);
      assert.deepEqual(writes, ["POST", "DELETE", "POST"], "the old OBProxy is deleted before the new one is added");
      assert.equal(s.ws.instances()[0]?.attributes.home_path, other);
      await s.ws.op("destroy");
      assert.equal(s.sim.control.state().managed, false);
    });

    engineIt(engine, "a Delete DAG that fails: destroy fails naming DAG and task and keeps the resource; destroy again retries that DAG", async () => {
      const s = await stack(engine);
      await s.ws.op("apply");
      s.sim.control.failTask({ task: "Stop obproxy", dag: "Delete obproxy", times: "once", message: "kill timed out" });
      const failed = await s.ws.op("destroy", { allowFailure: true });
      assert.notEqual(failed.code, 0);
      const [dag] = dagsNamed(s.sim, "Delete obproxy");
      assert.equal(dag?.state, "FAILED");
      assert.match(flat(failed.output), new RegExp(`Delete obproxy DAG ${dag!.id}`));
      assert.match(flat(failed.output), /Stop obproxy/);
      assert.match(flat(failed.output), /kill timed out/);
      assert.match(flat(failed.output), /run `terraform destroy` again/, "names the next command");
      assert.equal(s.ws.instances().length, 1, "the resource stays in state");

      await s.ws.op("destroy");
      assert.equal(deleteDagsStarted(s.sim), 1, "the failed DAG was retried, no second delete");
      assert.equal(dagsNamed(s.sim, "Delete obproxy")[0]?.state, "SUCCEED");
      assert.equal(s.sim.control.state().managed, false);
      assert.deepEqual(s.ws.instances(), []);
    });

    engineIt(engine, "timeouts.create: the deadline passes while the Add DAG runs; the resource is kept tainted and destroy waits for it", async () => {
      const gate = new GatedClock();
      cleanups.add(() => gate.open());
      const s = await stack(engine, gate, 0.1);
      s.ws.env.TF_VAR_create_timeout = "4s";
      const run = s.ws.op("apply", { allowFailure: true });
      await until("the Add DAG to run", () => dagsNamed(s.sim, "Add obproxy")[0]?.state === "RUNNING", 240_000, 5);
      gate.close();
      const result = await run;
      const [add] = dagsNamed(s.sim, "Add obproxy");
      assert.notEqual(result.code, 0);
      assert.match(flat(result.output), new RegExp(`Add obproxy DAG ${add!.id} still running`));
      assert.match(result.output, /after 4s/);
      assert.match(flat(result.output), /run `terraform apply` again/, "names the next command");
      assert.equal(s.ws.instances()[0]?.status, "tainted");
      gate.open();
      await s.ws.op("destroy");
      assert.equal(dagsNamed(s.sim, "Add obproxy").length, 1);
      assert.equal(dagsNamed(s.sim, "Delete obproxy")[0]?.state, "SUCCEED");
      assert.equal(s.sim.control.state().managed, false);
    });

    engineIt(engine, "Ctrl-C during create: StopProvider aborts the wait, the resource is kept tainted, destroy cleans up", async () => {
      const gate = new GatedClock();
      cleanups.add(() => gate.open());
      const s = await stack(engine, gate, 0.1);
      let child: ChildProcess | undefined;
      const run = s.ws.op("apply", { allowFailure: true, onSpawn: (c) => (child = c) });
      await until("the Add DAG to run", () => dagsNamed(s.sim, "Add obproxy")[0]?.state === "RUNNING", 240_000, 5);
      gate.close();
      process.kill(-child!.pid!, "SIGINT");
      const result = await run;
      assert.notEqual(result.code, 0);
      const [add] = dagsNamed(s.sim, "Add obproxy");
      assert.match(result.output, /Interrupt received/);
      // The provider's own diagnostic (not a killed plugin): the aborted wait names the DAG it stopped waiting for.
      assert.match(result.output, /Creating the OBProxy failed/);
      assert.match(flat(result.output), new RegExp(`Add obproxy DAG ${add!.id}`));
      assert.doesNotMatch(result.output, /Plugin did not respond/);
      assert.equal(add?.state, "RUNNING", "obshell's DAG outlives the interrupted apply");
      const [kept] = s.ws.instances();
      assert.ok(kept, "the interrupted create is recorded in state");
      assert.equal(kept.status, "tainted");

      gate.open();
      await s.ws.op("destroy");
      assert.equal(dagsNamed(s.sim, "Add obproxy").length, 1, "the add was not started again");
      assert.equal(dagsNamed(s.sim, "Delete obproxy")[0]?.state, "SUCCEED");
      assert.equal(s.sim.control.state().managed, false);
      assert.deepEqual(s.ws.instances(), []);
    });
  });
}

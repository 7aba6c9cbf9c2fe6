/**
 * PlanResourceChange over the real lifecycle `diff` (local, no network): known where apply will certainly produce
 * the value, unknown where obshell decides, `requires_replace` exactly where the lifecycle replaces.
 */
import assert from "node:assert/strict";
import { createLifecycle } from "../../../src/provider/lifecycle";
import { TF_UNKNOWN, type TfObject } from "../../../src/terraform/cty";
import { appliedState, planChange } from "../../../src/terraform/plan";
import { RESOURCE_BLOCK } from "../../../src/terraform/schema";
import { fromProps } from "../../../src/terraform/values";

const lifecycle = createLifecycle({ sink: () => undefined });
const config = fromProps(RESOURCE_BLOCK, { homePath: "/home/admin/obproxy", rsList: "10.0.0.1:2881", sqlPort: 3000, parameters: { rpc_listen_port: "3001" } });
const state = fromProps(RESOURCE_BLOCK, {
  id: "10.0.0.5:2886", endpoint: "http://10.0.0.5:2886", homePath: "/home/admin/obproxy", rsList: "10.0.0.1:2881", sqlPort: 3000,
  rpcPort: 3001, exporterPort: 2884, parameters: { rpc_listen_port: "3001" }, running: true, agentVersion: "4.5.0.0",
  agentIdentity: "SINGLE", agentAddress: "10.0.0.5:2886", managed: true, adopted: false,
  lastDag: { id: "41", name: "Add obproxy", state: "SUCCEED", operator: "RUN" },
});

describe("terraform: planning", () => {
  it("plans a create: provider endpoint default and resolved ports known, obshell's facts unknown", async () => {
    const plan = await planChange(lifecycle, { prior: null, proposed: config, config, imported: false, defaultEndpoint: "http://10.0.0.5:2886" });
    const p = plan.planned as TfObject;
    assert.equal(p.endpoint, "http://10.0.0.5:2886");
    assert.deepEqual([p.sql_port, p.rpc_port, p.exporter_port, p.running], [3000, 3001, 2884, true]);
    for (const name of ["id", "agent_version", "managed", "last_dag"]) assert.equal(p[name], TF_UNKNOWN, name);
    assert.equal(p.rs_list, "10.0.0.1:2881");
    assert.equal(plan.error, undefined);
  });

  it("refuses a plan without any endpoint, naming the attribute", async () => {
    const plan = await planChange(lifecycle, { prior: null, proposed: config, config, imported: false });
    assert.match(plan.error!, /endpoint is not set/);
  });

  it("plans no change as the prior state, and a home path change as a replacement", async () => {
    const same = await planChange(lifecycle, { prior: state, proposed: state, config, imported: false, defaultEndpoint: "http://10.0.0.5:2886" });
    assert.deepEqual(same.requiresReplace, []);
    assert.deepEqual(same.planned, state);
    const moved = { ...config, home_path: "/elsewhere" };
    const replaced = await planChange(lifecycle, { prior: state, proposed: moved, config: moved, imported: false, defaultEndpoint: "http://10.0.0.5:2886" });
    assert.deepEqual(replaced.requiresReplace, [[{ attribute_name: "home_path" }]]);
    assert.equal((replaced.planned as TfObject).id, TF_UNKNOWN);
  });

  it("after an import, takes the configuration in place instead of replacing (except endpoint and home path)", async () => {
    const imported = { ...state, sql_port: 2883, rs_list: null, parameters: null, rpc_port: 2885 };
    const plan = await planChange(lifecycle, { prior: imported, proposed: config, config, imported: true, defaultEndpoint: "http://10.0.0.5:2886" });
    assert.deepEqual(plan.requiresReplace, []);
    assert.equal((plan.planned as TfObject).sql_port, 3000);
    const notImported = await planChange(lifecycle, { prior: imported, proposed: config, config, imported: false, defaultEndpoint: "http://10.0.0.5:2886" });
    assert.ok(notImported.requiresReplace.length > 0);
  });

  it("plans a stop as an update whose obshell facts are unknown; applied state keeps every known planned value", async () => {
    const stopped = { ...config, running: false };
    const plan = await planChange(lifecycle, { prior: state, proposed: stopped, config: stopped, imported: false, defaultEndpoint: "http://10.0.0.5:2886" });
    const p = plan.planned as TfObject;
    assert.deepEqual(plan.requiresReplace, []);
    assert.equal(p.running, false);
    assert.equal(p.last_dag, TF_UNKNOWN);
    assert.equal(p.id, "10.0.0.5:2886");
    const applied = appliedState(plan.planned, { id: "10.0.0.5:2886", homePath: "/home/admin/obproxy", running: false, sqlPort: 3000, managed: true });
    assert.equal(applied.running, false);
    assert.equal(applied.agent_version, null, "an unknown the result does not fill becomes null, never unknown");
    assert.equal(applied.rs_list, "10.0.0.1:2881", "known planned values are kept");
  });
});

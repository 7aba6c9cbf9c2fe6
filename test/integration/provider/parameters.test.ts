/**
 * A `parameters` change is an update in place: `ALTER proxyconfig SET k = 'v'` on OBProxy's SQL port as
 * root@proxysys, received by the simulator's fake OBProxy (a real MySQL endpoint that records statements) — no
 * delete, no second add. Keys OBProxy reads only at start, and passwords, stay replacements named in the diff.
 */
import assert from "node:assert/strict";
import type { Simulator } from "../../../src/simulator";
import { readFakeObproxyLog } from "../../../src/simulator";
import { diffProps } from "../../../src/provider/diff";
import { SYS_PASSWORD, capturingLifecycle, inputsFor, rejection, requestsTo, startSim } from "./fixture";

describe("provider: parameters change in place", function () {
  this.timeout(60_000);
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(async () => {
    await sim.stop();
  });

  it("a parameters change is an update that OBProxy receives as ALTER proxyconfig: no delete, no second add", async () => {
    const { lifecycle, lines } = capturingLifecycle();
    const inputs = await inputsFor(sim, { parameters: { client_max_connections: "8192" } });
    const { id, outs } = await lifecycle.create(inputs);
    const news = { ...inputs, parameters: { client_max_connections: "9000", xflush_log_level: "INFO" } };
    assert.deepEqual(diffProps(outs, news).replaces, [], "not a replacement");
    const updated = await lifecycle.update(id, outs, news);
    assert.deepEqual(updated.outs.parameters, news.parameters);

    const statements = (await readFakeObproxyLog(inputs.homePath)).map((e) => e.sql ?? "").filter((q) => /^alter proxyconfig/i.test(q));
    assert.ok(statements.includes("ALTER proxyconfig SET client_max_connections = '9000'"), statements.join("\n"));
    assert.ok(statements.includes("ALTER proxyconfig SET xflush_log_level = 'INFO'"), statements.join("\n"));
    assert.equal(requestsTo(sim, "DELETE", "/api/v1/obproxy").length, 0, "no delete");
    assert.equal(requestsTo(sim, "POST", "/api/v1/obproxy").length, 1, "no second add");
    assert.ok(lines.some((l) => /parameters changed in place: client_max_connections, xflush_log_level/.test(l)), lines.join("\n"));
    assert.ok(!lines.join("\n").includes(SYS_PASSWORD));
  });

  it("a parameter OBProxy reads only at start, or a password parameter, is a replacement named by path", () => {
    const olds = { endpoint: "http://h:2886", homePath: "/h", sqlPort: 2883, rpcPort: 2885, exporterPort: 2884, running: true, parameters: { a: "1" } };
    assert.deepEqual(diffProps(olds, { ...olds, parameters: { a: "1", proxy_id: "9" } }).replaces, ["parameters.proxy_id"]);
    assert.deepEqual(diffProps(olds, { ...olds, parameters: { a: "1", observer_sys_password: "x" } }).replaces, ["parameters.observer_sys_password"]);
  });

  it("a stopped OBProxy cannot take a parameter: the update fails naming the keys and what to do, nothing sent", async () => {
    const { lifecycle } = capturingLifecycle();
    const inputs = await inputsFor(sim, { running: false });
    const { id, outs } = await lifecycle.create(inputs);
    const err = await rejection(lifecycle.update(id, outs, { ...inputs, parameters: { client_max_connections: "9000" } }));
    assert.match(err.message, /^\[ObProxy\.ParameterUpdateFailed\] .*client_max_connections.*running: true/);
  });
});

import assert from "node:assert/strict";
import type { Simulator } from "../../../src/simulator";
import { AGENT_PASSWORD, PROXYRO_PASSWORD, SYS_PASSWORD, capturingLifecycle, inputsFor, rejection, requestsTo, startSim } from "./fixture";

describe("provider lifecycle against the simulator", function () {
  this.timeout(60_000);
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSim();
  });
  afterEach(async () => {
    delete process.env.OBSHELL_AGENT_PASSWORD;
    await sim.stop();
  });

  it("creates, reads, stops, starts, updates locally and deletes", async () => {
    const { lifecycle, lines } = capturingLifecycle();
    const inputs = await inputsFor(sim);
    const created = await lifecycle.create(inputs);
    const outs = created.outs;
    assert.match(created.id, /^\d+\.\d+\.\d+\.\d+:\d+$/);
    assert.equal(outs.managed, true);
    assert.equal(outs.running, true);
    assert.equal(outs.adopted, false);
    assert.equal(outs.agentVersion, "4.5.0.0-0");
    assert.equal(outs.agentIdentity, "SINGLE");
    assert.equal(outs.sqlPort, inputs.sqlPort);
    assert.deepEqual({ name: outs.lastDag.name, state: outs.lastDag.state }, { name: "Add obproxy", state: "SUCCEED" });
    assert.equal(outs.agentPassword, AGENT_PASSWORD, "an input password is kept (secret) for destroy");
    assert.equal(outs.__provider, undefined, "the plugin adds __provider itself");
    assert.ok(lines.some((l) => /^ObProxy proxy \(http:\/\/127\.0\.0\.1:\d+\): Add obproxy DAG \d+ stage \d\/4: /.test(l)), lines.join("\n"));
    assert.equal(new Set(lines).size, lines.length, "progress lines are de-duplicated");

    const read = await lifecycle.read(created.id, { ...outs, __provider: inputs.__provider });
    assert.equal(read.id, created.id);
    assert.deepEqual(read.props, outs);

    const stopped = await lifecycle.update(created.id, outs, { ...inputs, running: false });
    assert.equal(stopped.outs.running, false);
    assert.equal(stopped.outs.lastDag.name, "Stop obproxy");
    const started = await lifecycle.update(created.id, stopped.outs, { ...inputs, running: true });
    assert.equal(started.outs.running, true);
    assert.equal(started.outs.lastDag.name, "Start obproxy");

    const before = sim.requests().length;
    const local = await lifecycle.update(created.id, started.outs, { ...inputs, timeouts: { delete: "1h" } });
    assert.deepEqual(local.outs.timeouts, { delete: "1h" });
    assert.equal(sim.requests().length, before, "a local-only update makes no request");

    await lifecycle.delete(created.id, local.outs);
    assert.equal(sim.control.state().managed, false);
    assert.equal((await lifecycle.read(created.id, local.outs)).id, undefined, "refresh after delete: gone");
  });

  it("creates stopped when running is false", async () => {
    const { lifecycle } = capturingLifecycle();
    const { outs } = await lifecycle.create(await inputsFor(sim, { running: false }));
    assert.equal(outs.running, false);
    assert.equal(outs.lastDag.name, "Stop obproxy");
    assert.equal(sim.control.state().managed, true);
  });

  it("refuses an agent that already manages an OBProxy unless adopt is set", async () => {
    const { lifecycle } = capturingLifecycle();
    await lifecycle.create(await inputsFor(sim));
    const err = await rejection(lifecycle.create(await inputsFor(sim)));
    assert.equal(err.name, "ObProxyError");
    assert.equal(err.code, "AlreadyManaged");
    assert.match(err.message, /adopt: true/);
    const adopted = await lifecycle.create(await inputsFor(sim, { adopt: true }));
    assert.equal(adopted.outs.adopted, true);
    assert.equal(adopted.outs.managed, true);
    assert.equal(adopted.outs.lastDag?.name, "Add obproxy");
    assert.equal(requestsTo(sim, "POST", "/api/v1/obproxy").filter((r) => r.status === 200).length, 1);
  });

  it("refuses an obshell without the OBProxy API with a typed error", async () => {
    const old = await startSim({ version: "4.2.5.0" });
    try {
      const { lifecycle } = capturingLifecycle();
      const err = await rejection(lifecycle.create(await inputsFor(old)));
      assert.equal(err.code, "VersionUnsupported");
      assert.match(err.message, /4\.2\.6\.0/);
    } finally {
      await old.stop();
    }
  });

  it("reads the agent password from stack config, then the environment, never into outputs", async () => {
    const { lifecycle } = capturingLifecycle();
    const inputs = await inputsFor(sim, { agentPassword: undefined });
    delete inputs.agentPassword;
    const missing = await rejection(lifecycle.create(inputs));
    assert.equal(missing.code, "NoPassword");
    assert.match(missing.message, /obshell:agentPassword/);

    await lifecycle.configure({ config: { get: (k: string) => (k === "obshell:agentPassword" ? AGENT_PASSWORD : undefined), require: () => "" } });
    const { id, outs } = await lifecycle.create(inputs);
    assert.equal("agentPassword" in outs, false);
    assert.ok(!JSON.stringify(outs).includes(AGENT_PASSWORD));

    // Rotated on the agent and in the environment only (the next run's stack config has none): destroy still works.
    await lifecycle.configure({ config: { get: () => undefined, require: () => "" } } as never);
    sim.control.setAgentPassword("Rotated-pw-99");
    process.env.OBSHELL_AGENT_PASSWORD = "Rotated-pw-99";
    await lifecycle.delete(id, outs);
    assert.equal(sim.control.state().managed, false);
  });

  it("names the resource in obshell's refusals and explains a missing install (replacement)", async () => {
    const { lifecycle } = capturingLifecycle();
    const err = await rejection(lifecycle.create(await inputsFor(sim, { homePath: "/nonexistent/obproxy-home" })));
    assert.match(err.message, /^\[Common\.PathNotExist\] ObProxy proxy \(http:\/\/127\.0\.0\.1:\d+\): POST \/api\/v1\/obproxy failed: 400 Common\.PathNotExist/);
    assert.match(err.message, /unpack OBProxy there again/);
    assert.equal(err.id, undefined, "obshell refused the add: nothing to keep in state");
  });

  it("keeps passwords out of errors and progress, even from obshell task logs", async () => {
    const { lifecycle, lines } = capturingLifecycle();
    sim.control.failTask({ task: "Set proxyro password for connect", times: "always", message: `login failed for ${PROXYRO_PASSWORD}` });
    const err = await rejection(lifecycle.create(await inputsFor(sim)));
    const text = `${err.message}\n${err.stack}\n${JSON.stringify(err.reasons)}\n${lines.join("\n")}`;
    for (const secret of [AGENT_PASSWORD, PROXYRO_PASSWORD, SYS_PASSWORD]) assert.ok(!text.includes(secret), secret);
    assert.match(err.message, /Set proxyro password for connect/);
  });
});

import assert from "node:assert/strict";
import { cp, mkdtemp, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startSimulator, type Simulator } from "../../src/simulator";
import { fakeHome } from "./harness/homes";
import { runUnderMocks } from "./harness/capture";
import { destroy, up } from "./harness/engine";
import { AGENT_PASSWORD, EngineFixture, freePort } from "./harness/fixture";
import { REPO_ROOT } from "./harness/project";

/**
 * Copies an example next to the shared project's node_modules, which holds pulumi-obproxy installed from the
 * packed tarball (never a link to the repository: a linked package would be serialized by value).
 */
async function stageExample(name: string, projectDir: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), `obproxy-example-${name}-`));
  const dir = path.join(root, name);
  await cp(path.join(REPO_ROOT, "examples", name), dir, { recursive: true });
  await symlink(path.join(projectDir, "node_modules"), path.join(dir, "node_modules"), "dir");
  return { dir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

describe("engine: examples", function () {
  this.timeout(240_000);
  const fx = new EngineFixture();
  before(() => fx.setup());
  after(() => fx.teardown());

  it("basic: the TypeScript program type-checks, registers one ObProxy, and it round-trips against obshell-sim", async () => {
    const staged = await stageExample("basic", fx.project.dir);
    try {
      const home = await fakeHome();
      const config = {
        "obshell:endpoint": fx.sim.url,
        "obproxy-basic:homePath": home,
        "obproxy-basic:rsList": "127.0.0.1:2881",
        // The real-mode simulator starts a stand-in OBProxy listening on the SQL port: use a free one.
        "obproxy-basic:sqlPort": String(await freePort()),
      };
      const [proxy, ...others] = await runUnderMocks(staged.dir, path.join(staged.dir, "index.ts"), { projectName: "obproxy-basic", config });
      assert.equal(others.length, 0);
      assert.equal(proxy.type, "pulumi-nodejs:dynamic/obshell:ObProxy");
      assert.equal("agentPassword" in proxy.inputs, false, "the password comes from stack config at call time");
      const plugin = await fx.plugin({ ...config, "obshell:agentPassword": AGENT_PASSWORD });
      const { state } = await up(plugin.rpc, proxy.inputs);
      assert.equal(state.outputs.managed, true);
      await destroy(plugin.rpc, state);
      assert.equal(fx.sim.control.state().managed, false);
    } finally {
      await staged.cleanup();
    }
  });

  it("fleet: one ObProxy per endpoint, created and destroyed concurrently through one plugin", async () => {
    // In-memory agents: the three share one home path and default ports, as separate hosts would.
    const sims: Simulator[] = await Promise.all(
      [1, 2, 3].map(() => startSimulator({ agentPassword: AGENT_PASSWORD, timeScale: 0.01, mode: "memory" })),
    );
    const staged = await stageExample("fleet", fx.project.dir);
    try {
      const config = {
        "obproxy-fleet:endpoints": JSON.stringify(sims.map((s) => s.url)),
        "obproxy-fleet:homePath": await fakeHome(),
        "obproxy-fleet:rsList": "127.0.0.1:2881",
      };
      const proxies = await runUnderMocks(staged.dir, path.join(staged.dir, "index.ts"), { projectName: "obproxy-fleet", config });
      // Named after the agent, so removing one agent leaves the others' names alone.
      const expected = sims.map((s) => `obproxy-127.0.0.1-${new URL(s.url).port}`).sort();
      assert.deepEqual(proxies.map((p) => p.name).sort(), expected);
      const plugin = await fx.plugin({ "obshell:agentPassword": AGENT_PASSWORD });
      const states = await Promise.all(proxies.map(async (p) => (await up(plugin.rpc, p.inputs)).state));
      assert.ok(states.every((s) => s.outputs.managed === true));
      await Promise.all(states.map((s) => destroy(plugin.rpc, s)));
      assert.ok(sims.every((s) => s.control.state().managed === false));
    } finally {
      await staged.cleanup();
      await Promise.all(sims.map((s) => s.stop()));
    }
  });
});

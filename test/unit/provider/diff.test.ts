import assert from "node:assert/strict";
import { diffProps } from "../../../src/provider/diff";
import { UNKNOWN } from "../../../src/provider/types";

/** Outputs as create stores them for `inputs` (ports resolved, running/adopt defaulted). */
const inputs = { endpoint: "http://127.0.0.1:2886", homePath: "/opt/obproxy", rsList: "10.0.0.1:2881", __provider: "P1" };
const olds = {
  ...inputs,
  sqlPort: 2883,
  rpcPort: 2885,
  exporterPort: 2884,
  running: true,
  adopt: false,
  agentVersion: "4.5.0.0",
  agentIdentity: "SINGLE",
  agentAddress: "127.0.0.1:2886",
  managed: true,
  adopted: false,
  lastDag: { id: "42130706433028861", name: "Add obproxy", state: "SUCCEED", operator: "RUN" },
};

describe("provider diff", () => {
  it("reports no changes for the same inputs (defaults and resolved ports equal)", () => {
    assert.deepEqual(diffProps(olds, inputs), { changes: false, replaces: [] });
    assert.deepEqual(diffProps(olds, { ...inputs, sqlPort: 2883, running: true, adopt: false, parameters: {} }), { changes: false, replaces: [] });
  });

  it("replaces, delete first, for what obshell cannot change in place", () => {
    const cases: [string, Record<string, unknown>][] = [
      ["endpoint", { endpoint: "http://10.0.0.9:2886" }],
      ["homePath", { homePath: "/opt/other" }],
      ["name", { name: "p2" }],
      ["sqlPort", { sqlPort: 3883 }],
      ["rpcPort", { parameters: { rpc_listen_port: "3885" } }],
      ["exporterPort", { exporterPort: 9000 }],
      ["rsList", { rsList: "10.0.0.2:2881" }],
      ["configUrl", { configUrl: "http://cfg" }],
      ["proxyroPassword", { proxyroPassword: "new" }],
      ["obproxySysPassword", { obproxySysPassword: "new" }],
    ];
    for (const [key, change] of cases) {
      const result = diffProps(olds, { ...inputs, ...change });
      assert.equal(result.changes, true, key);
      assert.ok(result.replaces.includes(key), `${key}: ${JSON.stringify(result)}`);
      assert.equal(result.deleteBeforeReplace, true, key);
    }
  });

  it("changes parameters in place (ALTER proxyconfig), except the ones OBProxy reads only at start, named by path", () => {
    assert.deepEqual(diffProps(olds, { ...inputs, parameters: { client_max_connections: "9000" } }), { changes: true, replaces: [] });
    const restart = diffProps(olds, { ...inputs, parameters: { proxy_id: "7", client_max_connections: "9000" } });
    assert.deepEqual(restart.replaces, ["parameters.proxy_id"]);
    assert.equal(restart.deleteBeforeReplace, true);
    assert.deepEqual(diffProps(olds, { ...inputs, parameters: { listen_port: "3883" } }).replaces.sort(), ["parameters.listen_port", "sqlPort"]);
    assert.deepEqual(diffProps(olds, { ...inputs, parameters: { observer_sys_password: "x" } }).replaces, ["parameters.observer_sys_password"]);
  });

  it("updates in place for running, and for settings that need no remote call", () => {
    for (const change of [{ running: false }, { timeouts: { delete: "1h" } }, { adopt: true }, { agentPassword: "x" }, { agentPublicKeyPin: "sha256:ab" }, { tls: { insecureSkipVerify: true } }, { resourceName: "renamed" }]) {
      assert.deepEqual(diffProps(olds, { ...inputs, ...change }), { changes: true, replaces: [] }, JSON.stringify(change));
    }
  });

  it("reports a change when only __provider changed, so state gets the new provider text", () => {
    assert.deepEqual(diffProps(olds, { ...inputs, __provider: "P2" }), { changes: true, replaces: [] });
  });

  it("treats unknown values as changes", () => {
    assert.deepEqual(diffProps(olds, { ...inputs, homePath: UNKNOWN }).replaces, ["homePath"]);
    assert.deepEqual(diffProps(olds, { ...inputs, parameters: { listen_port: UNKNOWN } }).replaces.sort(), ["sqlPort"]);
    assert.deepEqual(diffProps(olds, { ...inputs, running: UNKNOWN }), { changes: true, replaces: [] });
  });

  it("ignores key order and null vs absent", () => {
    const o = { ...olds, parameters: { a: "1", b: "2" }, name: null };
    assert.deepEqual(diffProps(o, { ...inputs, parameters: { b: "2", a: "1" } }), { changes: false, replaces: [] });
  });

  it("copes with partial outputs from a failed create", () => {
    const partial = { ...inputs, sqlPort: 2883, rpcPort: 2885, exporterPort: 2884, managed: false };
    assert.deepEqual(diffProps(partial, inputs), { changes: false, replaces: [] });
  });
});

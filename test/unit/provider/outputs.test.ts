import assert from "node:assert/strict";
import { resolveAgentPassword } from "../../../src/provider/config";
import { agentId, buildOutputs } from "../../../src/provider/outputs";
import { createProgressReporter, resourceLabel, verbosityFromEnv } from "../../../src/provider/progress";
import { redact, secretValues } from "../../../src/provider/secrets";

const agent = { agentVersion: "4.5.0.0", agentIdentity: "SINGLE", agentAddress: "127.0.0.1:2886", managed: true };
const inputs = { endpoint: "http://127.0.0.1:2886", homePath: "/opt/obproxy", __provider: "P", parameters: { listen_port: "3883" } };

describe("provider outputs, credentials and progress", () => {

  it("resolves ports like obshell and drops __provider and undefined values", () => {
    const outs = buildOutputs({ ...inputs, rpcPort: 4000, name: undefined }, { agent, running: true, adopted: false });
    assert.equal(outs.sqlPort, 3883);
    assert.equal(outs.rpcPort, 4000);
    assert.equal(outs.exporterPort, 2884);
    assert.equal("__provider" in outs, false);
    assert.equal("name" in outs, false);
    assert.equal(outs.adopt, false);
  });

  it("keeps the agent password only when it was an input", () => {
    assert.equal(buildOutputs({ ...inputs, agentPassword: "in-put" }, { agent, running: true, adopted: false }).agentPassword, "in-put");
    const config = { get: (k: string) => (k === "obshell:agentPassword" ? "from-config" : undefined) };
    const outs = buildOutputs(inputs, { agent, running: true, adopted: false });
    assert.equal("agentPassword" in outs, false);
    assert.deepEqual(resolveAgentPassword({}, {}, config), { value: "from-config", source: "config" });
  });

  it("falls back from input to stack config to environment, read at call time", () => {
    assert.deepEqual(resolveAgentPassword({}, {}), { value: undefined, source: "none" });
    assert.deepEqual(resolveAgentPassword({}, { OBSHELL_AGENT_PASSWORD: "env-pw" }), { value: "env-pw", source: "env" });
    const unreadable = { get: () => { throw new Error("no Configure RPC"); } };
    assert.deepEqual(resolveAgentPassword({}, { OBSHELL_AGENT_PASSWORD: "env-pw" }, unreadable).source, "env");
    assert.deepEqual(resolveAgentPassword({ agentPassword: "in" }, { OBSHELL_AGENT_PASSWORD: "env-pw" }).source, "input");
  });

  it("uses the agent's own address as the id, else the endpoint's", () => {
    assert.equal(agentId({ ip: "10.0.0.5", port: 2886 }, "http://h:1"), "10.0.0.5:2886");
    assert.equal(agentId({ ip: "", port: 0 }, "https://h.example"), "h.example:443");
  });

  it("redacts every secret from progress lines and de-duplicates them", () => {
    const lines: string[] = [];
    const props = { ...inputs, resourceName: "p1", proxyroPassword: "Secret-proxyro", tls: { key: "KEY-material" } };
    const secrets = secretValues(props);
    assert.deepEqual(secrets.sort(), ["KEY-material", "Secret-proxyro"]);
    // Stage changes a second apart (obshell's nodes take at least that long).
    let clock = 0;
    const progress = createProgressReporter(resourceLabel(props), secrets, (l) => lines.push(l), { now: () => (clock += 1_000) });
    const p = { dagId: "4", dagName: "Add obproxy", state: "RUNNING" as const, stage: 2, maxStage: 4, taskName: "Start obproxy", elapsedMs: 1200, message: "" };
    progress.dag(p);
    progress.dag({ ...p, elapsedMs: 2400 });
    progress.dag({ ...p, stage: 3, taskName: "Set proxyro password for connect" });
    progress.info("login as Secret-proxyro failed");
    assert.deepEqual(lines, [
      "ObProxy p1 (http://127.0.0.1:2886): Add obproxy DAG 4 stage 2/4: Start obproxy (RUNNING, 1.2s)",
      "ObProxy p1 (http://127.0.0.1:2886): Add obproxy DAG 4 stage 3/4: Set proxyro password for connect (RUNNING, 1.2s)",
      "ObProxy p1 (http://127.0.0.1:2886): login as *** failed",
    ]);
    assert.equal(redact("a-b-a", ["a"]), "***-b-***");
  });

  it("prints at most one DAG line a second per resource, always the DAG's end, and nothing but decisions when quiet", () => {
    const p = { dagId: "4", dagName: "Delete obproxy", state: "RUNNING" as const, stage: 1, maxStage: 4, taskName: "Check obproxy status", elapsedMs: 0, message: "" };
    let clock = 0;
    const lines: string[] = [];
    const progress = createProgressReporter("ObProxy p", [], (l) => lines.push(l), { now: () => clock });
    progress.dag(p);
    clock += 100;
    progress.dag({ ...p, stage: 2, taskName: "Stop obproxy" });
    clock += 100;
    progress.dag({ ...p, stage: 4, state: "SUCCEED", taskName: "Clean obproxy dir" });
    assert.deepEqual(lines.map((l) => l.replace(/ \(.*$/, "")), ["ObProxy p: Delete obproxy DAG 4 stage 1/4: Check obproxy status", "ObProxy p: Delete obproxy DAG 4 stage 4/4: Clean obproxy dir"]);
    const quiet: string[] = [];
    const q = createProgressReporter("ObProxy p", ["pw-secret"], (l) => quiet.push(l), { verbosity: "quiet" });
    q.dag(p);
    q.debug("GET /api/v1/info → 200 (3 ms)");
    q.info("OBProxy deleted");
    assert.deepEqual(quiet, ["ObProxy p: OBProxy deleted"]);
    const debug: string[] = [];
    const d = createProgressReporter("ObProxy p", ["pw-secret"], (l) => debug.push(l), { verbosity: "debug" });
    d.debug("DELETE /api/v1/obproxy → 200 (4 ms) pw-secret");
    assert.deepEqual(debug, ["ObProxy p: DELETE /api/v1/obproxy → 200 (4 ms) ***"]);
    assert.equal(verbosityFromEnv({ PULUMI_OBPROXY_VERBOSITY: "DEBUG" }), "debug");
    assert.equal(verbosityFromEnv({}), "info");
  });
});

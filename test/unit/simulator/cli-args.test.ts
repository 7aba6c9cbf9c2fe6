/** `obshell-sim` flags: defaults, every value checked with an error naming the flag, faults parsed with zod. */
import assert from "node:assert/strict";
import { CliUsageError, parseCliArgs, parseFailTask } from "../../../src/simulator/cli-args";
import { parseFaultPlan } from "../../../src/simulator/fault-schema";

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(() => parseCliArgs(argv), (e: unknown) => {
    assert.ok(e instanceof CliUsageError, `not a usage error: ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe("simulator CLI arguments", () => {
  it("defaults to obshell's port, timing and newest version, real mode, no password", () => {
    assert.deepEqual(parseCliArgs([]), {
      help: false, port: 2886, agentPassword: null, timeScale: 1, version: "4.5.0.0", mode: "real",
      faults: { failTasks: [] }, identity: "SINGLE", agentIp: "127.0.0.1",
    });
  });

  it("reads every flag", () => {
    const o = parseCliArgs([
      "--port", "0", "--agent-password", "pw", "--time-scale", "0.05", "--version", "4.2.6.0", "--memory",
      "--fake-home", "/tmp/h", "--private-key", "/tmp/k.pem", "--identity", "CLUSTER AGENT", "--agent-ip", "::1",
      "--fail-task", "Start obproxy:always:OBProxy.HealthCheckTimeout", "--fail-task", "Stop obproxy:2",
      "--faults", '{"delay":{"ms":50,"count":2},"failTasks":[{"task":"Delete obproxy","dag":"Delete obproxy"}]}',
    ]);
    assert.equal(o.port, 0);
    assert.equal(o.timeScale, 0.05);
    assert.equal(o.mode, "memory");
    assert.equal(o.identity, "CLUSTER AGENT");
    assert.equal(o.fakeHome, "/tmp/h");
    assert.equal(o.privateKeyFile, "/tmp/k.pem");
    assert.deepEqual(o.faults, {
      delay: { ms: 50, count: 2 },
      failTasks: [
        { task: "Delete obproxy", dag: "Delete obproxy" },
        { task: "Start obproxy", times: "always", errCode: "OBProxy.HealthCheckTimeout" },
        { task: "Stop obproxy", times: 2 },
      ],
    });
  });

  for (const bad of ["abc", "", "-1", "65536", "2886.5", "1e3", "0x10"]) {
    it(`--port "${bad}" is refused, not NaN`, () => usageError([`--port=${bad}`], /^--port ".*": expected an integer from 0 to 65535$/));
  }

  for (const bad of ["fast", "", "0", "-0.5", "Infinity", "NaN"]) {
    it(`--time-scale "${bad}" is refused`, () => usageError([`--time-scale=${bad}`], /^--time-scale ".*": expected a number greater than 0/));
  }

  it("refuses a malformed version, an unknown identity and an address that is not an IP", () => {
    usageError(["--version", "4.5"], /^--version "4.5": expected four numbers/);
    usageError(["--identity", "single"], /^--identity "single": expected one of MASTER, FOLLOWER, .*SINGLE/);
    usageError(["--agent-ip", "localhost"], /^--agent-ip "localhost": expected an IPv4 or IPv6 address$/);
  });

  it("refuses unknown flags, positionals and a flag without its value", () => {
    usageError(["--prot", "2886"], /--prot/);
    usageError(["2886"], /2886/);
    usageError(["--port"], /--port/);
  });

  it("names the field of a bad fault plan, and refuses text that is not JSON", () => {
    usageError(["--faults", "{delay: 5}"], /^--faults: not JSON: /);
    usageError(["--faults", '{"delay":{"ms":"50"}}'], /^--faults: delay\.ms: /);
    usageError(["--faults", '{"failTasks":[{"task":"Start obproxy","times":0}]}'], /^--faults: failTasks\[0\]\.times: /);
    usageError(["--faults", '{"dorp":{}}'], /^--faults: .*dorp/);
    usageError(["--faults", '{"malformed":{"kind":"garbage"}}'], /^--faults: malformed\.kind: /);
    usageError(["--faults", "[]"], /^--faults: \(plan\): /);
  });

  it("names a bad --fail-task", () => {
    usageError(["--fail-task", ":once"], /^--fail-task :once: the task name is missing/);
    usageError(["--fail-task", "Start obproxy:twice"], /^--fail-task Start obproxy:twice: times must be once, always or a positive integer, not "twice"$/);
    usageError(["--fail-task", "Start obproxy:0"], /times must be/);
    assert.deepEqual(parseFailTask("Stop obproxy"), { task: "Stop obproxy", times: "once" });
  });

  it("a fault plan parses to exactly what was given", () => {
    const plan = { drop: { count: 1, path: "/api/v1/obproxy" }, status5xx: { status: 503 }, malformed: { kind: "truncated" as const } };
    assert.deepEqual(parseFaultPlan(JSON.stringify(plan)), plan);
    assert.throws(() => parseFaultPlan('{"status5xx":{"status":200}}'), /status5xx\.status/);
  });

  it("takes a fixed control token of at least 16 characters (issue 9, item 8), else leaves it to the simulator", () => {
    assert.equal(parseCliArgs(["--control-token", "ci-token-0123456789"]).controlToken, "ci-token-0123456789");
    assert.equal("controlToken" in parseCliArgs([]), false);
    usageError(["--control-token", "short"], /--control-token: expected at least 16 characters/);
  });
});

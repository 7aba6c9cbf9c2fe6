/** The `obshell-sim` process itself: a bad flag exits 2 at once, naming the flag, without listening. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const CLI = join(__dirname, "../../../src/simulator/cli.ts");

function run(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], { encoding: "utf8", timeout: 30_000 });
}

describe("obshell-sim command line", () => {
  it("exits 2 with the flag named and the usage for a bad --port", () => {
    const r = run(["--port", "abc"]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^obshell-sim: --port "abc": expected an integer from 0 to 65535\nusage: obshell-sim /);
    assert.doesNotMatch(r.stdout, /listening/);
  });

  it("exits 2 for a fault plan with a wrong field, and 2 for a key file it cannot read", () => {
    const faults = run(["--faults", '{"delay":{"ms":-1}}']);
    assert.equal(faults.status, 2, faults.stderr);
    assert.match(faults.stderr, /--faults: delay\.ms: /);
    const key = run(["--port", "0", "--private-key", join(__dirname, "no-such-key.pem")]);
    assert.equal(key.status, 2, key.stderr);
    assert.match(key.stderr, /--private-key .*no-such-key\.pem: cannot read it \(ENOENT\)/);
  });

  it("prints the usage for --help and exits 0", () => {
    const r = run(["--help"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: obshell-sim/);
  });
});

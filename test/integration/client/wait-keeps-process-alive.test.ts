/**
 * A script whose only pending work is `waitForDag` (a CLI, a CI step) must not exit before the DAG ends: the
 * client's sleeps between polls have to keep the event loop alive. The client runs in a child process, the
 * simulator here, so nothing else holds the child's loop.
 */
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import path from "node:path";
import { startSimulator, type Simulator } from "../../../src/simulator";

const ROOT = path.join(__dirname, "..", "..", "..");

const CHILD = `
const { createObshellClient } = require(${JSON.stringify(path.join(ROOT, "src", "obshell"))});
let finished = false;
process.on("exit", (code) => { if (!finished) { console.log("exited-before-dag-ended"); process.exitCode = 3; } });
(async () => {
  const client = createObshellClient({ endpoint: process.argv[1], agentPassword: "pw", taskMinDurationsMs: {} });
  const dag = await client.addObproxy({ home_path: "/opt/standalone", rs_list: "127.0.0.1:2881" });
  const done = await client.waitForDag(dag.id, { deadline: Date.now() + 20_000 });
  finished = true;
  console.log("dag-" + done.state);
  await client.close();
})();
`;

describe("client: waiting keeps a standalone process alive", function () {
  this.timeout(30_000);
  let sim: Simulator;
  before(async () => {
    // ~1 s of Add DAG (Start obproxy sleeps 10 s × 0.1): several sleeps between polls.
    sim = await startSimulator({ agentPassword: "pw", mode: "memory", timeScale: 0.1 });
  });
  after(() => sim.stop());

  it("a script awaiting waitForDag runs until the DAG succeeded", async () => {
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, ["--import", "tsx", "-e", CHILD, sim.url], { cwd: ROOT, timeout: 25_000 }, (err, stdout) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
      );
      child.stdin?.end();
    });
    assert.equal(out.stdout.trim(), "dag-SUCCEED", out.stdout);
    assert.equal(out.code, 0);
  });
});

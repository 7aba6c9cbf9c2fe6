/**
 * `npm run demo` on a machine that has a `pulumi` on PATH: .pulumi-bin is put on PATH and hidden from the demo's
 * own lookup (PULUMI_OBPROXY_CLI_DIR points at an empty folder), so only the PATH step can find it. The demo must
 * run that real CLI — `pulumi up` and `pulumi destroy` with the provider's DAG progress — and say so.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { cliDir } from "../../scripts/pulumi-env";
import { REPO_ROOT } from "../engine/harness/project";
import { cliIt, e2eSuite } from "./harness/workspace";

function runDemo(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (output += c.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), 400_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("e2e: npm run demo finds a pulumi on PATH", function () {
  this.timeout(600_000);
  const { cleanups } = e2eSuite();

  cliIt("with .pulumi-bin on PATH but hidden from its own lookup, the demo runs that CLI and names it", async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), "obproxy-demo-nocli-"));
    cleanups.add(() => rm(empty, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: [cliDir, path.join(REPO_ROOT, "node_modules", ".bin"), "/usr/local/bin", "/usr/bin", "/bin"].join(path.delimiter),
      PULUMI_OBPROXY_CLI_DIR: empty,
    };
    delete env.PULUMI_CLI;
    delete env.DEMO_WITHOUT_CLI;
    const { code, output } = await runDemo(env);
    assert.equal(code, 0, output);
    assert.match(output, new RegExp(`Ran with: Pulumi CLI \\(pulumi on PATH: ${path.join(cliDir, "pulumi").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\)`));
    assert.match(output, /pulumi │ .*Delete obproxy DAG \d+ stage \d\/\d/, "the real CLI showed the provider's destroy progress");
    assert.match(output, /\$ pulumi destroy --yes --skip-preview/);
    assert.doesNotMatch(output, /engine-protocol harness/);
  });
});

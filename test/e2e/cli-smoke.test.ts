/**
 * Smoke test of the Pulumi CLI that scripts/build-pulumi-cli.sh builds: a tiny TypeScript program with one
 * `pulumi.dynamic.Resource` whose create writes a marker file and whose delete removes it goes through
 * `pulumi up` and `pulumi destroy` on a `file://` backend, with no network and no plugin download.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { cliDir, pulumiEnv, repoRoot as REPO_ROOT, runPulumi, type PulumiResult } from "../../scripts/pulumi-env";
import { cliIt } from "./harness/workspace";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";

// The provider's code is serialized into the state; \`require\` inside it runs in the provider process.
declare function require(id: string): any;

const provider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: any) {
    require("fs").writeFileSync(inputs.marker, "created by the smoke test\\n");
    console.log("smoke-provider: created " + inputs.marker);
    return { id: "marker-1", outs: inputs };
  },
  async delete(_id: string, props: any) {
    require("fs").rmSync(props.marker, { force: true });
    console.log("smoke-provider: deleted " + props.marker);
  },
};

class Marker extends pulumi.dynamic.Resource {
  constructor(name: string, args: { marker: pulumi.Input<string> }) {
    super(provider, name, args);
  }
}

const config = new pulumi.Config();
export const markerId = new Marker("marker", { marker: config.require("marker") }).id;
`;

function pinnedVersion(): string {
  const gomod = readFileSync(path.join(REPO_ROOT, "tools", "pulumi-cli", "go.mod"), "utf8");
  const m = /github\.com\/pulumi\/pulumi\/pkg\/v3 (v\S+)/.exec(gomod);
  assert.ok(m, "tools/pulumi-cli/go.mod pins pkg/v3");
  return m[1];
}

describe("e2e: the Pulumi CLI built from the Go module proxy (smoke)", function () {
  this.timeout(300_000);
  let root: string | undefined;

  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  cliIt("pulumi up creates a dynamic resource and pulumi destroy deletes it, offline", async function () {
    root = await mkdtemp(path.join(os.tmpdir(), "pulumi-cli-smoke-"));
    const program = path.join(root, "program");
    const state = path.join(root, "state");
    const marker = path.join(root, "marker.txt");
    await mkdir(path.join(program, "node_modules"), { recursive: true });
    await mkdir(state);
    // @pulumi/pulumi 3.270.0 (and its dependencies' resolution) from the repository's own install.
    await symlink(path.join(REPO_ROOT, "node_modules", "@pulumi"), path.join(program, "node_modules", "@pulumi"), "dir");
    await writeFile(path.join(program, "Pulumi.yaml"), "name: cli-smoke\nruntime: nodejs\n");
    await writeFile(path.join(program, "package.json"), JSON.stringify({ name: "cli-smoke", main: "index.ts" }, null, 2));
    await writeFile(path.join(program, "index.ts"), PROGRAM);

    // The default TypeScript path, type-check included (the other CLI tests run transpile-only).
    const env = pulumiEnv(root, { PULUMI_NODEJS_TRANSPILE_ONLY: "false" });
    const transcript: string[] = [];
    const pulumi = async (...args: string[]): Promise<PulumiResult> => {
      const started = Date.now();
      const r = await runPulumi(args, { cwd: program, env, timeoutMs: 240_000 });
      transcript.push(`$ pulumi ${args.join(" ")}  (exit ${r.code}, ${Date.now() - started} ms)\n${r.stdout}${r.stderr}`);
      console.log(`      pulumi ${args[0]}: exit ${r.code} in ${Date.now() - started} ms`);
      assert.equal(r.code, 0, `pulumi ${args.join(" ")} failed:\n${transcript.join("\n")}`);
      return r;
    };

    const version = await pulumi("version");
    assert.equal(version.stdout.trim(), pinnedVersion());
    await pulumi("login", `file://${state}`);
    await pulumi("stack", "init", "smoke", "--non-interactive");
    await pulumi("config", "set", "marker", marker);

    const up = await pulumi("up", "--yes", "--non-interactive", "--skip-preview");
    assert.ok(existsSync(marker), `create did not write ${marker}:\n${transcript.join("\n")}`);
    assert.equal(readFileSync(marker, "utf8"), "created by the smoke test\n");
    // Since CLI 3.146 the dynamic provider's stdout reaches the user, as stack-level diagnostics.
    assert.match(up.stdout, /smoke-provider: created /);
    assert.match(up.stdout, /pulumi-nodejs:dynamic:Resource\s+marker\s+created/);

    const destroy = await pulumi("destroy", "--yes", "--non-interactive", "--skip-preview");
    assert.ok(!existsSync(marker), `delete did not remove ${marker}:\n${transcript.join("\n")}`);
    assert.match(destroy.stdout, /smoke-provider: deleted /);
    await pulumi("stack", "rm", "smoke", "--yes", "--non-interactive");

    // Everything ran from .pulumi-bin: nothing was downloaded into the plugin cache.
    const plugins = path.join(root, ".pulumi-home", "plugins");
    const cached = existsSync(plugins) ? readdirSync(plugins) : [];
    assert.deepEqual(cached, [], `plugins were installed into ${plugins} instead of using ${cliDir}`);
  });
});

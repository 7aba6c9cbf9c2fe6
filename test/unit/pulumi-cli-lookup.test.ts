/**
 * Where `npm run demo` finds a Pulumi CLI (scripts/pulumi-env.js `findPulumiCli`): PULUMI_CLI, then a `pulumi` on
 * PATH, then .pulumi-bin with its bundled plugins; nothing else. Real files with real modes in a temporary folder.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { findPulumiCli } from "../../scripts/pulumi-env";

describe("demo: Pulumi CLI lookup order", () => {
  let root: string;
  const dir = (name: string, files: string[] = [], mode = 0o755) => {
    const d = path.join(root, name);
    mkdirSync(d, { recursive: true });
    for (const f of files) {
      writeFileSync(path.join(d, f), "#!/bin/sh\nexit 0\n");
      chmodSync(path.join(d, f), mode);
    }
    return d;
  };
  const BUNDLE = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"];

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "obproxy-cli-lookup-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("PULUMI_CLI comes first, before a pulumi on PATH and .pulumi-bin", () => {
    const explicit = path.join(dir("explicit", ["pulumi"]), "pulumi");
    const found = findPulumiCli({ PULUMI_CLI: explicit, PATH: dir("onpath", ["pulumi"]) }, dir("local", BUNDLE));
    assert.deepEqual(found, { source: "PULUMI_CLI", pulumi: explicit, dir: path.dirname(explicit) });
  });

  it("a PULUMI_CLI that is not an executable file is an error naming the variable, not a silent fall-through", () => {
    const plain = path.join(dir("plain", ["pulumi"], 0o644), "pulumi");
    for (const bad of [plain, path.join(root, "missing"), dir("a-directory")]) {
      assert.throws(() => findPulumiCli({ PULUMI_CLI: bad, PATH: dir("onpath", ["pulumi"]) }, dir("local", BUNDLE)), /PULUMI_CLI=.* is not an executable file/);
    }
  });

  it("then the first executable pulumi on PATH, skipping empty entries, non-executables and directories", () => {
    const PATH = [dir("empty"), "", dir("not-exec", ["pulumi"], 0o644), path.dirname(dir("dir-named/pulumi")), dir("first", ["pulumi"]), dir("second", ["pulumi"])].join(path.delimiter);
    assert.deepEqual(findPulumiCli({ PATH }, dir("local", BUNDLE)), { source: "PATH", pulumi: path.join(root, "first", "pulumi"), dir: path.join(root, "first") });
  });

  it("then .pulumi-bin, only with its language host and dynamic-provider launcher beside pulumi", () => {
    const local = dir("local", BUNDLE);
    assert.deepEqual(findPulumiCli({ PATH: dir("empty") }, local), { source: ".pulumi-bin", pulumi: path.join(local, "pulumi"), dir: local });
    assert.equal(findPulumiCli({ PATH: dir("empty") }, dir("half", ["pulumi", "pulumi-language-nodejs"])), undefined);
  });

  it("none at all is undefined (the demo then uses the engine harness)", () => {
    assert.equal(findPulumiCli({ PATH: "" }, path.join(root, "nowhere")), undefined);
    assert.equal(findPulumiCli({}, path.join(root, "nowhere")), undefined);
  });

  it("PULUMI_OBPROXY_CLI_DIR moves the .pulumi-bin lookup (how the demo test hides it)", () => {
    const moved = dir("moved", BUNDLE);
    assert.equal(findPulumiCli({ PATH: "", PULUMI_OBPROXY_CLI_DIR: moved })?.dir, moved);
    assert.equal(findPulumiCli({ PATH: "", PULUMI_OBPROXY_CLI_DIR: path.join(root, "nowhere") }), undefined);
  });
});

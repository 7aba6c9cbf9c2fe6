/**
 * What a consumer's node_modules gets: the packed tarball's file list (as `npm pack --dry-run` reports it and as
 * `npm install <tarball>` unpacked it), each package.json export and bin loading from the installed copy, what the
 * entries load, the README's links, and the examples' dependency on the tarball the tests install.
 *
 * Helpers adding shipped files (e.g. a plugin bin) extend SHIPPED_EXTRA; exports and bins are read from package.json.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { cachedPackedProject } from "../e2e/harness/project-cache";
import { PULUMI_VERSION, REPO_ROOT } from "./harness/project";

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  bin?: Record<string, string>;
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
};

/** Shipped besides the compiled sources: user docs (the README links them), the plugin manifest, the README. */
const SHIPPED_DOCS = ["README.md", "PulumiPlugin.yaml", "docs/client.md", "docs/operator.md", "docs/plugin.md", "docs/protocol.md", "docs/resource.md", "docs/security.md", "docs/simulator.md", "docs/terraform.md", "package.json"];
/** Other shipped files (bins that are not compiled from src/), added by whoever adds them. */
const SHIPPED_EXTRA: string[] = ["bin/pulumi-resource-obproxy", "bin/terraform-provider-obproxy"];

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : walk(p, base);
    return [path.relative(base, p)];
  });
}

/** Every src/**.ts as the .js and .d.ts tsc writes for it, plus the docs: exactly what should ship. */
function expectedFiles(): string[] {
  const compiled = walk(path.join(REPO_ROOT, "src"))
    .filter((f) => f.endsWith(".ts"))
    .flatMap((f) => [`dist/${f.replace(/\.ts$/, ".js")}`, `dist/${f.replace(/\.ts$/, ".d.ts")}`]);
  return [...compiled, ...SHIPPED_DOCS, ...SHIPPED_EXTRA].sort();
}

/** Runs `node -e` in the consumer project; prints require.cache (relative to node_modules) after `code`. */
async function probe(projectDir: string, code: string): Promise<string[]> {
  const script = `${code}; console.log(JSON.stringify(Object.keys(require.cache)))`;
  const { stdout } = await run(process.execPath, ["-e", script], { cwd: projectDir });
  const modules = path.join(projectDir, "node_modules");
  return (JSON.parse(stdout.trim().split("\n").pop()!) as string[]).map((f) => path.relative(modules, f));
}

describe("engine: the packed package in a consumer's node_modules", function () {
  this.timeout(300_000);
  let projectDir: string;
  before(async () => {
    projectDir = (await cachedPackedProject()).dir;
  });

  it("npm pack --dry-run lists exactly the compiled sources, the user docs and the manifest (no source maps, no tests)", async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
    const listed = (JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path).sort();
    assert.deepEqual(listed, expectedFiles(), "if dist/ is stale or missing, run `npm run build` first");
  });

  it("the installed tarball holds exactly those files", () => {
    const installed = walk(path.join(projectDir, "node_modules", pkg.name)).sort();
    assert.deepEqual(installed, expectedFiles());
  });

  it("every export entry loads from the installed package; each bin is shipped", async () => {
    for (const entry of Object.keys(pkg.exports)) {
      const specifier = entry === "." ? pkg.name : `${pkg.name}/${entry.slice(2)}`;
      const loaded = await probe(projectDir, `const m = require(${JSON.stringify(specifier)}); if (!m || !Object.keys(m).length) throw new Error("empty")`);
      assert.ok(loaded.some((f) => f.startsWith(`${pkg.name}/`)), `${specifier} loaded from node_modules`);
    }
    const shipped = new Set(walk(path.join(projectDir, "node_modules", pkg.name)));
    for (const [name, file] of Object.entries(pkg.bin ?? {})) assert.ok(shipped.has(path.normalize(file)), `bin ${name} → ${file} is shipped`);
  });

  it("require('pulumi-obproxy') loads no simulator module and not undici; ./obshell and ./simulator load no @pulumi/pulumi", async () => {
    const root = await probe(projectDir, `require("${pkg.name}")`);
    assert.ok(root.includes(`${pkg.name}/dist/index.js`));
    assert.deepEqual(root.filter((f) => f.includes("/simulator/") || f.startsWith("undici/") || f.endsWith("obshell/transport.js")), []);
    for (const entry of ["obshell", "simulator"]) {
      const loaded = await probe(projectDir, `require("${pkg.name}/${entry}")`);
      assert.ok(loaded.includes(`${pkg.name}/dist/${entry}/index.js`));
      assert.deepEqual(loaded.filter((f) => f.startsWith("@pulumi/")), [], entry);
    }
  });

  it("every relative link in the README and the shipped docs points at a shipped file; the rest are absolute URLs", () => {
    const shipped = new Set(expectedFiles());
    const docs = [...shipped].filter((f) => f.endsWith(".md"));
    let links = 0;
    const broken = docs.flatMap((doc) => {
      const text = readFileSync(path.join(REPO_ROOT, doc), "utf8").replace(/```[\s\S]*?```/g, "");
      const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((l) => !l.startsWith("#"));
      links += targets.length;
      return targets
        .filter((l) => !/^https:\/\//.test(l) && !shipped.has(path.normalize(path.join(path.dirname(doc), l.split("#")[0]))))
        .map((l) => `${doc}: ${l}`);
    });
    assert.ok(links > 0);
    assert.deepEqual(broken, [], "links a reader of node_modules/pulumi-obproxy could not follow");
  });

  it("the example programs depend on the tarball `npm pack` writes and on the @pulumi/pulumi the tests install", () => {
    const tarball = `file:../../${pkg.name}-${pkg.version}.tgz`;
    // Pulumi programs installed with npm (a Pulumi.yaml and a package.json); examples/teardown drives other projects
    // and loads no pulumi-obproxy itself, examples/python installs it by hand (its README).
    const has = (e: string, f: string) => existsSync(path.join(REPO_ROOT, "examples", e, f));
    const programs = readdirSync(path.join(REPO_ROOT, "examples")).filter((e) => has(e, "Pulumi.yaml") && has(e, "package.json"));
    assert.ok(programs.length >= 2);
    for (const example of programs) {
      const deps = JSON.parse(readFileSync(path.join(REPO_ROOT, "examples", example, "package.json"), "utf8")).dependencies;
      assert.equal(deps[pkg.name], tarball, `examples/${example}`);
      assert.equal(deps["@pulumi/pulumi"], PULUMI_VERSION, `examples/${example}`);
    }
    assert.match(pkg.dependencies["@pulumi/pulumi"], /^\^3\./, "a regular dependency: the plugin needs it in every consumer");
  });
});

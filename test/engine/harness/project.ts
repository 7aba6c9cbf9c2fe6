/**
 * A Pulumi project directory with pulumi-obproxy installed the way a consumer installs it: `npm run build`,
 * `npm pack`, then `npm install <tarball>` (never a symlink: a linked package is serialized by value, which is
 * exactly what the shim exists to avoid). Prepared once per process and shared by every engine test, the demo and
 * the benchmark.
 */
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The repository root (where package.json of pulumi-obproxy lives). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/** The @pulumi/pulumi version installed next to the package, the repository's own dev dependency. */
export const PULUMI_VERSION = "3.270.0";

/** Project name used in Pulumi.yaml, PULUMI_PROJECT and config keys. */
export const PROJECT_NAME = "obproxy-engine-test";

/** A prepared project. */
export interface PackedProject {
  /** Project directory (cwd of the plugin, like the engine's project pwd). */
  dir: string;
  /** The packed tarball. */
  tarball: string;
  /** Where the package was installed: `<dir>/node_modules/pulumi-obproxy`. */
  packageDir: string;
  /** Removes the temporary directories. */
  cleanup(): Promise<void>;
}

async function npm(args: string[], cwd: string): Promise<string> {
  // The npm on PATH (the repository's scripts run it too); no audit/fund traffic, cache first.
  const { stdout } = await run("npm", args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: "false" } });
  return stdout;
}

/** Builds, packs and installs the package into a fresh project directory. */
export async function preparePackedProject(options: { build?: boolean } = {}): Promise<PackedProject> {
  const root = await mkdtemp(path.join(os.tmpdir(), "obproxy-engine-"));
  if (options.build !== false) await npm(["run", "build", "--silent"], REPO_ROOT);
  const packed = JSON.parse(await npm(["pack", "--json", "--pack-destination", root], REPO_ROOT)) as { filename: string }[];
  const tarball = path.join(root, packed[0].filename);
  const dir = path.join(root, "project");
  await mkdir(dir);
  await writeFile(path.join(dir, "package.json"), JSON.stringify({ name: PROJECT_NAME, version: "0.0.0", private: true }, null, 2));
  await writeFile(path.join(dir, "Pulumi.yaml"), `name: ${PROJECT_NAME}\nruntime: nodejs\n`);
  await npm(["install", tarball, `@pulumi/pulumi@${PULUMI_VERSION}`, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], dir);
  return {
    dir,
    tarball,
    packageDir: path.join(dir, "node_modules", "pulumi-obproxy"),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

let shared: Promise<PackedProject> | undefined;

/**
 * The project shared by all engine tests of this process: prepared on first use, removed at exit.
 * Tests that modify the installed package (destroy after upgrade) restore what they changed.
 */
export function sharedPackedProject(): Promise<PackedProject> {
  if (!shared) {
    shared = preparePackedProject();
    shared.then(
      (p) => process.once("exit", () => rmSync(path.dirname(p.dir), { recursive: true, force: true })),
      () => undefined,
    );
  }
  return shared;
}

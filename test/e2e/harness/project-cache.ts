/**
 * The packed-and-installed pulumi-obproxy project (test/engine/harness/project.ts), cached under
 * `$TMPDIR/pulumi-obproxy-cache/demo-project/<hash>` (or `$PULUMI_OBPROXY_CACHE_DIR/<hash>`) so that the e2e tests and `npm run demo` pay the build + pack + npm install
 * (~20-40 s on 2 cores) once per change of the package sources instead of once per process.
 *
 * The key hashes everything that goes into the tarball (src/, bin/, package.json, tsconfig.json, PulumiPlugin.yaml,
 * README.md) and the @pulumi/pulumi version, so an edited source never runs from a stale cache. A cache entry is
 * prepared in a temporary directory and renamed into place, so concurrent processes never see half an install.
 *
 * Why not under the repository (e.g. `.cache/`): Node resolves modules by walking up from their real path, so a
 * project inside the repository would silently see the repository's own node_modules — its TypeScript 6 broke
 * the program's compile (`moduleResolution=node10` is deprecated), and a dependency missing from the package
 * would go unnoticed. A user's project has no such parent.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { cp, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { preparePackedProject, PULUMI_VERSION, REPO_ROOT } from "../../engine/harness/project";

export const CACHE_ROOT = process.env.PULUMI_OBPROXY_CACHE_DIR || path.join(os.tmpdir(), "pulumi-obproxy-cache", "demo-project");
const READY = ".ready";
/**
 * Entries (~120 MB each) not used for this long are removed when a new one is made. Each use touches `.ready`;
 * a run of the e2e tier takes minutes, so an entry another process is using is never this old.
 */
const STALE_MS = 30 * 60_000;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  });
}

/** The cache key: a hash of the package's inputs. */
export function packageSourceHash(): string {
  const hash = createHash("sha256").update(`@pulumi/pulumi@${PULUMI_VERSION}\n`);
  const files = [
    ...listFiles(path.join(REPO_ROOT, "src")),
    ...listFiles(path.join(REPO_ROOT, "bin")),
    ...["package.json", "tsconfig.json", "PulumiPlugin.yaml", "README.md"].map((f) => path.join(REPO_ROOT, f)),
  ].filter((f) => existsSync(f)).sort();
  for (const f of files) hash.update(`${path.relative(REPO_ROOT, f)}\n`).update(readFileSync(f));
  return hash.digest("hex").slice(0, 16);
}

async function removeStaleEntries(keep: string): Promise<void> {
  for (const name of existsSync(CACHE_ROOT) ? readdirSync(CACHE_ROOT) : []) {
    const p = path.join(CACHE_ROOT, name);
    if (name === keep) continue;
    try {
      const used = existsSync(path.join(p, READY)) ? statSync(path.join(p, READY)).mtimeMs : statSync(p).mtimeMs;
      if (Date.now() - used > STALE_MS) await rm(p, { recursive: true, force: true });
    } catch {
      /* another process removed it */
    }
  }
}

/** A project directory with pulumi-obproxy installed from its tarball, and whether it came from the cache. */
export interface CachedProject {
  dir: string;
  fromCache: boolean;
  ms: number;
}

let memo: Promise<CachedProject> | undefined;

/** The cached project for the current sources, preparing it when missing (once per process). */
export function cachedPackedProject(log: (line: string) => void = () => undefined): Promise<CachedProject> {
  memo ??= (async () => {
    const started = Date.now();
    // An already prepared project (a directory with node_modules/pulumi-obproxy), e.g. to keep testing the CLI
    // while the sources do not build: the caller vouches for it.
    const preset = process.env.PULUMI_OBPROXY_PROJECT;
    if (preset) return { dir: path.resolve(preset), fromCache: true, ms: 0 };
    const key = packageSourceHash();
    const entry = path.join(CACHE_ROOT, key);
    const dir = path.join(entry, "project");
    if (existsSync(path.join(entry, READY))) {
      // Touch the entry so that other processes do not consider it stale.
      await writeFile(path.join(entry, READY), new Date().toISOString());
      return { dir, fromCache: true, ms: Date.now() - started };
    }
    log(`preparing the example project (npm run build, npm pack, npm install) into ${entry} ...`);
    const fresh = await preparePackedProject();
    try {
      await mkdir(CACHE_ROOT, { recursive: true });
      const staging = `${entry}.tmp-${process.pid}`;
      await rm(staging, { recursive: true, force: true });
      await cp(fresh.dir, path.join(staging, "project"), { recursive: true, verbatimSymlinks: true });
      await writeFile(path.join(staging, READY), new Date().toISOString());
      try {
        await rename(staging, entry);
      } catch {
        // Another process finished first: use its entry.
        await rm(staging, { recursive: true, force: true });
        if (!(await stat(path.join(entry, READY)).catch(() => undefined))) throw new Error(`cannot populate ${entry}`);
      }
    } finally {
      await fresh.cleanup();
    }
    await removeStaleEntries(key);
    return { dir, fromCache: false, ms: Date.now() - started };
  })();
  return memo;
}

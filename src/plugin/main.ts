/**
 * Entry point of `pulumi-resource-obproxy` (bin/pulumi-resource-obproxy runs this file with node). The engine
 * starts the plugin with the consumer program's directory as cwd and its own address as the first argument, and
 * reads the port from the first stdout line: nothing else may be printed there. Startup has no side effects beyond
 * listening (the YAML language host starts the plugin once more to read the schema).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { tuneHostGc } from "../provider/host-tuning";
import { createResourceLog } from "./engine-log";
import { serveObProxyProvider } from "./server";

/** The plugin version: this package's version, read next to the compiled file (never from cwd). */
export function pluginVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

/** Serves the provider until the engine kills the process; prints the port. `args[0]` is the engine address. */
export async function runPlugin(args: readonly string[] = process.argv.slice(2)): Promise<void> {
  // The engine reads the port from stdout; anything a library might print goes to stderr instead.
  console.log = console.info = (...parts: unknown[]) => console.error(...parts);
  // This process hosts only the provider: fleet destroys keep its young generation small (host-tuning.ts).
  tuneHostGc();
  const engine = args.find((a) => !a.startsWith("-"));
  const { log } = createResourceLog(engine);
  const { port } = await serveObProxyProvider({ version: pluginVersion(), log });
  process.stdout.write(`${port}\n`);
}

/** The package's `engines` (undici 8, the client's HTTP library, needs 22.19); say so instead of failing inside it. */
function assertNodeVersion(): void {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 19)) throw new Error(`needs Node.js >= 22.19 on PATH, found ${process.version} (${process.execPath})`);
}

if (require.main === module) {
  Promise.resolve()
    .then(assertNodeVersion)
    .then(() => runPlugin())
    .catch((e: unknown) => {
      // The engine shows this text as the reason the plugin did not start.
      process.stderr.write(`pulumi-resource-obproxy: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    });
}

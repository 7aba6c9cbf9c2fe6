/**
 * Pulumi's dynamic-provider plugin prints every failed delete, read and diff to stderr as `${e}: ${e.stack}` before
 * the engine shows the message itself: the error appears again, twice, with a stack trace into files the package
 * does not ship. The CLI shows plugin stderr lines as diagnostics, so a failed `pulumi destroy` read three times.
 * The lifecycle the serialized shim calls registers each error it throws here, and the plugin's one print of exactly
 * that error is left out. Anything else on stderr passes untouched; `PULUMI_OBPROXY_VERBOSITY=debug` keeps them all.
 */

/** The exact texts the plugin is about to print for errors we already reported through the engine. */
const expected = new Set<string>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const original = console.error.bind(console);
  console.error = (...args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === "string" && expected.delete(args[0])) return;
    original(...args);
  };
}

/** Leaves the plugin's stderr print of `e` out (once); the engine still shows its message. */
export function reportOnlyThroughEngine(e: unknown): void {
  if (!(e instanceof Error)) return;
  install();
  // The plugin's own format (cmd/dynamic-provider: console.error(`${e}: ${e.stack}`)).
  expected.add(`${e}: ${e.stack}`);
  // A print that never comes (create and update answer through gRPC status only) must not pile up.
  if (expected.size > 100) expected.delete(expected.values().next().value as string);
}

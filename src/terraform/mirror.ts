/**
 * Installing the provider into a Terraform/OpenTofu filesystem mirror, so `init` finds it offline:
 * `<dir>/<host>/<namespace>/obproxy/<version>/<os>_<arch>/terraform-provider-obproxy_v<version>` for both
 * registry hosts. The file is a small launcher that runs this package's provider with the current Node.
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** The provider source address users write in `required_providers`: `<namespace>/obproxy`. */
export const PROVIDER_NAMESPACE = "pulumi-obproxy";
const HOSTS = ["registry.terraform.io", "registry.opentofu.org"];

/** Terraform's platform name for this machine, e.g. linux_amd64. */
export function terraformPlatform(platform = process.platform, arch = process.arch): string {
  const os = platform === "win32" ? "windows" : platform;
  const cpu = arch === "x64" ? "amd64" : arch === "ia32" ? "386" : arch;
  return `${os}_${cpu}`;
}

/** This package's version (the provider version in the mirror). */
export function packageVersion(): string {
  return (require("../../package.json") as { version: string }).version;
}

/** Writes the launcher for both hosts; returns the files written. */
export async function installMirror(dir: string, node = process.execPath): Promise<string[]> {
  const version = packageVersion();
  const entry = path.resolve(__dirname, "main.js");
  const launcher = `#!/bin/sh\n# terraform-provider-obproxy ${version} (pulumi-obproxy): Terraform starts this as the provider plugin.\nexec "${node}" "${entry}" "$@"\n`;
  const written: string[] = [];
  for (const host of HOSTS) {
    const folder = path.join(path.resolve(dir), host, PROVIDER_NAMESPACE, "obproxy", version, terraformPlatform());
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, `terraform-provider-obproxy_v${version}`);
    await writeFile(file, launcher);
    await chmod(file, 0o755);
    written.push(file);
  }
  return written;
}

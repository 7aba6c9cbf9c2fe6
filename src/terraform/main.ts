/**
 * Entry point of `terraform-provider-obproxy`. Started by Terraform/OpenTofu it serves the provider; started by a
 * person with `--install-mirror <dir>` it writes the launcher into a filesystem mirror (docs/terraform.md).
 *
 * Only the handshake line may reach stdout (go-plugin reads the first line), so console output is sent to stderr,
 * and progress is written as hclog JSON lines, which go-plugin forwards to the Terraform log at their level.
 * SIGINT is ignored: Ctrl-C reaches the whole process group, and Terraform answers it with StopProvider, which
 * aborts the in-flight waits; dying on the signal would lose the resource Terraform is about to record.
 */
import { tuneHostGc } from "../provider/host-tuning";
import { createLifecycle } from "../provider/lifecycle";
import { logLine } from "./log";
import { installMirror } from "./mirror";
import { TerraformProvider } from "./provider";
import { serve } from "./server";

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "--install-mirror") {
    if (!argv[1]) throw new Error("usage: terraform-provider-obproxy --install-mirror <directory>");
    for (const file of await installMirror(argv[1])) process.stderr.write(`installed ${file}\n`);
    return;
  }
  const stdout = process.stdout.write.bind(process.stdout);
  console.log = console.info = (...args: unknown[]) => process.stderr.write(`${args.join(" ")}\n`);
  process.on("SIGINT", () => undefined);
  // This process hosts only the provider: fleet destroys keep its young generation small (host-tuning.ts).
  tuneHostGc();
  const lifecycle = createLifecycle({ sink: (line) => process.stderr.write(`${logLine("info", line)}\n`) });
  const provider = new TerraformProvider(lifecycle);
  await serve(provider.handlers(), {
    env: process.env,
    announce: (line) => stdout(`${line}\n`),
    onShutdown: () => process.exit(0),
  });
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`terraform-provider-obproxy: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

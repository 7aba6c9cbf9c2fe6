/**
 * The package's `main`, for `PulumiPlugin.yaml` (`runtime: nodejs`): a Node language host that runs plugins from
 * source (CLI ≥ 3.139) runs `@pulumi/pulumi/cmd/run-plugin <package dir> <engine address>`, which `require`s the
 * directory (package.json `main`, not `exports`) and calls the exported function. Requiring it does nothing else;
 * programs importing "pulumi-obproxy" get dist/index.js through `exports["."]`.
 */
import { runPlugin } from "./main";

export = function servePlugin(): Promise<void> {
  return runPlugin(process.argv.slice(2));
};

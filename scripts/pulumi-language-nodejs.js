#!/usr/bin/env node
"use strict";
/**
 * A minimal Pulumi language host for Node.js programs, installed as `.pulumi-bin/pulumi-language-nodejs` beside the
 * `pulumi` CLI that scripts/build-pulumi-cli.sh builds from the Go module proxy.
 *
 * Why our own: the Go module proxy does not serve Pulumi's language-host module
 * (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 answers 403 for every version), so the
 * documented fallback F3 applies: a host that implements just what `pulumi up/refresh/destroy` need —
 * Handshake, GetPluginInfo, GetRequiredPlugins/GetRequiredPackages (none: our programs use only @pulumi/pulumi),
 * InstallDependencies (nothing to do: tests install node_modules themselves) and Run, which starts the program
 * through the project's own `@pulumi/pulumi/cmd/run`, the entry point the official host uses.
 * It prints its gRPC port on the first stdout line, as every Pulumi plugin does.
 */
const { spawn } = require("node:child_process");
const path = require("node:path");

const HOST_VERSION = "3.274.1";
// Exit code with which @pulumi/pulumi/cmd/run says "the error was already reported to the user".
const EXIT_ERROR_ALREADY_LOGGED = 32;

/** Resolves a module from the program directory first, then from this repository's node_modules. */
function resolveFrom(request, dirs) {
  return require.resolve(request, { paths: [...dirs, path.join(__dirname, "..")] });
}

function loadProtocol(dirs) {
  const pulumiDir = path.dirname(resolveFrom("@pulumi/pulumi/package.json", dirs));
  return {
    grpc: require(resolveFrom("@grpc/grpc-js", [pulumiDir, ...dirs])),
    services: require(path.join(pulumiDir, "proto", "language_grpc_pb.js")),
    messages: require(path.join(pulumiDir, "proto", "language_pb.js")),
    plugin: require(path.join(pulumiDir, "proto", "plugin_pb.js")),
    empty: require(resolveFrom("google-protobuf/google/protobuf/empty_pb.js", [pulumiDir, ...dirs])),
  };
}

function parseArgs(argv) {
  const positional = argv.filter((a) => !a.startsWith("-"));
  const root = argv.find((a) => a.startsWith("-root="));
  return { engineAddress: positional[0] || "", root: root ? root.slice("-root=".length) : undefined };
}

/** Builds the argument list for `@pulumi/pulumi/cmd/run` from a RunRequest. */
function runArguments(req, engineAddress) {
  const info = req.getInfo();
  const args = [
    `--monitor=${req.getMonitorAddress()}`,
    `--engine=${engineAddress}`,
    `--organization=${req.getOrganization()}`,
    `--project=${req.getProject()}`,
    `--stack=${req.getStack()}`,
    `--pwd=${(info && info.getProgramDirectory()) || req.getPwd()}`,
    `--root-directory=${(info && info.getRootDirectory()) || req.getPwd()}`,
  ];
  if (req.getParallel() > 0) args.push(`--parallel=${req.getParallel()}`);
  if (req.getDryrun()) args.push("--dry-run");
  args.push((info && info.getEntryPoint()) || req.getProgram() || ".");
  return args.concat(req.getArgsList());
}

function runtimeOptions(req) {
  const options = req.getInfo() && req.getInfo().getOptions();
  return options ? options.toJavaScript() : {};
}

function runProgram(req, engineAddress, protocol) {
  const programDir = (req.getInfo() && req.getInfo().getProgramDirectory()) || req.getPwd();
  const runScript = resolveFrom("@pulumi/pulumi/cmd/run", [programDir]);
  const config = {};
  req.getConfigMap().forEach((value, key) => { config[key] = value; });
  const options = runtimeOptions(req);
  const env = {
    ...process.env,
    PULUMI_CONFIG: JSON.stringify(config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()),
    PULUMI_NODEJS_TYPESCRIPT: options.typescript === false ? "false" : "true",
  };
  if (typeof options.tsconfig === "string") env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [runScript, ...runArguments(req, engineAddress)], {
      cwd: programDir, env, stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", (err) => resolve({ error: `could not start the program: ${err.message}`, bail: false }));
    child.on("exit", (code, signal) => {
      if (code === 0) resolve({ error: "", bail: false });
      else if (code === EXIT_ERROR_ALREADY_LOGGED) resolve({ error: "", bail: true });
      else resolve({ error: `Program exited with ${signal ? `signal ${signal}` : `non-zero exit code: ${code}`}`, bail: false });
    });
  });
}

function handlers(protocol, engineAddress) {
  const { messages, plugin, grpc } = protocol;
  const unimplemented = (name) => (call, callback) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not implemented by this minimal host` });
  return {
    handshake: (call, callback) => callback(null, new messages.HandshakeResponse()),
    getPluginInfo: (call, callback) => callback(null, new plugin.PluginInfo().setVersion(HOST_VERSION)),
    getRequiredPlugins: (call, callback) => callback(null, new messages.GetRequiredPluginsResponse()),
    getRequiredPackages: (call, callback) => callback(null, new messages.GetRequiredPackagesResponse()),
    installDependencies: (call) => call.end(),
    run: (call, callback) => {
      runProgram(call.request, engineAddress, protocol).then(({ error, bail }) =>
        callback(null, new messages.RunResponse().setError(error).setBail(bail)));
    },
    runtimeOptionsPrompts: unimplemented("RuntimeOptionsPrompts"),
    template: unimplemented("Template"),
    about: unimplemented("About"),
    getProgramDependencies: unimplemented("GetProgramDependencies"),
    runPlugin: (call) => call.destroy(Object.assign(new Error("RunPlugin is not implemented"), { code: grpc.status.UNIMPLEMENTED })),
    generateProgram: unimplemented("GenerateProgram"),
    generateProject: unimplemented("GenerateProject"),
    generatePackage: unimplemented("GeneratePackage"),
    pack: unimplemented("Pack"),
    link: unimplemented("Link"),
    cancel: (call, callback) => callback(null, new protocol.empty.Empty()),
  };
}

function main() {
  const { engineAddress, root } = parseArgs(process.argv.slice(2));
  const dirs = [process.cwd(), root].filter(Boolean);
  const protocol = loadProtocol(dirs);
  const server = new protocol.grpc.Server();
  server.addService(protocol.services.LanguageRuntimeService, handlers(protocol, engineAddress));
  server.bindAsync("127.0.0.1:0", protocol.grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      console.error(`pulumi-language-nodejs: cannot listen: ${err.message}`);
      process.exit(1);
    }
    process.stdout.write(`${port}\n`);
  });
  // The engine stops plugins with SIGINT (then SIGKILL); leave at once so no program outlives the CLI.
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
}

main();

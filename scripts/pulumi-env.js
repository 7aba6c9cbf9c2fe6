"use strict";
/**
 * How this repository runs the Pulumi CLI it builds (scripts/build-pulumi-cli.sh): the binaries' folder, and an
 * environment that never reaches for the network or the user's own Pulumi setup. Shared by the e2e tests and
 * `npm run demo`.
 */
const fs = require("node:fs");
const path = require("node:path");
const { spawn } = require("node:child_process");

const repoRoot = path.join(__dirname, "..");
const cliDir = path.join(repoRoot, ".pulumi-bin");

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** True when `pulumi`, our language host and the dynamic-provider launcher are all in `dir` (default .pulumi-bin). */
function isCliBuilt(dir = cliDir) {
  return ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"].every((f) => isExecutable(path.join(dir, f)));
}

/**
 * The Pulumi CLI `npm run demo` uses, in order: `PULUMI_CLI` (a path to a `pulumi` executable), a `pulumi` on PATH,
 * the one `npm run build:cli` put in .pulumi-bin. `undefined` when there is none. A set but unusable PULUMI_CLI is an
 * error (it names the variable) rather than a silent fall-through to another CLI.
 *
 * `localDir` is where .pulumi-bin is looked for; PULUMI_OBPROXY_CLI_DIR overrides it (the lookup test hides
 * .pulumi-bin that way while putting it on PATH).
 */
function findPulumiCli(env = process.env, localDir = env.PULUMI_OBPROXY_CLI_DIR || cliDir) {
  if (env.PULUMI_CLI) {
    const pulumi = path.resolve(env.PULUMI_CLI);
    if (!isExecutable(pulumi)) throw new Error(`PULUMI_CLI=${env.PULUMI_CLI} is not an executable file`);
    return { source: "PULUMI_CLI", pulumi, dir: path.dirname(pulumi) };
  }
  for (const entry of (env.PATH || "").split(path.delimiter)) {
    if (!entry) continue;
    const pulumi = path.join(path.resolve(entry), "pulumi");
    if (isExecutable(pulumi)) return { source: "PATH", pulumi, dir: path.dirname(pulumi) };
  }
  if (isCliBuilt(localDir)) return { source: ".pulumi-bin", pulumi: path.join(localDir, "pulumi"), dir: localDir };
  return undefined;
}

// Variables that switch the CLI into "agent mode", where a bare login may try to sign up on Pulumi Cloud.
const AGENT_MODE_VARIABLES = /^(AI_AGENT|CLAUDECODE|CLAUDE_CODE.*|CODEX_.*|CURSOR_.*|GEMINI_CLI|AGENT)$/;

/**
 * The environment for one Pulumi work directory: its own PULUMI_HOME, passphrase secrets, no update check, no
 * plugin downloads, Node 24 from the repository's node_modules first on PATH after the CLI's folder `binDir`
 * (default .pulumi-bin), whose bundled plugins (language host, dynamic-provider launcher) the CLI then uses.
 */
function pulumiEnv(workDir, extra = {}, binDir = cliDir) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!AGENT_MODE_VARIABLES.test(key)) env[key] = value;
  }
  return {
    ...env,
    PATH: [binDir, path.join(repoRoot, "node_modules", ".bin"), env.PATH || ""].join(path.delimiter),
    PULUMI_HOME: path.join(workDir, ".pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: "pulumi-obproxy-tests",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_CREDENTIAL_STORE: "plaintext",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
    // The programs the CLI runs here (examples/*, test programs) are type-checked by `npm run typecheck`, so ts-node
    // need not check them again on every run: about a third of a small `pulumi up` (docs/performance.md).
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    ...extra,
  };
}

/**
 * Runs `pulumi <args>` and collects its output. `onLine` sees each output line as it arrives. The child runs in
 * its own process group so a caller can send it SIGINT like a terminal would (`result.child`).
 */
function runPulumi(args, { cwd, env, timeoutMs = 300000, onLine, onSpawn, pulumi = path.join(cliDir, "pulumi") } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(pulumi, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    if (onSpawn) onSpawn(child);
    let stdout = "";
    let stderr = "";
    // Whole lines only: a chunk may end mid-line, and a test waiting for a line must not see half of it.
    const pending = { stdout: "", stderr: "" };
    const relay = (chunk, which) => {
      const text = chunk.toString("utf8");
      if (onLine) {
        const lines = (pending[which] + text).split("\n");
        pending[which] = lines.pop();
        for (const line of lines) if (line.trim()) onLine(line);
      }
      return text;
    };
    child.stdout.on("data", (c) => { stdout += relay(c, "stdout"); });
    child.stderr.on("data", (c) => { stderr += relay(c, "stderr"); });
    const flush = () => {
      if (onLine) for (const which of ["stdout", "stderr"]) if (pending[which].trim()) onLine(pending[which]);
    };
    const timer = setTimeout(() => {
      try { process.kill(-child.pid, "SIGKILL"); } catch { /* already gone */ }
      reject(new Error(`pulumi ${args.join(" ")} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on("error", (err) => { clearTimeout(timer); reject(err); });
    child.on("close", (code, signal) => { clearTimeout(timer); flush(); resolve({ code, signal, stdout, stderr }); });
  });
}

module.exports = { repoRoot, cliDir, isCliBuilt, findPulumiCli, pulumiEnv, runPulumi };

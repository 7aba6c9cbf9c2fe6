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

/** True when `pulumi`, our language host and the dynamic-provider launcher are all in .pulumi-bin. */
function isCliBuilt() {
  return ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"].every((f) => {
    try {
      fs.accessSync(path.join(cliDir, f), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

// Variables that switch the CLI into "agent mode", where a bare login may try to sign up on Pulumi Cloud.
const AGENT_MODE_VARIABLES = /^(AI_AGENT|CLAUDECODE|CLAUDE_CODE.*|CODEX_.*|CURSOR_.*|GEMINI_CLI|AGENT)$/;

/**
 * The environment for one Pulumi work directory: its own PULUMI_HOME, passphrase secrets, no update check, no
 * plugin downloads, Node 24 from the repository's node_modules first on PATH after the CLI.
 */
function pulumiEnv(workDir, extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!AGENT_MODE_VARIABLES.test(key)) env[key] = value;
  }
  return {
    ...env,
    PATH: [cliDir, path.join(repoRoot, "node_modules", ".bin"), env.PATH || ""].join(path.delimiter),
    PULUMI_HOME: path.join(workDir, ".pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: "pulumi-obproxy-tests",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_CREDENTIAL_STORE: "plaintext",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
    // The programs the CLI runs here (examples/*, test programs) are type-checked by `npm run typecheck`, so ts-node
    // need not check them again on every run: about 40 % of a small `pulumi up` (docs/performance.md).
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    ...extra,
  };
}

/**
 * Runs `pulumi <args>` and collects its output. `onLine` sees each output line as it arrives. The child runs in
 * its own process group so a caller can send it SIGINT like a terminal would (`result.child`).
 */
function runPulumi(args, { cwd, env, timeoutMs = 300000, onLine, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(cliDir, "pulumi"), args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
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

module.exports = { repoRoot, cliDir, isCliBuilt, pulumiEnv, runPulumi };

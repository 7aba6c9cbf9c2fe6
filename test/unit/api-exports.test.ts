/**
 * The public API, pinned: every name (values and types) each package entry exports, read by the TypeScript
 * checker from the entry's source, and what importing an entry loads. A change here is an API change: the list
 * is edited on purpose, never to make a test pass. Entries are the `exports` of package.json; an entry added
 * there without a list here fails the first test.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
const pkg = require(path.join(ROOT, "package.json")) as { exports: Record<string, string | { default: string }> };

/** package.json `exports` key → its source file, and the names it exports (sorted). */
const API: Record<string, { source: string; names: string[] }> = {
  ".": {
    source: "src/index.ts",
    names: ["LastDag", "ObProxy", "ObProxyArgs", "ObProxyError", "ObProxyErrorCode", "ObProxyInputs", "ObProxyOutputs", "ObProxyState", "ObProxyTimeouts", "ObProxyTlsArgs", "isObProxyError"],
  },
  "./obshell": {
    source: "src/obshell/index.ts",
    names: [
      "AddObproxyParams", "AgentIdentity", "AgentSecret", "AgentServiceStatus", "AgentStatusInfo", "CallOptions", "Clock",
      "ConfigError", "DagDetail", "DagFailedError", "DagFailedFields", "DagOperator", "DagProgress", "DagState", "DagTimeoutError",
      "ErrCode", "KeyPinMismatchError", "LegacyCode", "MIN_OBPROXY_AGENT_VERSION", "MaintenanceType", "NetworkError",
      "NetworkErrorKind", "NodeDetail", "OBPROXY_DAGS", "OBSHELL_TASK_MIN_DURATIONS_MS", "ObproxyDagKind", "ObshellApiError",
      "ObshellApiErrorFields", "ObshellClient", "ObshellClientOptions", "ObshellError", "ObshellTlsOptions", "ObshellVersionError",
      "OperateDagOperator", "RequestTimeoutError", "ResponseShapeError", "TaskDetail", "UpgradeObproxyParams", "UpgradePkgInfo",
      "WaitForDagOptions", "createObshellClient", "currentTaskName", "isConfigError", "isDagFailedError", "isDagFinished",
      "isDagTimeoutError", "isKeyPinMismatchError", "isNetworkError", "isObproxyMaintenanceDag", "isObshellApiError",
      "isObshellError", "isObshellVersionError", "isRequestTimeoutError", "isResponseShapeError", "progressOf", "systemClock",
    ],
  },
  "./simulator": {
    source: "src/simulator/index.ts",
    names: [
      "CONTROL_TOKEN_HEADER", "CountedFault", "FailTaskFault", "FakeObproxyLogEntry", "FaultPlan", "MalformedKind", "MemoryHomeSpec", "RequestLogEntry",
      "SimClock", "Simulator", "SimulatorControl", "SimulatorOptions", "SimulatorStateView", "createFakeObproxyHome", "makeFakeObproxyExitAtStart",
      "readFakeObproxyLog", "startSimulator",
    ],
  },
  "./provider-v1": {
    // The shim stored in every state requires these at call time: names only ever grow (see lifecycle.ts).
    source: "src/provider/lifecycle.ts",
    names: ["ObProxyLifecycle", "OperationOptions", "ProviderDeps", "check", "configure", "create", "createLifecycle", "delete", "diff", "read", "update"],
  },
};

/** Every exported name of each file, values and types, as the TypeScript checker sees them. */
function exportedNames(files: string[]): Map<string, string[]> {
  const options: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, strict: true, skipLibCheck: true, noEmit: true, esModuleInterop: true };
  const program = ts.createProgram(files, options);
  const checker = program.getTypeChecker();
  return new Map(
    files.map((f) => {
      const symbol = checker.getSymbolAtLocation(program.getSourceFile(f)!);
      assert.ok(symbol, `${f} is a module`);
      return [f, checker.getExportsOfModule(symbol).map((s) => s.name).sort()];
    }),
  );
}

/** Module files (relative to the repository) that requiring `specifier` from src/ adds to require.cache. */
function loadedBy(entrySource: string): string[] {
  const script = `require(${JSON.stringify(path.join(ROOT, entrySource))}); console.log(JSON.stringify(Object.keys(require.cache)))`;
  const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: ROOT, encoding: "utf8" });
  return (JSON.parse(out.trim().split("\n").pop()!) as string[]).map((f) => path.relative(ROOT, f));
}

describe("public API", function () {
  this.timeout(120_000);

  it("package.json exports exactly the pinned entries, each pointing at its source's build", () => {
    assert.deepEqual(Object.keys(pkg.exports).filter((k) => k !== "./package.json").sort(), Object.keys(API).sort());
    for (const [entry, { source }] of Object.entries(API)) {
      const target = pkg.exports[entry] as { default: string; types: string };
      const built = `./${source.replace(/^src\//, "dist/").replace(/\.ts$/, "")}`;
      assert.deepEqual([target.default, target.types], [`${built}.js`, `${built}.d.ts`], entry);
    }
  });

  it("each entry exports exactly its pinned names (values and types)", () => {
    const sources = Object.values(API).map((a) => path.join(ROOT, a.source));
    const actual = exportedNames(sources);
    for (const [entry, { source, names }] of Object.entries(API)) {
      assert.deepEqual(actual.get(path.join(ROOT, source)), [...names].sort(), `exports of ${entry} (${source})`);
    }
  });

  it("the root entry loads neither the simulator nor the client's transport (undici)", () => {
    const loaded = loadedBy(API["."].source);
    assert.ok(loaded.includes("src/provider/resource.ts"), "the probe did load the entry");
    assert.deepEqual(loaded.filter((f) => f.startsWith("src/simulator/") || f === "src/obshell/transport.ts" || f.includes("node_modules/undici/")), []);
  });

  it("./obshell and ./simulator load nothing of @pulumi/pulumi", () => {
    for (const entry of ["./obshell", "./simulator"]) {
      const loaded = loadedBy(API[entry].source);
      assert.ok(loaded.includes(API[entry].source), `the probe did load ${entry}`);
      assert.deepEqual(loaded.filter((f) => f.includes("node_modules/@pulumi/") || f.startsWith("src/provider/")), [], entry);
    }
  });

  it("./obshell loads nothing of the simulator, and ./simulator nothing of the client but its wire contract and clock", () => {
    assert.deepEqual(loadedBy(API["./obshell"].source).filter((f) => f.startsWith("src/simulator/")), []);
    const clientFiles = loadedBy(API["./simulator"].source).filter((f) => f.startsWith("src/obshell/"));
    // The one-way door of docs/architecture.md: the wire contract and the clock, never the transport.
    assert.deepEqual(clientFiles.filter((f) => !["src/obshell/schemas.ts", "src/obshell/crypto.ts", "src/obshell/clock.ts"].includes(f)), []);
  });
});

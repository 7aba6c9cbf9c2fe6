/**
 * Runs a Pulumi program under `pulumi.runtime.setMocks` in a child process with cwd = the project directory, and
 * reports what the resource monitor received: for a dynamic resource that includes `__provider`, produced exactly
 * as `pulumi.dynamic.Resource` does. The cwd matters: module paths are resolved relative to it when the closure is
 * serialized. A `.ts` program is compiled the way `pulumi up` does without a project-local TypeScript: Pulumi's
 * vendored ts-node 7 and TypeScript 3.8, with type checking.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { PROJECT_NAME } from "./project";

const run = promisify(execFile);

/** Marks secret values in the wire form of properties (`rpc.specialSigKey` / `specialSecretSig`). */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** What the resource monitor received for one resource. */
export interface CapturedResource {
  type: string;
  name: string;
  /** Inputs as the engine passes them to the plugin (secrets unwrapped, `__provider` included). */
  inputs: Record<string, unknown>;
  /** Input keys whose values were secret on the wire. */
  secretInputKeys: string[];
  /** The resource's `additionalSecretOutputs` option. */
  additionalSecretOutputs: string[];
  /** The serialized provider text ("" for a resource without one). */
  provider: string;
}

const RUNNER = `"use strict";
const path = require("path");
const program = process.env.MOCK_PROGRAM;
if (program.endsWith(".ts")) {
  const vendor = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "vendor");
  require(path.join(vendor, "ts-node@7.0.1")).register({
    compiler: path.join(vendor, "typescript@3.8.3", "typescript.js"),
    project: path.join(path.dirname(program), "tsconfig.json"),
  });
}
const pulumi = require("@pulumi/pulumi");
const mocks = require("@pulumi/pulumi/runtime/mocks");
const records = [];
const register = mocks.MockMonitor.prototype.registerResource;
mocks.MockMonitor.prototype.registerResource = function (req, cb) {
  records.push({ type: req.getType(), name: req.getName(), raw: req.getObject().toJavaScript(), additionalSecretOutputs: req.getAdditionalsecretoutputsList() });
  return register.call(this, req, cb);
};
pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: (a) => a.inputs }, process.env.MOCK_PROJECT, "test", false);
process.once("beforeExit", () => process.stdout.write("\\n@@CAPTURE@@" + JSON.stringify(records) + "\\n"));
require(program);
`;

const OBPROXY_PROGRAM = `"use strict";
const { ObProxy } = require("pulumi-obproxy");
new ObProxy(process.env.CAPTURE_NAME, JSON.parse(process.env.CAPTURE_ARGS));
`;

function unwrapSecrets(raw: Record<string, unknown>): { inputs: Record<string, unknown>; secretKeys: string[] } {
  const inputs: Record<string, unknown> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const v = value as Record<string, unknown> | null;
    if (v && typeof v === "object" && v[SECRET_SIG_KEY] === SECRET_SIG) {
      secretKeys.push(key);
      inputs[key] = v.value;
    } else {
      inputs[key] = value;
    }
  }
  return { inputs, secretKeys };
}

/** Runs `program` (a path) under mocks with `config` (namespaced keys) and returns every registered resource. */
export async function runUnderMocks(
  projectDir: string,
  program: string,
  options: { projectName?: string; config?: Record<string, unknown>; env?: Record<string, string> } = {},
): Promise<CapturedResource[]> {
  const runner = path.join(projectDir, "mock-runner.js");
  await writeFile(runner, RUNNER);
  const { stdout } = await run(process.execPath, [runner], {
    cwd: projectDir,
    env: {
      ...process.env,
      ...options.env,
      MOCK_PROGRAM: program,
      MOCK_PROJECT: options.projectName ?? PROJECT_NAME,
      PULUMI_CONFIG: JSON.stringify(options.config ?? {}),
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = stdout.split("\n").find((l) => l.startsWith("@@CAPTURE@@"));
  if (!line) throw new Error(`program under mocks printed no result:\n${stdout}`);
  const records = JSON.parse(line.slice("@@CAPTURE@@".length)) as { type: string; name: string; raw: Record<string, unknown>; additionalSecretOutputs: string[] }[];
  return records.map((record) => {
    const { inputs, secretKeys } = unwrapSecrets(record.raw);
    return {
      type: record.type,
      name: record.name,
      inputs,
      secretInputKeys: secretKeys,
      additionalSecretOutputs: record.additionalSecretOutputs,
      provider: typeof inputs.__provider === "string" ? inputs.__provider : "",
    };
  });
}

/** Constructs `new ObProxy(name, args)` from the installed package, under mocks, and returns what was registered. */
export async function captureObProxy(projectDir: string, name: string, args: Record<string, unknown>): Promise<CapturedResource> {
  const program = path.join(projectDir, "capture-obproxy.js");
  await writeFile(program, OBPROXY_PROGRAM);
  const records = await runUnderMocks(projectDir, program, { env: { CAPTURE_NAME: name, CAPTURE_ARGS: JSON.stringify(args) } });
  const record = records.find((r) => r.name === name && r.type.endsWith(":ObProxy"));
  if (!record) throw new Error(`no ObProxy registered: ${JSON.stringify(records.map((r) => r.type))}`);
  return record;
}

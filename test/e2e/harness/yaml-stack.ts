/**
 * examples/yaml (a YAML program using the native plugin `pulumi-resource-obproxy`) against a real-mode simulator,
 * with the provider's agent password and the program's proxyro password set as secrets.
 */
import { accessSync, constants } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { cliDir } from "../../../scripts/pulumi-env";
import { createFakeObproxyHome, startSimulator, type SimClock, type Simulator } from "../../../src/simulator";
import { AGENT_PASSWORD, freePort, PROXYRO_PASSWORD } from "../../engine/harness/fixture";
import type { Cleanups } from "./checks";
import { cliIt, Workspace } from "./workspace";

/** The native plugin's resource type in state. */
export const NATIVE_TYPE = "obproxy:index:ObProxy";

export interface YamlStack {
  sim: Simulator;
  ws: Workspace;
  home: string;
}

function yamlHostBuilt(): boolean {
  try {
    accessSync(path.join(cliDir, "pulumi-language-yaml"), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A CLI test that also needs the YAML language host (`npm run build:cli` builds it). */
export function yamlIt(title: string, fn: (this: Mocha.Context) => Promise<void>): Mocha.Test {
  return cliIt(title, async function () {
    if (!yamlHostBuilt()) {
      const message = `pulumi-language-yaml is not built in ${cliDir}: run \`npm run build:cli\``;
      if (process.env.CI === "true") throw new Error(message);
      console.log(`      (skipped: ${message})`);
      this.skip();
    }
    await fn.call(this);
  });
}

/** Sets the stack config of examples/yaml for this simulator and home on the selected stack. */
export async function configureYaml(ws: Workspace, sim: Simulator, home: string): Promise<void> {
  await ws.configure(
    { endpoint: sim.url, homePath: home, rsList: "127.0.0.1:2881", sqlPort: String(await freePort()) },
    { "obproxy:agentPassword": AGENT_PASSWORD, proxyroPassword: PROXYRO_PASSWORD },
  );
}

/** examples/yaml ready to run; `deleteTimeout` replaces the example's `customTimeouts.delete`. */
export async function yamlStack(cleanups: Cleanups, o: { timeScale?: number; clock?: SimClock; deleteTimeout?: string } = {}): Promise<YamlStack> {
  const timeScale = o.timeScale ?? 0.03;
  const homes = await mkdtemp(path.join(os.tmpdir(), "obproxy-e2e-yaml-home-"));
  cleanups.add(() => rm(homes, { recursive: true, force: true }));
  const home = await createFakeObproxyHome(path.join(homes, "obproxy"));
  const sim = await startSimulator({ agentPassword: AGENT_PASSWORD, timeScale, ...(o.clock ? { clock: o.clock } : {}) });
  cleanups.add(() => sim.stop());
  const ws = await Workspace.create("yaml", { OBSHELL_TASK_TIME_SCALE: String(timeScale) });
  cleanups.add(() => ws.cleanup());
  if (o.deleteTimeout) {
    const file = path.join(ws.programDir, "Pulumi.yaml");
    const text = await readFile(file, "utf8");
    if (!/delete: 15m/.test(text)) throw new Error("examples/yaml no longer sets customTimeouts.delete: 15m");
    await writeFile(file, text.replace("delete: 15m", `delete: ${o.deleteTimeout}`));
  }
  await configureYaml(ws, sim, home);
  return { sim, ws, home };
}

/**
 * The floor under the fleet's memory: the same plugin process and N concurrent Delete RPCs, but with a dynamic
 * provider whose delete only waits as long as a Delete DAG (no client, no agent): what @pulumi/pulumi's gRPC and
 * dynamic-provider machinery cost per in-flight operation, against which our own share is read.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { startPlugin } from "../../test/engine/harness/plugin";
import type { PackedProject } from "../../test/engine/harness/project";

/** Floor figures of one size. */
export interface FloorResult {
  agents: number;
  idleRssMb: number;
  peakRssMb: number;
  peakRssAboveIdleMb: number;
}

const rssMb = (pid: number, field: string) =>
  Number(readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith(`${field}:`))?.replace(/\D+/g, "") ?? NaN) / 1024;

/** `size` concurrent deletes of `waitMs` each through a provider that does nothing else. */
export async function runFleetFloor(project: PackedProject, size: number, waitMs = 11_000): Promise<FloorResult> {
  const provider = `exports.handler = () => ({ check: async (o, n) => ({ inputs: { ok: true } }), delete: () => new Promise((r) => setTimeout(r, ${waitMs})) });`;
  const plugin = await startPlugin(project.dir, {});
  try {
    await plugin.rpc.configure({});
    await plugin.rpc.check({}, { __provider: provider });
    await new Promise((r) => setTimeout(r, 1_000));
    const idleRssMb = rssMb(plugin.pid, "VmRSS");
    writeFileSync(`/proc/${plugin.pid}/clear_refs`, "5");
    const props = (i: number) => ({ __provider: provider, endpoint: `http://127.0.0.1:${10_000 + i}`, homePath: `/opt/fleet/${i}`, resourceName: `fleet-${i}` });
    await Promise.all(Array.from({ length: size }, (_, i) => plugin.rpc.delete(`id-${i}`, props(i))));
    const peakRssMb = rssMb(plugin.pid, "VmHWM");
    return { agents: size, idleRssMb, peakRssMb, peakRssAboveIdleMb: peakRssMb - idleRssMb };
  } finally {
    await plugin.stop("SIGKILL");
  }
}

/**
 * Shared pieces of the real-agent tier: add parameters for a fake home (config_url: an rs_list would make obshell
 * log into an observer as proxyro), DAG durations, a report of what was measured, and (from harness.ts) killing a
 * fake OBProxy left behind by a failed test.
 */
import type { AddObproxyParams } from "../../src/obshell/schemas";
import { freePort } from "../helpers/resource-args";
import { secret } from "../helpers/secrets";
import { CONFIG_URL } from "./harness";

export { CONFIG_URL, killFake } from "./harness";

export const PROXYRO_PW = secret("Real-Proxyro-pw-e81b");
export const SYS_PW = secret("Real-Sys-pw-2f9a0c");

export async function addParams(home: string): Promise<AddObproxyParams> {
  return {
    home_path: home, sql_port: await freePort(), rpc_port: await freePort(), exporter_port: await freePort(),
    config_url: CONFIG_URL, proxyro_password: PROXYRO_PW, obproxy_sys_password: SYS_PW,
  };
}

/** end_time − start_time of a DAG or node, in seconds. */
export function dagSeconds(d: { start_time: string; end_time: string }): number {
  return (Date.parse(d.end_time) - Date.parse(d.start_time)) / 1000;
}

/** Prints one measurement (the numbers docs/testing.md records come from these lines). */
export function report(what: string, value: number | string, detail = ""): void {
  const v = typeof value === "number" ? `${value.toFixed(2)} s` : value;
  console.log(`      [real] ${what}: ${v}${detail ? ` (${detail})` : ""}`);
}

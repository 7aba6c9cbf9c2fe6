/**
 * `getObproxyVersion` of each obshell generation (`ob/agent/executor/obproxy/utils.go`): how `bin/obproxy -V` is run,
 * which banner regex applies and what a failure looks like. It changed twice:
 * - < 4.3.2.0: `<home>/bin/obproxy -V`; build `(\d+)` only; mismatch = a plain error (≤4.3.0) or
 *   `OBProxy.VersionOutputUnexpected` with the old text repeated (4.3.1);
 * - 4.3.2.x: `cd <home>; ./bin/obproxy -V`, same regex;
 * - ≥ 4.4.0.0 (b90fc8f): a build with a suffix (`2.el7`) is accepted and cut at the first dot.
 */
import { compareVersions } from "../obshell/schemas";
import { E, SimApiError } from "./sim-errors";
import type { AgentState } from "./state";

const STRICT = /\(OceanBase (\d+\.\d+\.\d+\.\d+) (\d+)\)/;
const LOOSE = /\(OceanBase (\d+\.\d+\.\d+\.\d+) (\d+(?:\.[\w]+)?)\)/;

/**
 * Reads the OBProxy version (`a.b.c.d-build`) the way `buildAddObproxyOptions` does: before the ports are checked
 * and without a wrapper, so a failure reaches the client as the raw error (Common.Unexpected with Go's exec text,
 * or VersionOutputUnexpected). ≤4.3.0 turned any failure into 1002 "Unexpected error: <err>".
 */
export async function readObproxyVersion(s: AgentState, home: string): Promise<string> {
  const v = s.version;
  const absolute = compareVersions(v, "4.3.2.0") < 0;
  let out: string;
  try {
    out = await s.host.versionOutput(home, absolute);
  } catch (e) {
    if (e instanceof SimApiError) throw e;
    throw E.rawGoError(e instanceof Error ? e.message : String(e));
  }
  const loose = compareVersions(v, "4.4.0.0") >= 0;
  const m = (loose ? LOOSE : STRICT).exec(out);
  if (!m) {
    if (loose) throw E.versionOutputUnexpected(out);
    const text = `version not found in output: ${out}`;
    // 4.3.1.x wrapped the old text in the new code; ≤4.3.0 had a plain error (1002 through the numeric renderer).
    throw s.generation === "numeric" ? E.rawGoError(text) : E.versionOutputUnexpected(text);
  }
  return `${m[1]}-${m[2]!.split(".")[0]}`;
}

/**
 * What each OBProxy task allows an operator to do (`SetCanRetry/Rollback/Cancel/Pass` in
 * `ob/agent/executor/obproxy/*.go`). The sets changed once: 4.2.6.0 only let most tasks retry; from 4.3.0.0 (32187ba)
 * nearly every task can also be cancelled and passed. Read from obshell 737982a (4.2.6.0) and 61ee147 (4.5.0.0).
 */
import { compareVersions } from "../obshell/schemas";

/** The operators a task accepts. */
export interface TaskCapabilities {
  retry: boolean;
  rollback: boolean;
  cancel: boolean;
  pass: boolean;
}

/** r = retry, b = rollback, c = cancel, p = pass. */
type Letters = string;

const SINCE_4_3_0: Record<string, Letters> = {
  "Check obproxy status": "rcp",
  "Start obproxy": "rbcp",
  "Set proxyro password for connect": "rcp",
  "Persist obproxy info": "rcp",
  "Stop obproxy": "rbcp",
  "Delete obproxy": "rcp",
  "Clean obproxy dir": "rcp",
  "Create upgrade dir": "rbp",
  "Download obproxy pkg from sqlite": "rb",
  "Check obproxy pkg": "rbp",
  "Backup for upgrade": "rbp",
  "Reinstall obproxy bin": "rbcp",
  "Copy obproxy config db file": "rbcp",
  "Record obproxy info": "rbcp",
  "Hot restart obproxy": "rbcp",
  "Wait hot restart obproxy finish": "rbcp",
  "Remove upgrade dir": "rcp",
};

const V4_2_6: Record<string, Letters> = {
  ...SINCE_4_3_0,
  "Check obproxy status": "r",
  "Start obproxy": "r",
  "Set proxyro password for connect": "r",
  "Persist obproxy info": "r",
  "Stop obproxy": "r",
  "Delete obproxy": "rc",
  "Clean obproxy dir": "rc",
  "Copy obproxy config db file": "rb",
  "Record obproxy info": "rb",
  "Hot restart obproxy": "rc",
  "Wait hot restart obproxy finish": "rc",
};

/** The capabilities of `task` on an agent of `version` (unknown tasks: retry only). */
export function taskCapabilities(task: string, version: string): TaskCapabilities {
  const table = compareVersions(version, "4.3.0.0") < 0 ? V4_2_6 : SINCE_4_3_0;
  const l = table[task] ?? "r";
  return { retry: l.includes("r"), rollback: l.includes("b"), cancel: l.includes("c"), pass: l.includes("p") };
}

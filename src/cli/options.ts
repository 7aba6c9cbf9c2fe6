/**
 * Command-line options shared by every `pulumi-obproxy` command, parsed with `node:util` `parseArgs`. The agent
 * password is deliberately not an option: argv is visible to every user of the host (`ps`), so it comes from
 * `OBSHELL_AGENT_PASSWORD` or an interactive prompt (password.ts).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { parseDuration } from "../provider/durations";

/** Exit codes, documented in `--help` and docs/operator.md; scripts rely on them. */
export const EXIT = {
  ok: 0,
  /** The operation failed (a FAILED DAG, an obshell refusal, an unreachable agent). */
  failed: 1,
  /** Bad arguments or missing configuration: nothing was sent. */
  usage: 2,
  /** The deadline passed; any DAG keeps running in obshell. */
  timeout: 3,
  /** A DAG ended SUCCEED only because an operator passed a task: what it skipped did not happen. */
  passed: 4,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  endpoint: { type: "string" },
  ca: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  "insecure-skip-verify": { type: "boolean" },
  pin: { type: "string" },
  json: { type: "boolean" },
  timeout: { type: "string" },
  yes: { type: "boolean", short: "y" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

/** The parsed common options. */
export interface CommonOptions {
  endpoint: string;
  /** Paths of PEM files. */
  ca?: string;
  cert?: string;
  key?: string;
  insecureSkipVerify: boolean;
  pin?: string;
  json: boolean;
  timeoutMs?: number;
  yes: boolean;
  help: boolean;
}

/** A usage error: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Parses argv after the command words. */
export function parseCommon(argv: string[], env: NodeJS.ProcessEnv): { options: CommonOptions; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: COMMON_OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const endpoint = v.endpoint ?? env.OBSHELL_ENDPOINT ?? "";
  let timeoutMs: number | undefined;
  if (v.timeout !== undefined) {
    timeoutMs = parseDuration(v.timeout);
    if (timeoutMs === undefined) throw new UsageError(`--timeout ${v.timeout}: expected a duration such as 15m, 90s or 1h30m (at most 24h)`);
  }
  const options: CommonOptions = {
    endpoint,
    insecureSkipVerify: v["insecure-skip-verify"] === true,
    json: v.json === true,
    yes: v.yes === true,
    help: v.help === true,
    ...(v.ca !== undefined ? { ca: v.ca } : {}),
    ...(v.cert !== undefined ? { cert: v.cert } : {}),
    ...(v.key !== undefined ? { key: v.key } : {}),
    ...(v.pin !== undefined ? { pin: v.pin } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  };
  return { options, positionals: parsed.positionals };
}

/** The endpoint, or a usage error saying where to put it. */
export function requireEndpoint(o: CommonOptions): string {
  if (!o.endpoint) throw new UsageError("no obshell endpoint: pass --endpoint http://HOST:2886 or set OBSHELL_ENDPOINT");
  let url: URL;
  try {
    url = new URL(o.endpoint);
  } catch {
    throw new UsageError(`--endpoint ${o.endpoint}: not a URL (expected http://HOST:2886 or https://HOST:PORT)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--endpoint ${o.endpoint}: use http:// or https://`);
  return o.endpoint;
}

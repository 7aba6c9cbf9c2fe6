/**
 * OBProxy `parameters` changed in place. obshell has no route to change them after the add, but OBProxy itself
 * takes `ALTER proxyconfig SET key = 'value'` on its SQL port as `root@proxysys` and persists it in its own config
 * (obshell's Start runs `bin/obproxy` without options, so a later start keeps the change). Replacing instead would
 * run obshell's delete, which wipes `bin/` and `lib/`, and the re-add would then fail.
 *
 * What stays a replacement, and why:
 * - the port parameters (`listen_port`, …): OBProxy binds them only at start, and the resolved ports are inputs of
 *   their own (sqlPort, rpcPort, exporterPort), replaced through those;
 * - RESTART_ONLY_PARAMETERS below: read by OBProxy only at start;
 * - passwords (`proxyroPassword`, `obproxySysPassword`, and `observer_sys_password`/`obproxy_sys_password` as
 *   parameters): obshell keeps its own copy in its sqlite and logs in with it (Start's health check, `SetGlobalConfig`);
 *   changing OBProxy's copy alone would lock obshell out.
 * A removed key is not reset (OBProxy has no "unset"): the live value stays, and the update says so.
 */
import type { OpContext } from "./context";
import { ObProxyError } from "./errors";
import { PORT_PARAMETERS } from "./types";

/** Parameters OBProxy reads only when it starts, with the reason shown in the diff. */
export const RESTART_ONLY_PARAMETERS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.values(PORT_PARAMETERS).map((k) => [k, "OBProxy binds its ports only at start"])),
  proxy_id: "OBProxy reads its proxy_id only at start",
  app_name: "OBProxy reads its app_name only at start",
  proxy_service_mode: "OBProxy reads its service mode only at start",
  observer_sys_password: "obshell keeps its own copy of this password and logs in with it",
  obproxy_sys_password: "obshell keeps its own copy of this password and logs in with it",
};

/** How the parameters changed between the stored outputs and the new inputs. */
export interface ParameterChanges {
  /** Keys whose value is new or different, with the new value. */
  set: Record<string, string>;
  /** Keys no longer given (their live value stays). */
  removed: string[];
  /** Changed keys that need a replacement, with why. */
  replace: { key: string; reason: string }[];
}

function asMap(value: unknown): Record<string, string> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, string>) : {};
}

/** Compares old and new `parameters`. */
export function parameterChanges(olds: unknown, news: unknown): ParameterChanges {
  const before = asMap(olds);
  const after = asMap(news);
  const set: Record<string, string> = {};
  const replace: { key: string; reason: string }[] = [];
  for (const [key, value] of Object.entries(after)) {
    if (before[key] === value) continue;
    set[key] = value;
    const reason = RESTART_ONLY_PARAMETERS[key];
    if (reason) replace.push({ key, reason });
  }
  const removed = Object.keys(before).filter((k) => !(k in after));
  return { set, removed, replace };
}

/** Where OBProxy's SQL port is: the agent's host (obshell manages the OBProxy on its own machine). */
export function proxyHost(endpoint: string): string {
  return new URL(endpoint).hostname.replace(/^\[(.*)\]$/, "$1");
}

/** How long connecting to OBProxy's SQL port may take before the update fails (bounded by the deadline too). */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Sends `ALTER proxyconfig SET key = 'value'` for each entry, in key order, as root@proxysys. Returns the keys
 * applied; on a failure the error carries the keys applied before it (`applied`), so state records them.
 */
export async function alterProxyconfig(
  ctx: OpContext,
  target: { endpoint: string; sqlPort: number; sysPassword: string | undefined },
  set: Record<string, string>,
  deadline: number,
): Promise<string[]> {
  const mysql = await import("mysql2/promise");
  const host = proxyHost(target.endpoint);
  const applied: string[] = [];
  const timeout = Math.max(1, Math.min(CONNECT_TIMEOUT_MS, deadline - ctx.now()));
  let conn: Awaited<ReturnType<typeof mysql.createConnection>> | undefined;
  try {
    conn = await mysql.createConnection({ host, port: target.sqlPort, user: "root@proxysys", password: target.sysPassword ?? "", connectTimeout: timeout });
    for (const key of Object.keys(set).sort()) {
      ctx.progress.info(`setting OBProxy parameter ${key} in place (ALTER proxyconfig on ${host}:${target.sqlPort})`);
      await conn.query({ sql: `ALTER proxyconfig SET ${key} = ${conn.escape(set[key])}`, timeout: Math.max(1, deadline - ctx.now()) });
      applied.push(key);
    }
    return applied;
  } catch (e) {
    const mysqlError = e as { code?: string; errno?: number; sqlMessage?: string; message?: string };
    const what = mysqlError.sqlMessage ?? mysqlError.code ?? mysqlError.message ?? String(e);
    const err = new ObProxyError(
      "ParameterUpdateFailed",
      `${ctx.label}: could not change OBProxy parameters in place on ${host}:${target.sqlPort} as root@proxysys (${what}); ` +
        `applied: ${applied.length ? applied.join(", ") : "none"}. Check that OBProxy runs and obproxySysPassword is its sys password, then run \`pulumi up\` again`,
    );
    throw Object.assign(err, { applied });
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

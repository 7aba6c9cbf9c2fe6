/**
 * What obshell says to an OBProxy over MySQL (real mode): the health check (`root@proxysys`, `show proxyconfig`)
 * and `ALTER proxyconfig SET k = v`, through mysql2's client, so the fake OBProxy (or a real one) sees the same
 * statements from the simulator as from obshell, and the connections end the same way (the server closes first,
 * leaving TIME_WAIT sockets on the SQL port, which obshell's `FindPIDByPort` then still finds). Also that port scan.
 */
import { readFile } from "node:fs/promises";

let mysqlModule: Promise<typeof import("mysql2/promise")> | undefined;

/**
 * mysql2's client, loaded once and lazily (memory mode never needs it); real mode preloads it at start so the first
 * health check does not pay for the load inside a timed task.
 */
export function loadMysql(): Promise<typeof import("mysql2/promise")> {
  mysqlModule ??= import("mysql2/promise").then((m) => m.default ?? m);
  return mysqlModule;
}

/** The proxy's SQL user obshell logs in as (`constant.DB_PROXYSYS_USERNAME`). */
const PROXYSYS_USER = "root@proxysys";

/** Go's error text for a refused dial, as gorm's ping reports it through obshell's two wraps. */
export function healthCheckDialError(port: number): string {
  return `load obproxy instance failed: load temp obproxy instance failed: ${dialRefused(port)}`;
}

/** Go's refused dial. */
export function dialRefused(port: number): string {
  return `dial tcp 127.0.0.1:${port}: connect: connection refused`;
}

/**
 * Runs `sql` as root@proxysys on 127.0.0.1:port; resolves undefined, or obshell's error text for the failure (a
 * fresh connection's, wrapped as the health check wraps it, unless `raw`: a cached connection's plain error).
 */
export async function proxySql(port: number, password: string, sql: string, raw = false): Promise<string | undefined> {
  const mysql = await loadMysql();
  let conn: Awaited<ReturnType<typeof mysql.createConnection>> | undefined;
  try {
    conn = await mysql.createConnection({ host: "127.0.0.1", port, user: PROXYSYS_USER, password, connectTimeout: 5_000 });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ECONNREFUSED") return raw ? dialRefused(port) : healthCheckDialError(port);
    return raw ? (e as Error).message : `load obproxy instance failed: load temp obproxy instance failed: ${(e as Error).message}`;
  }
  try {
    await conn.query(sql);
    return undefined;
  } catch (e) {
    return `check obproxy instance failed: ${(e as Error).message}`;
  } finally {
    await conn.end().catch(() => conn?.destroy());
  }
}

/**
 * gopsutil's `net.Connections("inet")` matched on the local port, like obshell's `FindPIDByPort`: any socket with
 * that local port counts, a TIME_WAIT one included.
 */
export async function localPortInUse(port: number): Promise<boolean> {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await readFile(file, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (local?.endsWith(`:${hex}`)) return true;
    }
  }
  return false;
}

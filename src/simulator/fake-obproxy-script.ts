/**
 * The fake OBProxy process (plain CommonJS, written into a fake home as `bin/obproxy-standin.js`): what obshell needs
 * from a real one, and no more. It speaks MySQL through mysql2's server side (obshell's health check opens
 * `root@proxysys` and runs `show proxyconfig`; "Set proxyro password" sends `ALTER proxyconfig SET k = v`), writes
 * `run/obproxy.pid`, records what it was sent in `run/statements.log` (password values redacted) and dies on `kill -9`.
 *
 * It must outlive the launcher (obshell runs `bash -c "cd home; ./bin/obproxy -o …"` and moves on), so it never
 * watches its parent. It exits on its own when the simulator that started it dies (OBSHELL_SIM_PID), when its home's
 * `bin/` is removed (Delete's "Clean obproxy dir"), and after a maximum lifetime, so a crashed test never leaks it
 * for long.
 */

/** Statement log file, relative to the home. */
export const STATEMENTS_LOG = "run/statements.log";

/** The script's text; `mysql2Path` is the absolute path of the mysql2 package (a fake home lives outside the repo). */
export function fakeObproxyScript(mysql2Path: string, defaultMaxMs: number): string {
  return `"use strict";
const fs = require("fs"), path = require("path");
const mysql = require(${JSON.stringify(mysql2Path)});
const home = process.cwd();
const args = process.argv.slice(2);
const opts = {};
let appName = "", clusterName = "";
for (let i = 0; i < args.length; i++) {
  if (args[i] === "-o" && i + 1 < args.length) {
    for (const kv of args[++i].split(",")) { const j = kv.indexOf("="); if (j > 0) opts[kv.slice(0, j)] = kv.slice(j + 1); }
  } else if (args[i] === "-n" && i + 1 < args.length) appName = args[++i];
  else if (args[i] === "-c" && i + 1 < args.length) clusterName = args[++i];
}
// Like obproxy's etc/ config: the options of the first start are kept for later starts without -o.
const conf = path.join(home, "etc", "obproxy_standin.json");
let saved = {};
try { saved = JSON.parse(fs.readFileSync(conf, "utf8")); } catch {}
const config = Object.assign({}, saved, opts);
try { fs.mkdirSync(path.dirname(conf), { recursive: true }); fs.writeFileSync(conf, JSON.stringify(config)); } catch {}
if (appName) config.app_name = appName;
if (clusterName) config.cluster_name = clusterName;
const port = Number(config.listen_port || 2883);
const secret = (k) => /password/i.test(k);
function record(entry) {
  try {
    fs.mkdirSync(path.join(home, "run"), { recursive: true });
    fs.appendFileSync(path.join(home, ${JSON.stringify(STATEMENTS_LOG)}), JSON.stringify(Object.assign({ at: new Date().toISOString() }, entry)) + "\\n");
  } catch {}
}
// Never keep a password value in the log: only which key was set.
function redact(sql) {
  return sql.replace(/(\\bset\\s+)([A-Za-z0-9_]+)(\\s*=\\s*)(.*)$/is, (m, a, k, b, v) => secret(k) ? a + k + b + "<redacted>" : m);
}
// Written row by row: mysql2's writeTextResult pads each row with empty cells.
function result(conn, names, rows) {
  conn.writeColumns(names.map(col));
  for (const r of rows) conn.writeTextRow(r);
  conn.writeEof();
}
const col = (name) => ({ catalog: "def", schema: "", table: "", orgTable: "", name, orgName: name, characterSet: 33, columnLength: 1024, columnType: 253, flags: 0, decimals: 0 });
function answer(conn, sql) {
  const q = sql.trim().replace(/;$/, "");
  const alter = /^alter\\s+proxyconfig\\s+set\\s+([A-Za-z0-9_]+)\\s*=\\s*(.*)$/is.exec(q);
  if (alter) {
    config[alter[1]] = alter[2].trim().replace(/^'(.*)'$/s, "$1");
    return conn.writeOk({ affectedRows: 0 });
  }
  if (/^show\\s+proxyconfig/i.test(q)) {
    const rows = Object.keys(config).sort().map((k) => [k, secret(k) ? "" : String(config[k]), "", "false", "SYS"]);
    return result(conn, ["name", "value", "info", "need_reboot", "visible_level"], rows);
  }
  if (/^select\\b/i.test(q)) {
    const v = /version\\(\\)/i.test(q) ? "5.6.25" : "1";
    return result(conn, ["v"], [[v]]);
  }
  return conn.writeOk({ affectedRows: 0 });
}
let nextId = 1;
const server = mysql.createServer();
server.on("connection", (conn) => {
  conn.on("error", () => {});
  conn.serverHandshake({
    protocolVersion: 10, serverVersion: "5.6.25", connectionId: nextId++, statusFlags: 2, characterSet: 33, capabilityFlags: 0xffffff & ~0x800,
    authCallback: (p, cb) => { record({ event: "connect", user: p.user }); cb(null); },
  });
  // mysql2's server side keeps counting packets across commands; a reply starts at 1 after the client's command (0),
  // or the Go driver (strict about sequence ids) gives up. mysql2 hands queries starting with SET (the driver's
  // "SET NAMES") to stmt_prepare, so both are answered as text queries.
  const onQuery = (sql) => { conn.sequenceId = 1; record({ sql: redact(String(sql)) }); try { answer(conn, String(sql)); } catch (e) { conn.writeError({ message: String(e && e.message), code: 1105 }); } };
  conn.on("query", onQuery);
  conn.on("stmt_prepare", onQuery);
  conn.on("ping", () => { conn.sequenceId = 1; conn.writeOk(); });
  conn.on("init_db", () => { conn.sequenceId = 1; conn.writeOk(); });
});
server.on("error", (e) => { process.stderr.write("fake obproxy: " + e.message + "\\n"); process.exit(1); });
server.listen(port, "127.0.0.1", () => {
  fs.mkdirSync(path.join(home, "run"), { recursive: true });
  fs.writeFileSync(path.join(home, "run", "obproxy.pid"), String(process.pid));
  record({ event: "listening", port });
});
const simPid = Number(process.env.OBSHELL_SIM_PID || 0);
const maxMs = Number(process.env.OBSHELL_SIM_STANDIN_MAX_MS || ${defaultMaxMs});
setInterval(() => {
  if (simPid) { try { process.kill(simPid, 0); } catch { process.exit(0); } }
  if (!fs.existsSync(path.join(home, "bin"))) process.exit(0);
}, 500).unref();
setTimeout(() => process.exit(0), maxMs).unref();
`;
}

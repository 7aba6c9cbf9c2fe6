/**
 * A fake OBProxy home for real mode: `bin/obproxy` is a shell script that prints a real-looking `-V` banner and
 * otherwise launches a stand-in OBProxy (a tiny Node TCP server on `listen_port`, 127.0.0.1) with the absolute path of
 * the Node running the simulator. The stand-in writes `run/obproxy.pid`, exits when the simulator process dies (it
 * polls the simulator's pid) and after a maximum lifetime, so a crashed test never leaks it for long.
 */
import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The stand-in OBProxy, written next to `bin/obproxy`. Plain CommonJS so it runs on any Node. */
const STANDIN_JS = `"use strict";
const net = require("net"), fs = require("fs"), path = require("path");
const args = process.argv.slice(2);
const opts = {};
for (let i = 0; i < args.length; i++) {
  if (args[i] === "-o" && i + 1 < args.length) {
    for (const kv of args[++i].split(",")) { const j = kv.indexOf("="); if (j > 0) opts[kv.slice(0, j)] = kv.slice(j + 1); }
  }
}
// Like obproxy's etc/ config: the options of the first start are kept for later starts without -o.
const conf = path.join(process.cwd(), "etc", "obproxy_standin.json");
let saved = {};
try { saved = JSON.parse(fs.readFileSync(conf, "utf8")); } catch {}
const merged = Object.assign({}, saved, opts);
try { fs.mkdirSync(path.dirname(conf), { recursive: true }); fs.writeFileSync(conf, JSON.stringify(merged)); } catch {}
const port = Number(merged.listen_port || 2883);
const simPid = Number(process.env.OBSHELL_SIM_PID || process.ppid);
const maxMs = Number(process.env.OBSHELL_SIM_STANDIN_MAX_MS || 3600000);
const sockets = new Set();
const server = net.createServer((s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); s.on("error", () => {}); });
server.on("error", (e) => { process.stderr.write("obproxy stand-in: " + e.message + "\\n"); process.exit(1); });
server.listen(port, "127.0.0.1", () => {
  fs.mkdirSync(path.join(process.cwd(), "run"), { recursive: true });
  fs.writeFileSync(path.join(process.cwd(), "run", "obproxy.pid"), String(process.pid));
});
// Exit with the simulator: a stand-in must never outlive the process that started it.
setInterval(() => { try { process.kill(simPid, 0); } catch { process.exit(0); } }, 500);
setTimeout(() => process.exit(0), maxMs);
`;

/**
 * What `obproxy -V` prints (on stderr): `obproxy (OceanBase <version> <build>)` then revision lines. obshell < 4.4.0.0
 * only accepts a numeric build (`(\d+)`), later ones also `2.el7`, so the default build is plain.
 */
export function obproxyVersionBanner(version: string, build = "2"): string {
  const b = build.split(".")[0];
  return `obproxy (OceanBase ${version} ${build})\n\nREVISION: ${b}-local-0d6d8b6e2b7c1f3a\nBUILD_TIME: Jan  1 2025 00:00:00\nBUILD_FLAGS: RelWithDebInfo`;
}

function obproxyScript(version: string, build: string, nodePath: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh
# Fake OBProxy binary written by pulumi-obproxy's obshell simulator.
if [ "$1" = "-V" ]; then
  printf '%s\\n' ${q(obproxyVersionBanner(version, build))} >&2
  exit 0
fi
HOME_DIR=$(cd "$(dirname "$0")/.." && pwd)
cd "$HOME_DIR" || exit 1
mkdir -p run log
# Daemonize like obproxy: return once the stand-in listens (it writes its own pid, $CHILD since nohup execs node) or
# has died. A failed second start leaves the running instance's pid file alone.
nohup ${q(nodePath)} "$HOME_DIR/bin/obproxy-standin.js" "$@" >>log/obproxy.log 2>&1 &
CHILD=$!
i=0
while [ "$(cat run/obproxy.pid 2>/dev/null)" != "$CHILD" ] && [ $i -lt 200 ]; do
  if ! kill -0 $CHILD 2>/dev/null; then echo "obproxy exited early, see log/obproxy.log"; exit 1; fi
  sleep 0.05
  i=$((i+1))
done
exit 0
`;
}

/**
 * Creates a fake OBProxy home (`bin/obproxy`, `bin/obproxy-standin.js`, `lib/`, empty `etc/`) in `dir` (created if
 * needed) or in a fresh temp directory, and returns its absolute path. `version`/`build` shape the `-V` banner
 * (@default "4.3.2.0" and "2").
 */
export async function createFakeObproxyHome(dir?: string, o: { version?: string; build?: string } = {}): Promise<string> {
  const home = dir ? resolve(dir) : await mkdtemp(join(tmpdir(), "obproxy-home-"));
  await mkdir(join(home, "bin"), { recursive: true });
  await mkdir(join(home, "lib"), { recursive: true });
  await mkdir(join(home, "etc"), { recursive: true });
  await writeFile(join(home, "bin", "obproxy-standin.js"), STANDIN_JS);
  await writeFile(join(home, "bin", "obproxy"), obproxyScript(o.version ?? "4.3.2.0", o.build ?? "2", process.execPath));
  await chmod(join(home, "bin", "obproxy"), 0o755);
  await writeFile(join(home, "lib", "libobproxy_placeholder.so"), "");
  return home;
}

/**
 * A fake OBProxy home, for the simulator's real mode and for a real obshell agent: `bin/obproxy` is a shell script
 * that prints a real-looking `-V` banner and otherwise launches the fake OBProxy (fake-obproxy-script.ts: MySQL on
 * `listen_port`, 127.0.0.1) detached, with the absolute path of the Node running the caller, and returns once it
 * listens, like obproxy daemonizing.
 */
import { chmod, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fakeObproxyScript, STATEMENTS_LOG } from "./fake-obproxy-script";

/** Default lifetime of a fake OBProxy nobody stopped (1 hour). */
const DEFAULT_MAX_MS = 3_600_000;

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
# Daemonize like obproxy: in its own session (it outlives obshell's launcher), return once the server listens (its
# pid, new, in run/obproxy.pid) or has died. A failed second start leaves the running one's pid file alone.
# A test asked for a start whose process is gone: the daemon "forks" and dies at once, the launcher succeeds.
if [ -e etc/FAKE_EXIT_AT_START ]; then echo "fake obproxy: exiting at start (etc/FAKE_EXIT_AT_START)" >>log/obproxy.log; exit 0; fi
OLD=$(cat run/obproxy.pid 2>/dev/null)
# The shell in between is the server's parent: killed with -9, the server is reaped at once, so /proc/<pid> goes
# away (obshell's Stop checks it) even where pid 1 reaps no orphans; the shell then leaves with its status.
nohup setsid /bin/sh -c '"$0" "$@"; exit $?' ${q(nodePath)} "$HOME_DIR/bin/obproxy-standin.js" "$@" >>log/obproxy.log 2>&1 </dev/null &
CHILD=$!
i=0
while :; do
  PID=$(cat run/obproxy.pid 2>/dev/null)
  if [ -n "$PID" ] && [ "$PID" != "$OLD" ] && kill -0 "$PID" 2>/dev/null; then break; fi
  if ! kill -0 $CHILD 2>/dev/null; then echo "obproxy exited early, see log/obproxy.log"; exit 1; fi
  if [ $i -ge 400 ]; then echo "obproxy did not start in 20s, see log/obproxy.log"; exit 1; fi
  sleep 0.05
  i=$((i+1))
done
exit 0
`;
}

/**
 * Creates a fake OBProxy home (`bin/obproxy`, `bin/obproxy-standin.js`, `lib/`, empty `etc/`) in `dir` (created if
 * needed) or in a fresh temp directory, and returns its absolute path. `version`/`build` shape the `-V` banner
 * (@default "4.3.2.0" and "2"); `maxLifetimeMs` bounds a fake OBProxy nobody stops (@default 1 hour).
 */
export async function createFakeObproxyHome(dir?: string, o: { version?: string; build?: string; maxLifetimeMs?: number } = {}): Promise<string> {
  const home = dir ? resolve(dir) : await mkdtemp(join(tmpdir(), "obproxy-home-"));
  await mkdir(join(home, "bin"), { recursive: true });
  await mkdir(join(home, "lib"), { recursive: true });
  await mkdir(join(home, "etc"), { recursive: true });
  const mysql2 = dirname(require.resolve("mysql2/package.json"));
  await writeFile(join(home, "bin", "obproxy-standin.js"), fakeObproxyScript(mysql2, o.maxLifetimeMs ?? DEFAULT_MAX_MS));
  await writeFile(join(home, "bin", "obproxy"), obproxyScript(o.version ?? "4.3.2.0", o.build ?? "2", process.execPath));
  await chmod(join(home, "bin", "obproxy"), 0o755);
  await writeFile(join(home, "lib", "libobproxy_placeholder.so"), "");
  return home;
}

/** One entry of a fake OBProxy's statement log: a connection (`user`), a statement (`sql`, password values redacted). */
export interface FakeObproxyLogEntry {
  at: string;
  event?: string;
  user?: string;
  sql?: string;
  port?: number;
}

/** What the fake OBProxy of `home` was sent so far (empty when it never ran). */
export async function readFakeObproxyLog(home: string): Promise<FakeObproxyLogEntry[]> {
  const text = await readFile(join(home, STATEMENTS_LOG), "utf8").catch(() => "");
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as FakeObproxyLogEntry);
}

/** Makes the next start of the fake OBProxy of `home` exit at once (a start whose process is gone). */
export async function makeFakeObproxyExitAtStart(home: string): Promise<void> {
  await mkdir(join(home, "etc"), { recursive: true });
  await writeFile(join(home, "etc", "FAKE_EXIT_AT_START"), "");
}

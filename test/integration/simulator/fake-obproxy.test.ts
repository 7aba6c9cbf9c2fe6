/**
 * The fake OBProxy of `createFakeObproxyHome` as a real obshell drives it: `bash -c "cd home; ./bin/obproxy -o …"`
 * returns while the process keeps running (its launcher gone), it answers MySQL (handshake, the driver's SET
 * statements, `show proxyconfig`, `ALTER proxyconfig SET`), records what it was sent without password values, writes
 * run/obproxy.pid and is gone from /proc right after `kill -9`.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { createFakeObproxyHome, makeFakeObproxyExitAtStart, readFakeObproxyLog } from "../../../src/simulator";
import { freePort } from "../../helpers/resource-args";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("simulator: the fake OBProxy", function () {
  this.timeout(60_000);
  let home: string;
  let pid = 0;
  beforeEach(async () => (home = await createFakeObproxyHome(undefined, { maxLifetimeMs: 60_000 })));
  afterEach(async () => {
    if (pid) try { process.kill(pid, "SIGKILL"); } catch { /* gone */ }
    pid = 0;
    await rm(home, { recursive: true, force: true });
  });

  it("survives its launcher, speaks MySQL, records statements with password values redacted, dies on kill -9", async () => {
    const port = await freePort();
    // Launched like obshell does; no simulator pid in the environment (a real agent sets none).
    const env = { ...process.env, OBSHELL_SIM_PID: "" };
    execFileSync("/bin/bash", ["-c", `cd '${home}'; ./bin/obproxy -o 'listen_port=${port},obproxy_sys_password=0123' -n app`], { env });
    pid = Number(readFileSync(join(home, "run", "obproxy.pid"), "utf8"));
    await sleep(700);
    assert.ok(existsSync(`/proc/${pid}/cwd`), "still running after its launcher returned");
    const conn = await mysql.createConnection({ host: "127.0.0.1", port, user: "root@proxysys", password: "Fake-sys-pw-1" });
    try {
      await conn.query("SET NAMES utf8mb4");
      const [rows] = await conn.query("show proxyconfig");
      const config = Object.fromEntries((rows as Array<{ name: string; value: string }>).map((r) => [r.name, r.value]));
      assert.equal(config.listen_port, String(port));
      assert.equal(config.app_name, "app");
      assert.equal(config.obproxy_sys_password, "", "password values are never shown");
      await conn.query("ALTER proxyconfig SET observer_sys_password = Proxyro-pw-fake ");
      await conn.query("ALTER proxyconfig SET client_max_connections = '100'");
      const [after] = await conn.query("show proxyconfig");
      assert.ok((after as Array<{ name: string; value: string }>).some((r) => r.name === "client_max_connections" && r.value === "100"));
    } finally {
      await conn.end();
    }
    const sent = await readFakeObproxyLog(home);
    assert.deepEqual(sent.filter((e) => e.sql).map((e) => e.sql), [
      "SET NAMES utf8mb4", "show proxyconfig", "ALTER proxyconfig SET observer_sys_password = <redacted>",
      "ALTER proxyconfig SET client_max_connections = '100'", "show proxyconfig",
    ]);
    assert.ok(sent.some((e) => e.event === "connect" && e.user === "root@proxysys"));
    assert.ok(!readFileSync(join(home, "run", "statements.log"), "utf8").includes("Proxyro-pw-fake"));
    process.kill(pid, "SIGKILL");
    let gone = false;
    for (let i = 0; i < 40 && !gone; i++, await sleep(50)) gone = !existsSync(`/proc/${pid}`);
    assert.ok(gone, "reaped right after kill -9 (obshell's Stop checks /proc/<pid>)");
    pid = 0;
  });

  it("exits at once when asked to (a start whose process is gone), the launcher still succeeding", async () => {
    await makeFakeObproxyExitAtStart(home);
    const port = await freePort();
    execFileSync("/bin/bash", ["-c", `cd '${home}'; ./bin/obproxy -o 'listen_port=${port}'`]);
    assert.equal(existsSync(join(home, "run", "obproxy.pid")), false);
    await assert.rejects(mysql.createConnection({ host: "127.0.0.1", port, user: "root@proxysys" }), /ECONNREFUSED/);
  });
});

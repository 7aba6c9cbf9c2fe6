/**
 * The completion-lag benchmark against a real obshell agent, opt-in: `OBSHELL_BIN=<obshell binary> npm run bench`
 * (docs/testing.md says where a binary comes from). One agent on 127.0.0.1, samples one after another, alternating
 * this package's lifecycle delete (a cold client, like a new plugin process) and the Python SDK's
 * `delete_obproxy_sync`. Each sample adds an OBProxy on a fake home first (set-up, not measured), then deletes it
 * through a counting proxy on 127.0.0.1 (the requests a delete costs). Lag = when delete returned − the Delete DAG's
 * `end_time` as obshell reports it (nanosecond precision; agent and benchmark share this machine's clock).
 *
 * Each delete starts at its own phase of obshell's scheduler tick: the k-th delete of each side waits (k + ½)/count
 * of a tick after its add returned (both sides the same waits). An add returns just after a tick (that is when its
 * end is seen), so a delete sent at once would start every time at the same phase: the Delete DAG would end at the
 * same moment after the request, and the SDK's 3 s polls land at the same distance from that end every time (tens
 * of ms on obshell 4.5), which no user's delete, sent whenever, reproduces.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { createObshellClient, systemClock, type Clock } from "../../src/obshell";
import { createLifecycle } from "../../src/provider/lifecycle";
import { createFakeObproxyHome } from "../../src/simulator";
import { SCHEDULER_TICK_MS } from "../../src/simulator/dag-engine";
import { freePort } from "../../test/helpers/ports";
import { CONFIG_URL, forwardingProxy, killFake, startRealAgent } from "../../test/real/harness";
import type { DeleteSample } from "./deletes";
import { VENV_PYTHON } from "./python-venv";

const SCRIPT = path.join(__dirname, "..", "py", "delete_lag.py");

interface Seen {
  method: string;
  path: string;
  status: number;
  /** When the answer came back (epoch ms). */
  time: number;
}

/** A forwarding proxy on 127.0.0.1 that records every request it passed on. */
async function countingProxy(upstream: string): Promise<{ url: string; port: number; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const proxy = await forwardingProxy(upstream, (req, answer) => {
    seen.push({ method: req.method ?? "GET", path: (req.url ?? "/").split("?")[0]!, status: answer.statusCode ?? 0, time: Date.now() });
    return "forward";
  });
  return { ...proxy, seen };
}

/** A clock of its own per sample: the client caches an agent's key and skew per clock, so each delete starts cold. */
const freshClock = (): Clock => ({ now: () => systemClock.now(), sleep: (ms, signal) => systemClock.sleep(ms, signal) });

/** The figures of one delete from what the proxy saw since `from` and the Delete DAG obshell reports. */
async function sample(agentUrl: string, password: string, seen: Seen[], from: number, returnedAt: number): Promise<DeleteSample> {
  const window = seen.slice(from);
  const i = window.findIndex((r) => r.method === "DELETE" && r.path === "/api/v1/obproxy" && r.status === 200);
  if (i < 0) throw new Error("no accepted DELETE /api/v1/obproxy went through the proxy");
  const client = createObshellClient({ endpoint: agentUrl, agentPassword: password });
  try {
    const last = await client.getLastMaintenanceDag();
    if (!last || last.name !== "Delete obproxy" || last.state !== "SUCCEED") throw new Error(`the agent's last DAG is ${last?.name} ${last?.state}, not a finished Delete`);
    const endedAt = Date.parse(last.end_time);
    return { lagMs: returnedAt - endedAt, before: i + 1, polling: window.length - i - 1, dagMs: endedAt - window[i]!.time };
  } finally {
    await client.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long the k-th delete of `count` waits after its add: its own slice of the scheduler tick. */
function tickPhaseWait(k: number, count: number): number {
  return Math.round(((k + 0.5) / count) * SCHEDULER_TICK_MS);
}

/** `count` deletes per side on one real agent, alternating sides; the agent's version. */
export async function measureRealDeletes(count: number, password: string): Promise<{ pkg: DeleteSample[]; py: DeleteSample[]; version: string }> {
  const agent = await startRealAgent();
  const homes: string[] = [];
  const proxy = await countingProxy(agent.url);
  const setUp = createLifecycle({ sink: () => undefined, clientOptions: { clock: freshClock() } });
  const py = spawn(VENV_PYTHON, [SCRIPT, "127.0.0.1", String(proxy.port), password], { stdio: ["pipe", "pipe", "pipe"] });
  const stderr: string[] = [];
  py.stderr.on("data", (c: Buffer) => stderr.push(c.toString()));
  const pyLines = createInterface({ input: py.stdout })[Symbol.asyncIterator]();
  try {
    const admin = createObshellClient({ endpoint: agent.url, agentPassword: password });
    const version = (await admin.getInfo()).version;
    await admin.setAgentPassword(password);
    await admin.close();
    // obshell keeps the connection to its first OBProxy's SQL port (docs/simulator.md): every add uses the same ports.
    const ports = { sqlPort: await freePort(), rpcPort: await freePort(), exporterPort: await freePort() };
    const pkg: DeleteSample[] = [];
    const pySamples: DeleteSample[] = [];
    for (let n = 0; n < 2 * count; n++) {
      const home = await createFakeObproxyHome(undefined, { maxLifetimeMs: 10 * 60_000 });
      homes.push(home);
      const inputs = {
        endpoint: agent.url, homePath: home, configUrl: CONFIG_URL, ...ports,
        agentPassword: password, resourceName: `real-${n}`, __provider: "exports.handler = () => ({});",
      };
      const { id, outs } = await setUp.create(inputs);
      await sleep(tickPhaseWait(Math.floor(n / 2), count));
      const from = proxy.seen.length;
      if (n % 2 === 0) {
        const lifecycle = createLifecycle({ sink: () => undefined, clientOptions: { clock: freshClock() } });
        await lifecycle.delete(id, { ...outs, endpoint: proxy.url });
        pkg.push(await sample(agent.url, password, proxy.seen, from, Date.now()));
      } else {
        py.stdin.write("delete\n");
        const line = await pyLines.next();
        if (line.done) throw new Error(`the Python SDK process ended: ${stderr.join("")}`);
        pySamples.push(await sample(agent.url, password, proxy.seen, from, (JSON.parse(line.value) as { returned_ms: number }).returned_ms));
      }
    }
    return { pkg, py: pySamples, version };
  } finally {
    py.stdin.end();
    py.kill();
    await proxy.close();
    for (const h of homes) killFake(h);
    await agent.stop();
  }
}

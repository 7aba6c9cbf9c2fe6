/**
 * Ports for servers a test asks another process to open later (a stand-in OBProxy's SQL port, an RPC port).
 *
 * Binding port 0 and closing it hands out a port from the kernel's ephemeral range, the same range every outgoing
 * connection (a plugin's HTTP client, the Pulumi CLI's gRPC) takes its local port from: by the time the stand-in
 * listens, such a connection may hold it, and the start fails with EADDRINUSE ("obproxy exited early"). So ports
 * come from below the ephemeral range, start at a random point, are never handed out twice by one process, and are
 * checked bindable before they are returned.
 */
import { readFileSync } from "node:fs";
import net from "node:net";

/** Lowest port of the kernel's ephemeral range (Linux default 32768). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 0) return low;
  } catch {
    // Not Linux: IANA's dynamic range starts at 49152.
  }
  return 49_152;
}

const HIGH = ephemeralLow() - 1;
const LOW = Math.max(10_000, HIGH - 12_000);
const handedOut = new Set<number>();
let next = LOW + Math.floor(Math.random() * (HIGH - LOW));

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function ephemeral(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A port on 127.0.0.1 nothing listens on now, outside the ephemeral range, not handed out before by this process. */
export async function freePort(): Promise<number> {
  if (HIGH - LOW < 1_000) return ephemeral(); // a kernel whose ephemeral range starts low: the old way
  for (let tries = 0; tries < 200; tries++) {
    next = next >= HIGH ? LOW : next + 1;
    if (handedOut.has(next)) continue;
    handedOut.add(next);
    if (await bindable(next)) return next;
  }
  throw new Error(`no free port in ${LOW}-${HIGH} after 200 tries`);
}

/**
 * A tiny raw obshell double on 127.0.0.1 for client tests: it decrypts the agent header and body with the §7.1
 * test key and hands each request to a test-supplied handler, which may answer anything — envelopes, garbage,
 * truncated bodies, resets, nothing at all. The public routes (/secret, /time, /info) have defaults.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { agentKeyPairFromPem, decryptBody, loadAgentPrivateKey, rsaDecryptChunked } from "../../src/obshell/crypto";
import { secret } from "./secrets";

export const TEST_PEM = secret(readFileSync(join(__dirname, "..", "fixtures", "test-agent-key-1024.pem"), "utf8").trim());
export const TEST_PUBLIC = agentKeyPairFromPem(TEST_PEM).publicKeyBase64;
const PRIVATE = loadAgentPrivateKey(TEST_PEM);

/** A request as the double saw it. */
export interface RawRequest {
  method: string;
  /** Exact request target. */
  url: string;
  /** The client's port of the connection it came on (tells connections apart). */
  clientPort: number;
  headers: IncomingMessage["headers"];
  body: Buffer;
  /** Decrypted `X-OCS-Agent-Header` JSON, when present and decryptable. */
  header?: { auth: string; ts: string; uri: string; keys: string | null };
  /** Decrypted body bytes, when there was a body and keys. */
  plainBody?: Buffer;
}

export type RawHandler = (req: RawRequest, res: ServerResponse) => void | Promise<void>;

export interface RawAgent {
  url: string;
  port: number;
  requests: RawRequest[];
  /** Replaces the handler. */
  handle(h: RawHandler): void;
  close(): Promise<void>;
}

/** Envelope of a success. */
export function ok(data?: unknown, status = 200): Record<string, unknown> {
  return { successful: true, timestamp: new Date().toISOString(), duration: 1, status, traceId: "abcdef0123456789", ...(data !== undefined ? { data } : {}) };
}

/** Envelope of an error. */
export function fail(status: number, error: { errCode?: string; code?: number; message: string }): Record<string, unknown> {
  return { successful: false, timestamp: new Date().toISOString(), duration: 1, status, traceId: "abcdef0123456789", error };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

export const INFO = {
  pid: 1, state: 2, startAt: 1, homePath: "/home/admin/obshell", obVersion: "", architecture: "x86_64", ip: "127.0.0.1",
  port: 2886, zone: "", identity: "SINGLE", version: "4.5.0.0", isObproxyAgent: false, security: true, supportedAuth: ["v2"],
};

/** Defaults for the public routes; `skewMs` shifts /time. Returns true when it answered. */
export function publicRoutes(req: RawRequest, res: ServerResponse, o: { skewMs?: number; info?: object; publicKey?: string } = {}): boolean {
  const path = req.url.split("?")[0];
  if (path === "/api/v1/secret") return sendJson(res, 200, ok({ ip: "127.0.0.1", port: 2886, public_key: o.publicKey ?? TEST_PUBLIC })), true;
  if (path === "/api/v1/time") return sendJson(res, 200, ok(new Date(Date.now() + (o.skewMs ?? 0)).toISOString())), true;
  if (path === "/api/v1/info") return sendJson(res, 200, ok({ ...INFO, ...(o.info ?? {}) })), true;
  return false;
}

function decode(raw: RawRequest): void {
  const value = raw.headers["x-ocs-agent-header"];
  if (typeof value !== "string") return;
  secret(value);
  try {
    const json = JSON.parse(rsaDecryptChunked(value, PRIVATE).toString("utf8"));
    raw.header = json;
    if (typeof json.keys === "string") secret(json.keys);
    if (raw.body.length > 0 && json.keys) {
      const k = Buffer.from(json.keys, "base64");
      raw.plainBody = decryptBody(raw.body.toString("utf8"), { key: k.subarray(0, 16), iv: k.subarray(16) });
    }
  } catch {
    // Left undecoded: the handler decides what the agent would say.
  }
}

/** Starts the double. */
export async function startRawAgent(handler: RawHandler): Promise<RawAgent> {
  let current = handler;
  const requests: RawRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw: RawRequest = { method: req.method ?? "", url: req.url ?? "", clientPort: req.socket.remotePort ?? 0, headers: req.headers, body: Buffer.concat(chunks) };
      decode(raw);
      requests.push(raw);
      Promise.resolve(current(raw, res)).catch((e) => {
        if (!res.headersSent) sendJson(res, 500, fail(500, { message: String(e) }));
      });
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    handle: (h) => {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

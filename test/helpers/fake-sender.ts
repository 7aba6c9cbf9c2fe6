/** An in-process HttpSender for unit tests: decrypts what the client sends and answers from a script. */
import { decryptBody, loadAgentPrivateKey, rsaDecryptChunked } from "../../src/obshell/crypto";
import type { HttpRequest, HttpResponse, HttpSender } from "../../src/obshell/transport";
import { TEST_PEM, TEST_PUBLIC, ok } from "./raw-agent";
import { secret } from "./secrets";

const PRIVATE = loadAgentPrivateKey(TEST_PEM);

export interface SentRequest extends HttpRequest {
  header?: { auth: string; ts: string; uri: string; keys: string | null };
  plainBody?: string;
}

export type Reply = { status: number; body?: unknown } | Error;

export function json(status: number, body?: unknown): HttpResponse {
  return { status, contentType: "application/json", body: body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body)) };
}

/** A sender answering /secret, /time (agent clock = `agentNow()`) and delegating the rest to `route`. */
export function fakeSender(route: (r: SentRequest) => Reply, o: { agentNow?: () => number; publicKey?: () => string } = {}): HttpSender & { sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  return {
    sent,
    send: async (req) => {
      const r: SentRequest = { ...req };
      const h = req.headers["X-OCS-Agent-Header"];
      if (h) {
        secret(h);
        r.header = JSON.parse(rsaDecryptChunked(h, PRIVATE).toString("utf8"));
        if (r.header?.keys) secret(r.header.keys);
        if (req.body && r.header?.keys) {
          const k = Buffer.from(r.header.keys, "base64");
          r.plainBody = decryptBody(req.body, { key: k.subarray(0, 16), iv: k.subarray(16) }).toString("utf8");
        }
      }
      sent.push(r);
      const path = req.target.split("?")[0];
      if (path === "/api/v1/secret") return json(200, ok({ ip: "127.0.0.1", port: 2886, public_key: o.publicKey?.() ?? TEST_PUBLIC }));
      if (path === "/api/v1/time") return json(200, ok(new Date(o.agentNow?.() ?? Date.now()).toISOString()));
      const reply = route(r);
      if (reply instanceof Error) throw reply;
      return json(reply.status, reply.body);
    },
    close: async () => undefined,
  };
}

/**
 * An attacker on the path between the provider and obshell, for the plain-HTTP threat model (docs/security.md):
 * a proxy on 127.0.0.1 that forwards everything, remembers each request's auth header, and can answer in the
 * agent's place. It only proves what obshell's protocol allows; it is not a fault the provider could prevent.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A request the proxy saw. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** A forged answer for one request, or undefined to forward it. */
export type Forge = (method: string, path: string) => { status: number; body?: string } | undefined;

export interface OnPathProxy {
  url: string;
  seen: SeenRequest[];
  /** Rewrites the JSON body of forwarded answers (e.g. to flip a flag in /api/v1/info). */
  rewriteAnswer?: (method: string, path: string, body: string) => string;
  forge?: Forge;
  close(): Promise<void>;
}

export async function startOnPathProxy(upstream: string): Promise<OnPathProxy> {
  const up = new URL(upstream);
  const sockets = new Set<Socket>();
  const proxy: OnPathProxy = { url: "", seen: [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    proxy.seen.push({ method, path, headers: { ...req.headers } });
    const forged = proxy.forge?.(method, path.split("?")[0]!);
    if (forged) {
      req.resume();
      return void res.writeHead(forged.status, { "Content-Type": "application/json" }).end(forged.body);
    }
    const fwd = request({ host: up.hostname, port: up.port, method, path, headers: { ...req.headers, host: up.host } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on("data", (c: Buffer) => chunks.push(c));
      answer.on("end", () => {
        let body = Buffer.concat(chunks).toString("utf8");
        if (proxy.rewriteAnswer && body) body = proxy.rewriteAnswer(method, path.split("?")[0]!, body);
        const headers = { ...answer.headers };
        delete headers["content-length"];
        res.writeHead(answer.statusCode ?? 502, headers).end(body);
      });
    });
    fwd.on("error", () => res.destroy());
    req.pipe(fwd);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}

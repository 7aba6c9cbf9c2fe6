/**
 * A reverse proxy on 127.0.0.1 that rewrites each request target before forwarding it, like a gateway that
 * normalizes paths or queries: obshell then sees a target that differs from the signed `Uri`.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RewritingProxy {
  url: string;
  close(): Promise<void>;
}

export async function startRewritingProxy(upstream: string, rewrite: (target: string) => string): Promise<RewritingProxy> {
  const up = new URL(upstream);
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const fwd = request(
      { host: up.hostname, port: up.port, method: req.method, path: rewrite(req.url ?? "/"), headers: { ...req.headers, host: up.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    fwd.on("error", () => res.destroy());
    req.pipe(fwd);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

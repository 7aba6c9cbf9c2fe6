import assert from "node:assert/strict";
import { createServer } from "node:net";
import { createObshellClient, type ObshellClient } from "../../../src/obshell";
import { isNetworkError, isObshellApiError, isRequestTimeoutError, isResponseShapeError } from "../../../src/obshell/errors";
import { fakeClock } from "../../helpers/fake-clock";
import { deleteDag } from "../../helpers/dags";
import { INFO, fail, ok, publicRoutes, sendJson, startRawAgent, type RawAgent, type RawHandler } from "../../helpers/raw-agent";
import { rejects, secret, testLog } from "../../helpers/secrets";

const PW = secret("Transport-Test-Pw");

describe("client transport over loopback (raw double)", () => {
  let agent: RawAgent;
  let client: ObshellClient;
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);

  before(async () => {
    process.on("unhandledRejection", onUnhandled);
    agent = await startRawAgent(() => undefined);
  });
  after(async () => {
    process.off("unhandledRejection", onUnhandled);
    await agent.close();
    assert.deepEqual(unhandled, []);
  });
  beforeEach(() => {
    agent.requests.length = 0;
    client = createObshellClient({ endpoint: agent.url, agentPassword: PW, clock: fakeClock(), log: testLog, requestTimeoutMs: 3_000, maxResponseBytes: 16 * 1024 });
  });
  afterEach(() => client.close());

  const serve = (h: RawHandler) => agent.handle((req, res) => (publicRoutes(req, res) ? undefined : h(req, res)));
  const count = (path: string) => agent.requests.filter((r) => r.url.startsWith(path)).length;

  it("reads /info and DAGs, reusing connections", async () => {
    serve((_req, res) => sendJson(res, 200, ok(deleteDag(1, "READY"))));
    assert.equal((await client.getInfo()).version, INFO.version);
    await client.stopObproxy();
    await client.stopObproxy();
    // /info, then /secret and /time together (first contact: two connections at most), two POSTs, five /info, on
    // kept-alive connections (undici may open one more when a request is dispatched before the previous connection
    // is marked idle): ten requests on three connections at most.
    for (let i = 0; i < 5; i++) await client.getInfo();
    assert.ok(agent.requests.length >= 10);
    assert.ok(new Set(agent.requests.map((r) => r.clientPort)).size <= 3, agent.requests.map((r) => `${r.url} ${r.clientPort}`).join("; "));
  });

  it("non-JSON → ResponseShapeError", async () => {
    serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<html>proxy login</html>");
    });
    await rejects(client.stopObproxy(), (e: Error) => isResponseShapeError(e) && /not JSON/.test(e.message));
  });

  it("truncated body (connection closed early) → typed error, POST sent once", async () => {
    serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": "500" });
      res.write('{"successful":true,"data":{"id":"4');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    await rejects(client.stopObproxy(), (e: unknown) => (isNetworkError(e) && e.kind === "reset") || isResponseShapeError(e));
    assert.equal(count("/api/v1/obproxy/stop"), 1);
  });

  it("oversized answers → ResponseShapeError, declared or streamed", async () => {
    const big = JSON.stringify(ok({ pad: "x".repeat(64 * 1024) }));
    serve((_req, res) => sendJson(res, 200, JSON.parse(big)));
    await rejects(client.stopObproxy(), (e: Error) => isResponseShapeError(e) && /maxResponseBytes/.test(e.message));
    serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(big);
    });
    await rejects(client.stopObproxy(), (e: Error) => isResponseShapeError(e) && /maxResponseBytes/.test(e.message));
  });

  it("wrong envelope or data shape → ResponseShapeError", async () => {
    serve((_req, res) => sendJson(res, 200, { data: {} }));
    await rejects(client.stopObproxy(), isResponseShapeError);
    serve((_req, res) => sendJson(res, 200, ok({ id: "x" })));
    await rejects(client.stopObproxy(), (e: Error) => isResponseShapeError(e) && /unexpected data/.test(e.message));
  });

  it("reads retry resets and 503; writes are sent once", async () => {
    let n = 0;
    // First a reset, then a 503, then the answer.
    serve((_req, res) => {
      if (n++ < 2) {
        if (n === 1) return void res.socket?.destroy();
        return sendJson(res, 503, fail(503, { message: "unavailable" }));
      }
      sendJson(res, 200, ok(deleteDag(1, "READY")));
    });
    n = 0;
    await client.getDag("42130706433028861");
    assert.equal(count("/api/v1/task/dag/"), 3, JSON.stringify(agent.requests.map((r) => r.url)));
    n = 0;
    agent.requests.length = 0;
    await rejects(client.stopObproxy(), (e: unknown) => isNetworkError(e) && e.kind === "reset");
    assert.equal(count("/api/v1/obproxy/stop"), 1);
    n = 1;
    agent.requests.length = 0;
    await rejects(client.stopObproxy(), (e: unknown) => isObshellApiError(e) && e.status === 503);
    assert.equal(count("/api/v1/obproxy/stop"), 1);
  });

  it("slow answers → RequestTimeoutError per attempt; POST not resent", async () => {
    serve(() => undefined); // never answers
    await rejects(client.stopObproxy({ timeoutMs: 300 }), (e: unknown) => isRequestTimeoutError(e) && e.kind === "timeout" && e.message.includes(agent.url));
    assert.equal(count("/api/v1/obproxy/stop"), 1);
    await rejects(client.getDag("42130706433028861", { timeoutMs: 100 }), isRequestTimeoutError);
    assert.equal(count("/api/v1/task/dag/"), 4);
  });

  it("honours an abort signal", async () => {
    serve(() => undefined);
    const ctl = new AbortController();
    const p = client.stopObproxy({ signal: ctl.signal });
    setTimeout(() => ctl.abort(), 20);
    await rejects(p, (e: unknown) => isNetworkError(e) && e.kind === "aborted");
  });

  it("connection refused names the endpoint", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const c = createObshellClient({ endpoint: `http://127.0.0.1:${port}`, clock: fakeClock(), readRetries: 1 });
    await rejects(c.getInfo(), (e: unknown) => isNetworkError(e) && e.kind === "refused" && e.endpoint === `http://127.0.0.1:${port}` && e.message.includes(`127.0.0.1:${port}`));
    await c.close();
  });

  it("uploads a package as an encrypted multipart body with the plaintext Content-Type", async () => {
    const info = { PkgId: 1, Name: "obproxy-ce", Version: "4.3.2.0", ReleaseDistribution: "1.el7", Distribution: "el7", Release: "1", Architecture: "x86_64", Size: 3, PayloadSize: 3, ChunkCount: 1, Md5: "x", GmtModify: "2026-05-11T10:00:00+08:00" };
    serve((_req, res) => sendJson(res, 200, ok(info)));
    const data = Buffer.from([0, 1, 2, 255]);
    const got = await client.uploadObproxyPackage({ filename: "obproxy-ce-4.3.2.0-1.el7.x86_64.rpm", data });
    assert.equal(got.Version, "4.3.2.0");
    const req = agent.requests.find((r) => r.url === "/api/v1/obproxy/package")!;
    const ct = String(req.headers["content-type"]);
    const boundary = /boundary=(.+)$/.exec(ct)![1];
    assert.match(ct, /^multipart\/form-data; boundary=/);
    const plain = req.plainBody!;
    assert.ok(plain.includes(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="obproxy-ce-4.3.2.0-1.el7.x86_64.rpm"`)));
    assert.ok(plain.includes(data));
    assert.ok(!req.body.includes(data), "the body on the wire is encrypted");
  });
});

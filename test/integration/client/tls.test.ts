import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import forge from "node-forge";
import { createObshellClient, isNetworkError } from "../../../src/obshell";
import { fakeClock } from "../../helpers/fake-clock";
import { INFO, ok } from "../../helpers/raw-agent";
import { rejects, secret } from "../../helpers/secrets";

/** A self-signed certificate for 127.0.0.1 (test only). */
function selfSigned(cn = "127.0.0.1"): { cert: string; key: string } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = "01";
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const attrs = [{ name: "commonName", value: cn }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([{ name: "basicConstraints", cA: true }, { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

describe("client over https", function () {
  this.timeout(20_000);
  let server: Server;
  let url: string;
  let pem: { cert: string; key: string };
  let mtls: Server;
  let mtlsUrl: string;
  let clientPem: { cert: string; key: string };

  const answer = (_req: unknown, res: import("node:http").ServerResponse) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(ok(INFO)));
  };
  const listen = async (s: Server) => {
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    return `https://127.0.0.1:${(s.address() as AddressInfo).port}`;
  };

  before(async () => {
    pem = selfSigned();
    clientPem = selfSigned("pulumi-obproxy test client");
    server = createServer(pem, answer);
    url = await listen(server);
    // Mutual TLS: the agent demands a client certificate signed by the CA it knows.
    mtls = createServer({ ...pem, ca: clientPem.cert, requestCert: true, rejectUnauthorized: true }, answer);
    mtlsUrl = await listen(mtls);
  });
  after(async () => {
    for (const s of [server, mtls]) if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  it("verifies against the given CA", async () => {
    const c = createObshellClient({ endpoint: url, tls: { ca: pem.cert }, clock: fakeClock() });
    assert.equal((await c.getInfo()).version, INFO.version);
    await c.close();
  });

  it("an unknown CA → NetworkError kind tls, not retried", async () => {
    const c = createObshellClient({ endpoint: url, clock: fakeClock() });
    await rejects(c.getInfo(), (e: unknown) => isNetworkError(e) && e.kind === "tls" && e.message.includes(url));
    await c.close();
  });

  it("rejectUnauthorized: false skips verification", async () => {
    const c = createObshellClient({ endpoint: url, tls: { rejectUnauthorized: false }, clock: fakeClock() });
    assert.equal((await c.getInfo()).version, INFO.version);
    await c.close();
  });

  it("mutual TLS: presents the client certificate; without it the agent refuses", async () => {
    const c = createObshellClient({ endpoint: mtlsUrl, tls: { ca: pem.cert, cert: clientPem.cert, key: secret(clientPem.key.trim()) }, clock: fakeClock() });
    assert.equal((await c.getInfo()).version, INFO.version);
    await c.close();
    const without = createObshellClient({ endpoint: mtlsUrl, tls: { ca: pem.cert }, clock: fakeClock(), readRetries: 0 });
    await rejects(without.getInfo(), (e) => isNetworkError(e) && (e.kind === "tls" || e.kind === "reset") && e.message.includes(mtlsUrl));
    await without.close();
  });
});

import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import forge from "node-forge";
import { createObshellClient, isNetworkError } from "../../../src/obshell";
import { fakeClock } from "../../helpers/fake-clock";
import { INFO, ok } from "../../helpers/raw-agent";

/** A self-signed certificate for 127.0.0.1 (test only). */
function selfSigned(): { cert: string; key: string } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = "01";
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const attrs = [{ name: "commonName", value: "127.0.0.1" }];
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

  before(async () => {
    pem = selfSigned();
    server = createServer(pem, (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(ok(INFO)));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("verifies against the given CA", async () => {
    const c = createObshellClient({ endpoint: url, tls: { ca: pem.cert }, clock: fakeClock() });
    assert.equal((await c.getInfo()).version, INFO.version);
    await c.close();
  });

  it("an unknown CA → NetworkError kind tls, not retried", async () => {
    const c = createObshellClient({ endpoint: url, clock: fakeClock() });
    await assert.rejects(c.getInfo(), (e: unknown) => isNetworkError(e) && e.kind === "tls" && e.message.includes(url));
    await c.close();
  });

  it("rejectUnauthorized: false skips verification", async () => {
    const c = createObshellClient({ endpoint: url, tls: { rejectUnauthorized: false }, clock: fakeClock() });
    assert.equal((await c.getInfo()).version, INFO.version);
    await c.close();
  });
});

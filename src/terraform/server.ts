/**
 * go-plugin's side of the handshake, as Terraform and OpenTofu expect it from a provider: refuse to run without the
 * magic cookie, serve gRPC over TLS on loopback with a fresh self-signed certificate that requires Terraform's
 * client certificate (AutoMTLS), and announce `1|6|tcp|127.0.0.1:PORT|grpc|<cert>` as the first stdout line.
 * Terraform starts a new process, with a new certificate, 3–4 times per command and ends each with
 * GRPCController.Shutdown, which must exist (without it every start ends in a 2 s kill).
 */
import crypto from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import forge from "node-forge";
import { LOADER_OPTIONS, TFPLUGIN6_DESCRIPTOR } from "./descriptor";

/** The cookie Terraform sets for its providers (go-plugin refuses to start a plugin without a matching one). */
export const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
export const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/** A self-signed certificate for `localhost` (the name Terraform's client verifies), valid for a day. */
export function selfSignedCertificate(): { certPem: string; keyPem: string; der: Buffer } {
  // Node makes the key quickly; it cannot issue X.509 certificates, so node-forge signs.
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString());
  cert.serialNumber = `01${crypto.randomBytes(15).toString("hex")}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3_600_000);
  const subject = [{ name: "commonName", value: "localhost" }, { name: "organizationName", value: "terraform-provider-obproxy" }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: "extKeyUsage", serverAuth: true, clientAuth: true },
    { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), "binary");
  return { certPem, keyPem, der };
}

type Handler = (req: Record<string, any>) => Promise<Record<string, any>>;

/** Adapts promise handlers to grpc-js unary handlers; a thrown error becomes gRPC INTERNAL (never a crash). */
function unary(handlers: Record<string, Handler>): grpc.UntypedServiceImplementation {
  return Object.fromEntries(
    Object.entries(handlers).map(([name, fn]) => [
      name,
      (call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>) => {
        fn(call.request).then(
          (res) => callback(null, res),
          (e: unknown) => callback({ code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) }),
        );
      },
    ]),
  );
}

/** What serving needs from the environment Terraform gives the plugin. */
export interface ServeOptions {
  env: NodeJS.ProcessEnv;
  /** Where the handshake line goes (stdout). */
  announce: (line: string) => void;
  /** Called after Shutdown has been answered. */
  onShutdown: () => void;
}

/** Starts the gRPC server and announces it; resolves once listening. */
export async function serve(handlers: Record<string, Handler>, o: ServeOptions): Promise<grpc.Server> {
  if (o.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    throw new Error("This binary is a plugin for Terraform and OpenTofu; it is started by them, not directly (see docs/terraform.md).");
  }
  const versions = String(o.env.PLUGIN_PROTOCOL_VERSIONS ?? "6").split(",");
  if (!versions.includes("6")) throw new Error(`Terraform offers plugin protocol ${versions.join(",")}; this provider speaks 6 (Terraform ≥ 1.0, OpenTofu)`);
  const proto = grpc.loadPackageDefinition(protoLoader.fromJSON(TFPLUGIN6_DESCRIPTOR as unknown as Parameters<typeof protoLoader.fromJSON>[0], LOADER_OPTIONS)) as any;
  const server = new grpc.Server();
  server.addService(proto.tfplugin6.Provider.service, unary(handlers));
  server.addService(proto.plugin.GRPCController.service, unary({
    Shutdown: async () => {
      setImmediate(() => server.tryShutdown(() => o.onShutdown()));
      return {};
    },
  }));
  const clientCert = o.env.PLUGIN_CLIENT_CERT;
  const cert = clientCert ? selfSignedCertificate() : undefined;
  const credentials = cert
    ? grpc.ServerCredentials.createSsl(Buffer.from(clientCert!), [{ private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) }], true)
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  // go-plugin decodes the certificate with unpadded base64 ("illegal base64 data" otherwise).
  const certField = cert ? cert.der.toString("base64").replace(/=+$/, "") : "";
  o.announce(`1|6|tcp|127.0.0.1:${port}|grpc|${certField}`);
  return server;
}

/**
 * The provider process as Terraform starts it (dist/, built by `npm test`): refuses to run without the magic
 * cookie, announces itself on the first stdout line with an unpadded base64 certificate for localhost, serves
 * tfplugin6 over mutual TLS, survives SIGINT (Terraform sends StopProvider instead) and exits on Shutdown.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { REPO_ROOT } from "../../engine/harness/project";
import { LOADER_OPTIONS, TFPLUGIN6_DESCRIPTOR } from "../../../src/terraform/descriptor";
import { decodeValue } from "../../../src/terraform/cty";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, selfSignedCertificate } from "../../../src/terraform/server";

const BIN = path.join(REPO_ROOT, "bin", "terraform-provider-obproxy");

describe("terraform: provider process handshake", function () {
  this.timeout(60_000);

  it("refuses to run without Terraform's magic cookie, writing nothing to stdout", () => {
    const env = { ...process.env };
    delete env[MAGIC_COOKIE_KEY];
    const run = spawnSync(process.execPath, [BIN], { env, encoding: "utf8", timeout: 30_000 });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /plugin for Terraform and OpenTofu/);
  });

  it("announces a TLS endpoint, serves the schema over mutual TLS, ignores SIGINT and exits on Shutdown", async () => {
    const client = selfSignedCertificate();
    const child = spawn(process.execPath, [BIN], {
      env: { ...process.env, [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: "5,6", PLUGIN_CLIENT_CERT: client.certPem },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (b: Buffer) => {
          out += b.toString();
          if (out.includes("\n")) resolve(out.split("\n")[0]!);
        });
        child.on("exit", () => reject(new Error(`exited before the handshake: ${out}`)));
      });
      const [core, proto, net, addr, kind, cert] = line.split("|");
      assert.deepEqual([core, proto, net, kind], ["1", "6", "tcp", "grpc"]);
      assert.match(addr!, /^127\.0\.0\.1:\d+$/);
      assert.doesNotMatch(cert!, /=$/, "go-plugin decodes the certificate as unpadded base64");
      const serverCert = new X509Certificate(Buffer.from(cert!, "base64"));
      assert.match(serverCert.subjectAltName ?? "", /DNS:localhost/);

      const pkg = grpc.loadPackageDefinition(protoLoader.fromJSON(TFPLUGIN6_DESCRIPTOR as never, LOADER_OPTIONS)) as any;
      const creds = grpc.credentials.createSsl(Buffer.from(serverCert.toString()), Buffer.from(client.keyPem), Buffer.from(client.certPem));
      const provider = new pkg.tfplugin6.Provider(addr, creds, { "grpc.ssl_target_name_override": "localhost" });
      const call = <T>(c: any, method: string, req: object) =>
        new Promise<T>((resolve, reject) => c[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));

      process.kill(child.pid!, "SIGINT");
      const schema = await call<any>(provider, "GetProviderSchema", {});
      assert.equal(schema.server_capabilities.plan_destroy, true);
      const attrs = schema.resource_schemas.obproxy.block.attributes.map((a: any) => a.name);
      assert.ok(attrs.includes("home_path") && attrs.includes("last_dag"));
      const upgraded = await call<any>(provider, "UpgradeResourceState", { type_name: "obproxy", version: 0, raw_state: { json: Buffer.from('{"id":"x"}') } });
      const state = decodeValue(upgraded.upgraded_state.msgpack) as Record<string, unknown>;
      assert.equal(state.id, "x");
      assert.equal(Object.keys(state).length, attrs.length + 2, "every attribute and both blocks present");
      provider.close();

      const controller = new pkg.plugin.GRPCController(addr, creds, { "grpc.ssl_target_name_override": "localhost" });
      await call(controller, "Shutdown", {});
      controller.close();
      assert.equal(await exited, 0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

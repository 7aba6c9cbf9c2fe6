import { strict as assert } from "node:assert";
import type { Simulator } from "../../../src/simulator";
import { agentArchitecture } from "../../../src/simulator/handlers/agent";
import { addBody, call, startTestSim, waitDag } from "./helpers";

function multipart(filename: string, data: Buffer, field = "file") {
  const boundary = "----obshellsimtest";
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

describe("simulator: package upload and upgrade (§4.5, §4.6)", () => {
  let sim: Simulator;
  beforeEach(async () => (sim = await startTestSim()));
  afterEach(() => sim.stop());

  const upload = (filename: string, field?: string) => {
    const m = multipart(filename, Buffer.from("rpm bytes"), field);
    return call(sim, "/api/v1/obproxy/package", { rawBody: m.body, headers: { "Content-Type": m.contentType } });
  };

  it("uploads an encrypted multipart package and upgrades to it", async () => {
    const arch = agentArchitecture();
    const up = await upload(`obproxy-ce-4.3.3.0-5.el7.${arch}.rpm`);
    assert.equal(up.status, 200, up.text);
    assert.deepEqual([up.json.data.Name, up.json.data.Version, up.json.data.Release, up.json.data.Distribution], ["obproxy-ce", "4.3.3.0", "5", "el7"]);
    const add = await call(sim, "/api/v1/obproxy", { body: addBody() });
    await waitDag(sim, add.json.data.id);
    const e = async (body: object) => (await call(sim, "/api/v1/obproxy/upgrade", { body })).json.error?.errCode;
    assert.equal(await e({ version: "4.3.2.0", release: "1.el7" }), "OBProxy.UpgradeToLowerVersion");
    assert.equal(await e({ version: "4.3.4.0", release: "1el7" }), "Package.ReleaseFormat.Invalid");
    assert.equal(await e({ version: "4.3.4.0", release: "1.el7" }), "OBProxy.Package.NotFound");
    assert.equal(await e({ version: "4.3.3.0", release: "5.el7", upgrade_dir: "rel/dir" }), "Common.InvalidPath");
    const r = await call(sim, "/api/v1/obproxy/upgrade", { body: { version: "4.3.3.0", release: "5.el7" } });
    assert.equal(r.json.data.max_stage, 10);
    assert.equal((await waitDag(sim, r.json.data.id)).state, "SUCCEED");
    assert.equal(sim.control.state().obproxy!.version, "4.3.3.0-5");
  });

  it("refuses other names and a missing file field (data: null kept)", async () => {
    const bad = await upload("obproxy-4.3.3.0-5.el7.x86_64.rpm");
    assert.equal(bad.json.error.errCode, "OBProxy.Package.Name.Invalid");
    assert.ok(bad.text.includes('"data":null'));
    const missing = await upload("obproxy-ce-4.3.3.0-5.el7.x86_64.rpm", "other");
    assert.deepEqual([missing.status, missing.json.error.errCode], [500, "Request.File.Missing"]);
    assert.equal((await call(sim, "/api/v1/obproxy/upgrade", { body: { version: "4.3.3.0", release: "5.el7" } })).json.error.errCode, "OBProxy.NotBeManaged");
  });
});

/** Operations over an in-process sender: routes, bodies, 204/404 mapping, lock-holder lookup, multipart. */
import assert from "node:assert/strict";
import { createObshellClient } from "../../../src/obshell/client";
import { isObshellApiError } from "../../../src/obshell/errors";
import { multipartFile } from "../../../src/obshell/obproxy";
import { fakeClock } from "../../helpers/fake-clock";
import { fakeSender, type Reply, type SentRequest } from "../../helpers/fake-sender";
import { dag, deleteDag } from "../../helpers/dags";
import { fail, ok } from "../../helpers/raw-agent";
import { rejects, secret, testLog } from "../../helpers/secrets";

const PW = secret("Operations-Pw-7");
const ID = (n: number) => `4213070643302886${n}`;

function client(route: (r: SentRequest) => Reply, o: { noPassword?: boolean } = {}) {
  const sender = fakeSender(route);
  const c = createObshellClient({ endpoint: "http://127.0.0.1:2886", ...(o.noPassword ? {} : { agentPassword: PW }), clock: fakeClock(), log: testLog }, { sender });
  const authed = () => sender.sent.filter((s) => s.header);
  return { c, sender, authed };
}

describe("operations", () => {
  it("each OBProxy operation hits its route once with the agent header", async () => {
    const { c, authed } = client(() => ({ status: 200, body: ok(deleteDag(1, "READY")) }));
    await c.addObproxy({ home_path: "/home/admin/obproxy", rs_list: "10.0.0.1:2881", proxyro_password: secret("Proxyro-Secret-1") });
    await c.startObproxy();
    await c.stopObproxy();
    await c.upgradeObproxy({ version: "4.3.3.0", release: "5.el7" });
    await c.deleteObproxy();
    assert.deepEqual(authed().map((s) => `${s.method} ${s.target}`), [
      "POST /api/v1/obproxy", "POST /api/v1/obproxy/start", "POST /api/v1/obproxy/stop", "POST /api/v1/obproxy/upgrade", "DELETE /api/v1/obproxy",
    ]);
    assert.deepEqual(JSON.parse(authed()[0].plainBody!), { home_path: "/home/admin/obproxy", rs_list: "10.0.0.1:2881", proxyro_password: "Proxyro-Secret-1" });
    assert.equal(authed()[1].body, undefined, "a request without a body sends none");
  });

  it("DELETE 204 → not-managed; 200 → the DAG", async () => {
    let status = 204;
    const { c } = client(() => (status === 204 ? { status } : { status, body: ok(deleteDag(1, "READY")) }));
    assert.deepEqual(await c.deleteObproxy(), { kind: "not-managed" });
    status = 200;
    const answer = await c.deleteObproxy();
    assert.equal(answer.kind === "dag" && answer.dag.name, "Delete obproxy");
  });

  it("getDag signs show_details=false into the Uri when asked", async () => {
    const { c, authed } = client(() => ({ status: 200, body: ok(deleteDag(1, "READY")) }));
    await c.getDag(ID(1), { showDetails: false });
    assert.equal(authed()[0].header!.uri, `/api/v1/task/dag/${ID(1)}?show_details=false`);
  });

  it("getLastMaintenanceDag: 404 → undefined, other errors thrown", async () => {
    let status = 404;
    const { c } = client(() => ({ status, body: fail(status, { errCode: "Task.NotFound", message: "Task not found: Agent is not under maintenance" }) }));
    assert.equal(await c.getLastMaintenanceDag(), undefined);
    status = 401;
    await rejects(c.getLastMaintenanceDag(), (e) => isObshellApiError(e) && e.status === 401);
  });

  it("findObproxyMaintenanceDag: OBProxy maintenance DAGs only, RUNNING before READY before FAILED, then newest", async () => {
    const start = { ...dag({ name: "Start obproxy", state: "RUNNING", stage: 1, nodes: null, id: ID(9) }), maintenance_type: 1 };
    const local = { ...dag({ state: "RUNNING", stage: 1, nodes: null, id: `2${ID(8).slice(1)}` }) };
    const failedOld = { ...dag({ name: "Stop obproxy", state: "FAILED", stage: 2, nodes: null, id: ID(3) }), dag_id: 3 };
    const failedNew = { ...dag({ name: "Stop obproxy", state: "FAILED", stage: 2, nodes: null, id: ID(5) }), dag_id: 5 };
    let contents = [start, local, failedOld, failedNew];
    const { c } = client(() => ({ status: 200, body: ok({ contents }) }));
    assert.equal((await c.findObproxyMaintenanceDag())?.id, ID(5));
    contents = [...contents, { ...dag({ state: "RUNNING", stage: 2, nodes: null, id: ID(4) }), dag_id: 4 }];
    assert.equal((await c.findObproxyMaintenanceDag())?.id, ID(4));
    contents = [start];
    assert.equal(await c.findObproxyMaintenanceDag(), undefined);
  });

  it("an UnderMaintenance refusal names the lock holder; a failed lookup keeps the original error", async () => {
    const holder = { ...dag({ name: "Stop obproxy", state: "FAILED", stage: 2, nodes: null, id: ID(7) }), dag_id: 7 };
    let listFails = false;
    const { c } = client((r) => {
      if (r.target.startsWith("/api/v1/task/dag/agent/unfinish")) return listFails ? new Error("boom") : { status: 200, body: ok({ contents: [holder] }) };
      return { status: 500, body: fail(500, { errCode: "Agent.UnderMaintenance", message: "Create task 'Delete obproxy' failed: 127.0.0.1:2886 is under maintenance" }) };
    });
    const e = await rejects(c.deleteObproxy(), isObshellApiError);
    assert.match(e.hint, new RegExp(`Stop obproxy DAG ${ID(7)} \\(FAILED\\).*retry it: \`pulumi-obproxy dag retry ${ID(7)}\``));
    listFails = true;
    const plain = await rejects(c.stopObproxy(), isObshellApiError);
    assert.ok(!plain.hint.includes(ID(7)) && /another OBProxy task/.test(plain.hint));
  });

  it("setAgentPassword: the first one on a SINGLE agent goes with an empty auth; later calls use it", async () => {
    const { c, authed } = client(() => ({ status: 200, body: ok() }), { noPassword: true });
    const first = secret("First-Agent-Pw-1");
    await c.setAgentPassword(first);
    assert.equal(authed()[0].header!.auth, "");
    assert.deepEqual(JSON.parse(authed()[0].plainBody!), { password: first });
    await c.operateDag(ID(1), "PASS");
    assert.equal(authed()[1].header!.auth, first);
    assert.deepEqual(JSON.parse(authed()[1].plainBody!), { operator: "pass" });
  });

  it("builds multipart bodies with a fresh boundary and a safe file name", () => {
    const a = multipartFile("file", 'a"b\r\n.rpm', Buffer.from([1, 2]));
    const b = multipartFile("file", "x.rpm", Buffer.from([1, 2]));
    assert.notEqual(a.contentType, b.contentType);
    const boundary = a.contentType.split("boundary=")[1];
    const text = a.bytes.toString("latin1");
    assert.ok(text.startsWith(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a_b__.rpm"\r\n`));
    assert.ok(text.endsWith(`\r\n--${boundary}--\r\n`));
  });
});

/** Bad input never crashes or throws synchronously: every operation rejects with a typed error and sends nothing. */
import assert from "node:assert/strict";
import { createObshellClient, type ObshellClient } from "../../../src/obshell/client";
import { isConfigError } from "../../../src/obshell/errors";
import { fakeClock } from "../../helpers/fake-clock";
import { fakeSender } from "../../helpers/fake-sender";
import { DAG_ID } from "../../helpers/dags";
import { ok } from "../../helpers/raw-agent";
import { rejects, secret, testLog } from "../../helpers/secrets";

const PW = secret("Bad-Input-Pw-1");

describe("bad input → typed errors, nothing sent", () => {
  const sender = fakeSender(() => ({ status: 200, body: ok() }));
  const c: ObshellClient = createObshellClient({ endpoint: "http://127.0.0.1:2886", agentPassword: PW, clock: fakeClock(), log: testLog }, { sender });
  beforeEach(() => {
    sender.sent.length = 0;
  });
  afterEach(() => assert.equal(sender.sent.length, 0, "nothing may be sent"));

  const cases: Array<[string, string, () => Promise<unknown>]> = [
    ["getDag with a short id", "dagId", () => c.getDag("4123")],
    ["getDag with a path in the id", "dagId", () => c.getDag(`${DAG_ID}/../../obproxy`)],
    ["getDag with a non-string id", "dagId", () => c.getDag(42 as unknown as string)],
    ["operateDag with an unknown operator", "operator", () => c.operateDag(DAG_ID, "DROP" as "RETRY")],
    ["operateDag with a bad id", "dagId", () => c.operateDag("x", "RETRY")],
    ["waitForDag with a bad id", "dagId", () => c.waitForDag("5", { deadline: Date.now() + 1_000 })],
    ["waitForDag without a deadline", "deadline", () => c.waitForDag(DAG_ID, {} as { deadline: number })],
    ["addObproxy without home_path", "params", () => c.addObproxy({} as { home_path: string })],
    ["addObproxy with a string port", "params", () => c.addObproxy({ home_path: "/h", sql_port: "2883" as unknown as number })],
    ["upgradeObproxy without release", "params", () => c.upgradeObproxy({ version: "4.3.3.0" } as { version: string; release: string })],
    ["uploadObproxyPackage without data", "file", () => c.uploadObproxyPackage({ filename: "a.rpm", data: "x" as unknown as Buffer })],
    ["setAgentPassword with an empty password", "password", () => c.setAgentPassword("")],
  ];
  for (const [what, field, call] of cases) {
    it(`${what} → ConfigError(${field}), as a rejection`, async () => {
      let promise: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        promise = call();
      }, "must reject, not throw synchronously");
      await rejects(promise!, (e) => isConfigError(e) && e.field === field);
    });
  }

  it("a bad option is a ConfigError from createObshellClient, naming the field", () => {
    for (const [o, field] of [
      [{ endpoint: "http://user:pw@h:2886" }, "endpoint"],
      [{ endpoint: "http://h:2886", requestTimeoutMs: -1 }, "requestTimeoutMs"],
      [{ endpoint: "http://h:2886", readRetries: 1.5 }, "readRetries"],
      [{ endpoint: "http://h:2886", publicKeyPin: "sha256:abc" }, "publicKeyPin"],
      [{ endpoint: "http://h:2886", agentPassword: 42 }, "agentPassword"],
    ] as const) {
      assert.throws(() => createObshellClient(o as never), (e: unknown) => isConfigError(e) && e.field === field && !e.message.includes("pw@"));
    }
  });
});

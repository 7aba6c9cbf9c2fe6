/** The error hierarchy: one base, literal names, causes kept, guards that accept another copy's errors. */
import assert from "node:assert/strict";
import * as errors from "../../../src/obshell/errors";
import { classifyNetworkError, isTransient, retryDelayMs } from "../../../src/obshell/transport";
import { dag } from "../../helpers/dags";

const E = "http://127.0.0.1:2886";
const api = { status: 401, errCode: "Security.Authentication.Expired", code: 10008, apiMessage: "Unauthorized: Authentication expired", traceId: "", method: "GET", path: "/p" };

const samples: Array<[string, Error, (e: unknown) => boolean]> = [
  ["ObshellApiError", new errors.ObshellApiError(api), errors.isObshellApiError],
  ["NetworkError", new errors.NetworkError(E, "refused", "refused"), errors.isNetworkError],
  ["RequestTimeoutError", new errors.RequestTimeoutError(E, 100, "GET /p"), errors.isRequestTimeoutError],
  ["ResponseShapeError", new errors.ResponseShapeError({ method: "GET", path: "/p", status: 200, problem: "x" }), errors.isResponseShapeError],
  ["ObshellVersionError", new errors.ObshellVersionError("4.2.5.0", "4.2.6.0"), errors.isObshellVersionError],
  ["KeyPinMismatchError", new errors.KeyPinMismatchError(E, "ab"), errors.isKeyPinMismatchError],
  ["ConfigError", new errors.ConfigError("endpoint", "bad"), errors.isConfigError],
  ["DagFailedError", new errors.DagFailedError("failed", { dagId: "4", dagName: "n", state: "FAILED", operator: "RUN", failedTaskLogs: [], hint: "h", dag: dag({ state: "FAILED", stage: 1, nodes: null }) }), errors.isDagFailedError],
  ["DagTimeoutError", new errors.DagTimeoutError({ dagId: "4", dagName: "n", stage: 2, maxStage: 4, taskName: "Stop obproxy" }), errors.isDagTimeoutError],
];

describe("error hierarchy", () => {
  for (const [name, e, guard] of samples) {
    it(`${name}: literal name, an ObshellError, recognized by instance and by name`, () => {
      assert.equal(e.name, name);
      assert.ok(e instanceof errors.ObshellError && e instanceof Error);
      assert.ok(guard(e) && errors.isObshellError(e));
      // An error from another copy of the package: same name and brand, other class.
      const foreign = Object.assign(new Error("x"), { name, isObshellError: true });
      assert.ok(guard(foreign) && errors.isObshellError(foreign));
      assert.ok(!guard(new Error("x")) && !guard({ name }));
      // A name alone is not enough: "NetworkError" is also a DOMException name.
      assert.ok(!guard(Object.assign(new Error("x"), { name })) && !errors.isObshellError(Object.assign(new Error("x"), { name })));
    });
  }

  it("recognizes the errors of a second copy of the module, subclasses by their ancestors' names", () => {
    const file = require.resolve("../../../src/obshell/errors");
    const mine = require.cache[file];
    delete require.cache[file];
    const copy = require(file) as typeof errors;
    if (mine) require.cache[file] = mine;
    assert.notEqual(copy.NetworkError, errors.NetworkError);
    const timeout = new copy.RequestTimeoutError(E, 100, "GET /p");
    assert.ok(!(timeout instanceof errors.NetworkError));
    assert.ok(errors.isObshellError(timeout) && errors.isNetworkError(timeout) && errors.isRequestTimeoutError(timeout));
    assert.ok(!errors.isObshellApiError(timeout) && !errors.isDagFailedError(timeout));
    assert.ok(copy.isNetworkError(new errors.NetworkError(E, "reset", "x")));
  });

  it("a RequestTimeoutError is a NetworkError of kind timeout", () => {
    const e = new errors.RequestTimeoutError(E, 100, "GET /p");
    assert.ok(errors.isNetworkError(e) && e.kind === "timeout" && e.message.includes(E));
  });

  it("keeps the cause and composes the API message with code and hint", () => {
    const cause = new Error("inner");
    const e = new errors.ObshellApiError({ ...api, hint: "fix NTP" }, { cause });
    assert.equal(e.cause, cause);
    assert.equal(e.message, "GET /p failed: 401 Security.Authentication.Expired: Unauthorized: Authentication expired. fix NTP");
    assert.equal(new errors.ObshellApiError({ ...api, errCode: undefined }).message.includes(" 10008: "), true);
  });

  it("a DagTimeoutError says where it stopped and that the DAG keeps running", () => {
    assert.match(samples[8][1].message, /n 4 still running at stage 2\/4 \(Stop obproxy\) at the deadline; it keeps running/);
  });
});

describe("transport failure classification", () => {
  const coded = (code: string, message = "x") => Object.assign(new Error(message), { code });
  for (const [code, kind] of [
    ["ECONNREFUSED", "refused"], ["ECONNRESET", "reset"], ["UND_ERR_SOCKET", "reset"], ["ENOTFOUND", "dns"],
    ["UND_ERR_CONNECT_TIMEOUT", "timeout"], ["DEPTH_ZERO_SELF_SIGNED_CERT", "tls"], ["ERR_TLS_CERT_ALTNAME_INVALID", "tls"], ["EWHATEVER", "other"],
  ] as const) {
    it(`${code} → ${kind}`, () => assert.equal(classifyNetworkError(coded(code)), kind));
  }

  it("looks through cause chains", () => {
    assert.equal(classifyNetworkError(Object.assign(new TypeError("fetch failed"), { cause: coded("ECONNREFUSED") })), "refused");
  });

  it("only refused, reset, timeouts and 502/503/504 are transient", () => {
    assert.ok(isTransient(new errors.NetworkError(E, "reset", "x")));
    assert.ok(isTransient(new errors.RequestTimeoutError(E, 1, "x")));
    assert.ok(!isTransient(new errors.NetworkError(E, "tls", "x")));
    assert.ok(!isTransient(new errors.NetworkError(E, "aborted", "x")));
    for (const status of [502, 503, 504]) assert.ok(isTransient(new errors.ObshellApiError({ ...api, status })));
    for (const status of [500, 401, 404]) assert.ok(!isTransient(new errors.ObshellApiError({ ...api, status })));
  });

  it("backs off exponentially from 200 ms with ±50 % jitter, capped at 2 s", () => {
    assert.deepEqual([0, 1, 2, 3, 4].map((a) => retryDelayMs(a, () => 0.5)), [200, 400, 800, 1_600, 2_000]);
    assert.equal(retryDelayMs(0, () => 0), 100);
    assert.equal(retryDelayMs(10, () => 0.999), 2_998);
  });
});

describe("the secret scan used by these tests", () => {
  it("finds a registered secret in a nested cause, a field or a log line", async () => {
    const { assertNoSecrets, secret } = await import("../../helpers/secrets");
    const s = secret("Scan-Self-Test-Pw");
    const inner = new errors.ObshellError(`contains ${s}`);
    assert.throws(() => assertNoSecrets(new errors.ObshellError("outer", { cause: inner })), /leaked/);
    assert.throws(() => assertNoSecrets(Object.assign(new Error("x"), { field: { deep: [s] } })), /leaked/);
    assert.throws(() => assertNoSecrets(`GET /x ${s}`, "log line"), /leaked into a log line/);
    assert.doesNotThrow(() => assertNoSecrets(new errors.ConfigError("agentPassword", "missing")));
  });
});

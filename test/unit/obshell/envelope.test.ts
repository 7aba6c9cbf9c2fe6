import assert from "node:assert/strict";
import { parseAnswer, parseData } from "../../../src/obshell/envelope";
import { isObshellApiError, isResponseShapeError, type ObshellApiError } from "../../../src/obshell/errors";
import { isHeaderDecryptFailure, isHeaderExpired } from "../../../src/obshell/hints";
import { AgentTimeSchema, DagDetailSchema } from "../../../src/obshell/schemas";
import { deleteDag } from "../../helpers/dags";

const at = { method: "POST", target: "/api/v1/obproxy/stop" };
const res = (status: number, body: unknown, raw = false) => ({
  status, contentType: "application/json", body: Buffer.from(raw ? String(body) : JSON.stringify(body)),
});
const env = (status: number, extra: object) => ({ successful: status < 400, timestamp: "2026-05-11T10:35:17.123456789+08:00", duration: 3, status, traceId: "", ...extra });

function apiError(status: number, error: object): ObshellApiError {
  try {
    parseAnswer(res(status, env(status, { error })), at);
  } catch (e) {
    assert.ok(isObshellApiError(e));
    return e;
  }
  assert.fail("no error");
}

describe("envelope: both generations", () => {
  it("parses ≥4.3.1 errCode errors with legacy code and a hint", () => {
    const e = apiError(401, { code: 10008, errCode: "Security.Authentication.IncorrectAgentPassword", message: "Unauthorized: Agent password is incorrect" });
    assert.equal(e.status, 401);
    assert.equal(e.errCode, "Security.Authentication.IncorrectAgentPassword");
    assert.equal(e.code, 10008);
    assert.equal(e.path, "/api/v1/obproxy/stop");
    assert.match(e.hint ?? "", /agent password is wrong/);
  });

  it("parses ≤4.3.0 numeric-only errors and still finds hints in the message", () => {
    const e = apiError(401, { code: 10008, message: "Verification failed: agent password not init" });
    assert.equal(e.errCode, undefined);
    assert.equal(e.code, 10008);
    assert.match(e.hint ?? "", /POST \/api\/v1\/agent\/password/);
    const m = apiError(400, { code: 1000, message: "Bad request: agent has already managed obproxy" });
    assert.match(m.hint ?? "", /adopt/);
  });

  const hints: Array<[string, RegExp]> = [
    ["Security.Authentication.AgentPasswordNotInitialized", /agent\/password/],
    ["Security.Authentication.Expired", /clock/],
    ["Security.Authentication.Header.UriMismatch", /proxy/],
    ["OBProxy.AlreadyManaged", /adopt/],
    ["Agent.UnderMaintenance", /another OBProxy task/],
  ];
  for (const [errCode, re] of hints) {
    it(`hints for ${errCode}`, () => assert.match(apiError(500, { errCode, message: "x" }).hint ?? "", re));
  }

  it("recognizes decrypt failures and expiry in every generation", () => {
    assert.ok(isHeaderDecryptFailure({ errCode: "Security.Authentication.Header.DecryptFailed", apiMessage: "" }));
    assert.ok(isHeaderDecryptFailure({ code: 1, apiMessage: "" }));
    assert.ok(isHeaderDecryptFailure({ code: 10008, apiMessage: "Verification failed: header decrypt failed" }));
    assert.ok(!isHeaderDecryptFailure({ code: 10008, errCode: "Security.Authentication.Expired", apiMessage: "decrypt" }));
    assert.ok(isHeaderExpired({ errCode: "Security.Authentication.Expired", code: 10008, apiMessage: "" }));
    assert.ok(isHeaderExpired({ code: 10008, apiMessage: "Verification failed: auth expired" }));
    // ≤4.3.0 body decrypt failures also say "decrypt", but a new key would not cure them.
    assert.ok(!isHeaderDecryptFailure({ code: 10008, apiMessage: "Verification failed: body decrypt failed" }));
    assert.ok(!isHeaderExpired({ code: 10008, apiMessage: "Verification failed: access denied: agent password is incorrect" }));
  });

  // The ≤4.3.0 free texts (4.2.6.0 middleware): only the numeric code and the message say what went wrong.
  const legacy: Array<[number, number, string, RegExp | undefined]> = [
    [401, 10008, "Verification failed: agent password is not initialized", /agent\/password/],
    [401, 10008, "Verification failed: access denied: agent password is incorrect", /password is wrong/],
    [401, 10008, "Verification failed: auth expired", /clock/],
    [401, 10008, "Verification failed: uri mismatch", /proxy/],
    [401, 10008, "Verification failed: header decrypt failed", /decrypt/],
    [401, 10008, "Verification failed: body decrypt failed", undefined],
    [500, 2301, "Create task failed: 127.0.0.1:2886 is under maintenance", /another OBProxy task/],
    [400, 1000, "Bad request: This is not an obproxy agent", /manages no OBProxy/],
  ];
  for (const [status, code, message, re] of legacy) {
    it(`≤4.3.0 ${code} "${message}" → ${re ?? "no hint"}`, () => {
      const e = apiError(status, { code, message });
      if (re) assert.match(e.hint ?? "", re);
      else assert.equal(e.hint, undefined);
    });
  }

  it("treats 204 as no content", () => {
    assert.deepEqual(parseAnswer({ status: 204, contentType: "", body: Buffer.alloc(0) }, at), { status: 204 });
  });

  it("a successful envelope with the wrong data shape is a ResponseShapeError naming the field", () => {
    const bad = { ...deleteDag(1, "RUNNING"), state: "WEIRD" };
    const answer = parseAnswer(res(200, env(200, { data: bad })), at);
    assert.throws(() => parseData(DagDetailSchema, answer, at), (e: Error) => isResponseShapeError(e) && /state/.test(e.message));
  });

  it("parses /time data (RFC 3339 with nanoseconds)", () => {
    const answer = parseAnswer(res(200, env(200, { data: "2026-05-11T10:35:17.123456789+08:00" })), at);
    assert.equal(Date.parse(parseData(AgentTimeSchema, answer, at)), Date.UTC(2026, 4, 11, 2, 35, 17, 123));
  });

  for (const [what, r, re] of [
    ["non-JSON", res(200, "<html>hi</html>", true), /not JSON/],
    ["truncated JSON", res(200, '{"successful":true,"timest', true), /truncated/],
    ["empty body", res(200, "", true), /empty body/],
    ["a wrong envelope", res(200, { ok: true }), /not an obshell envelope: successful/],
  ] as const) {
    it(`${what} → ResponseShapeError`, () => assert.throws(() => parseAnswer(r, at), (e: Error) => isResponseShapeError(e) && re.test(e.message)));
  }

  it("a non-envelope 502 from a gateway is an ObshellApiError with its status", () => {
    assert.throws(() => parseAnswer(res(502, "Bad Gateway", true), at), (e: unknown) => isObshellApiError(e) && e.status === 502 && e.errCode === undefined);
  });
});

/**
 * Issue 9, item 6 (unit): `redactError` walks the whole error graph — causes, AggregateError members, cycles,
 * plain-data fields — in place, keeps the error's identity, and hides a partial failure's `properties` from
 * `util.inspect` while the plugin can still read them.
 */
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ObProxyError, asPartialFailure, isObProxyError } from "../../../src/provider/errors";
import { hasSecretParameter, redactError, secretValues } from "../../../src/provider/secrets";

const S = "Hunter2-secret-99";

describe("provider redactError", () => {
  it("redacts the whole error graph: cause chain, AggregateError errors, nested fields, cycles", () => {
    const leaf = Object.assign(new Error(`leaf ${S}`), { failedTaskLogs: [`cmd -o p=${S}`], dag: { nodes: [{ logs: [S] }] } });
    const agg = new AggregateError([leaf, new TypeError(`type ${S}`)], `agg ${S}`, { cause: new Error(`deep ${S}`) });
    const top = new ObProxyError("DagFailed", `top ${S}`, { cause: agg });
    (agg.cause as Error).cause = top; // a cycle
    const out = redactError(top, [S]);
    assert.equal(out, top, "in place");
    assert.ok(isObProxyError(out) && out instanceof ObProxyError && out.code === "DagFailed");
    const text = inspect(top, { depth: Infinity, showHidden: true });
    assert.ok(!text.includes(S), text);
    assert.match(text, /cmd -o p=\*\*\*/);
    assert.equal(leaf.message, "leaf ***");
  });

  it("keeps a partial failure's properties (state) intact and out of util.inspect", () => {
    const err = asPartialFailure(new Error(`failed ${S}`), "127.0.0.1:2886", { proxyroPassword: S, __provider: "P" });
    redactError(err, [S]);
    const partial = err as Error & { properties: Record<string, unknown>; reasons: string[] };
    assert.equal(partial.properties.proxyroPassword, S);
    assert.deepEqual(partial.reasons, ["failed ***"]);
    assert.ok(!inspect(err, { depth: Infinity }).includes(S));
  });

  it("treats password-like parameter keys as secrets (password, passwd, pwd, secret, token, credential, a 'key' word)", () => {
    for (const key of ["observer_sys_password", "PASSWD", "db_pwd", "client_secret", "auth_token", "credentials", "ssl_key", "key_file"]) {
      assert.ok(hasSecretParameter({ [key]: "x" }), key);
      assert.deepEqual(secretValues({ parameters: { [key]: "value-123" } }), ["value-123"], key);
    }
    for (const key of ["listen_port", "keepalive", "monkey_mode", "enable_compression"]) {
      assert.ok(!hasSecretParameter({ [key]: "x" }), key);
      assert.deepEqual(secretValues({ parameters: { [key]: "value-123" } }), [], key);
    }
  });
});

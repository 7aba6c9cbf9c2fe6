/**
 * Property tests of the provider's `check` with random and hostile inputs: it must answer with check failures only,
 * never throw, name the property at fault, tolerate preview's unknown sentinel anywhere, and never echo a value
 * (a password typed into the wrong field would be printed by the CLI).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkInputs } from "../../../src/provider/check";
import { createLifecycle } from "../../../src/provider/lifecycle";
import { UNKNOWN } from "../../../src/provider/types";

const VALID = { endpoint: "http://127.0.0.1:2886", homePath: "/home/admin/obproxy", rsList: "10.0.0.1:2881" };
const KEYS = ["endpoint", "agentPassword", "tls", "agentPublicKeyPin", "homePath", "name", "sqlPort", "rpcPort", "exporterPort", "rsList", "configUrl", "proxyroPassword", "obproxySysPassword", "parameters", "running", "adopt", "timeouts", "resourceName", "__provider"];
const PORTS = ["sqlPort", "rpcPort", "exporterPort"] as const;
const RUNS = { numRuns: 300 };
const lifecycle = createLifecycle({ sink: () => undefined });

/** Any JSON-ish value, deep and odd: what a program (or a corrupted state) may hand over. */
const anyValue = fc.oneof(
  fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: false }),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, "", " ", "\u0000", UNKNOWN, [UNKNOWN], { x: UNKNOWN }),
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.string({ minLength: 5_000, maxLength: 20_000 }),
);

async function assertOnlyFailures(news: Record<string, unknown>): Promise<{ property: string; reason: string }[]> {
  const direct = checkInputs(news); // throws → the property fails with the exception
  const viaEngine = await lifecycle.check({}, news);
  assert.ok(Array.isArray(viaEngine.failures));
  for (const f of [...direct, ...(viaEngine.failures ?? [])]) {
    assert.equal(typeof f.property, "string");
    assert.equal(typeof f.reason, "string");
    assert.doesNotMatch(f.reason, /internal error/);
  }
  return direct;
}

describe("provider check: properties", function () {
  this.timeout(60_000);

  it("never throws on random props, known keys or not, __proto__ and constructor included", async () => {
    const keys = fc.constantFrom(...KEYS, "__proto__", "constructor", "toString", "", "a,b", "x y");
    await fc.assert(fc.asyncProperty(fc.dictionary(keys, anyValue, { maxKeys: 12 }), async (news) => void (await assertOnlyFailures(news))), RUNS);
  });

  it("any value of a known key gives failures naming that key (or none), never an exception", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...KEYS), anyValue, async (key, value) => {
        const failures = await assertOnlyFailures({ ...VALID, [key]: value });
        for (const f of failures) assert.ok(f.property === key || f.property.startsWith(`${key}.`) || ["tls", "configUrl"].includes(f.property), `${key} → ${f.property}`);
      }),
      RUNS,
    );
  });

  it("ports out of range, not integers or not numbers fail on that port", async () => {
    const bad = fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65_536 }), fc.double({ noInteger: true }), fc.string(), fc.boolean(), fc.constant(null).map(() => [80]));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PORTS), bad, async (key, value) => {
        const failures = await assertOnlyFailures({ ...VALID, [key]: value });
        assert.ok(failures.some((f) => f.property === key), `${key}=${String(value)}: ${JSON.stringify(failures)}`);
      }),
      RUNS,
    );
  });

  it("home paths with '..' segments, relative, huge or non-ASCII fail on homePath", async () => {
    const segment = fc.stringMatching(/^[a-z0-9_]{1,8}$/);
    const dotdot = fc.tuple(fc.array(segment, { maxLength: 3 }), fc.array(segment, { maxLength: 3 })).map(([a, b]) => `/${[...a, "..", ...b].join("/")}`);
    const bad = fc.oneof(dotdot, segment, fc.string({ minLength: 4_097, maxLength: 6_000 }).map((s) => `/${s}`), fc.string({ unit: "grapheme", minLength: 1 }).map((s) => `/opt/${s}é`));
    await fc.assert(
      fc.asyncProperty(bad, async (homePath) => {
        const failures = await assertOnlyFailures({ ...VALID, homePath });
        assert.ok(failures.some((f) => f.property === "homePath"), `${homePath.slice(0, 80)}: ${JSON.stringify(failures)}`);
      }),
      RUNS,
    );
  });

  it("parameter keys with ',', '=' or spaces, and values with ',' or control characters, fail on that parameter", async () => {
    const hostileKey = fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom(",", "=", " ", "\t"), fc.string({ maxLength: 6 })).map(([a, c, b]) => `${a}${c}${b}`);
    const hostileValue = fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom(",", "\n", "\u0000"), fc.string({ maxLength: 6 })).map(([a, c, b]) => `${a}${c}${b}`);
    await fc.assert(
      fc.asyncProperty(hostileKey, hostileValue, async (key, value) => {
        const byKey = await assertOnlyFailures({ ...VALID, parameters: { [key]: "1" } });
        assert.ok(byKey.some((f) => f.property === `parameters.${key}`), `key ${JSON.stringify(key)}: ${JSON.stringify(byKey)}`);
        const byValue = await assertOnlyFailures({ ...VALID, parameters: { client_max_connections: value } });
        assert.ok(byValue.some((f) => f.property === "parameters.client_max_connections"), `value ${JSON.stringify(value)}`);
      }),
      RUNS,
    );
  });

  it("the unknown sentinel anywhere in valid inputs (top level or nested) is tolerated", async () => {
    const full: Record<string, unknown> = {
      ...VALID, name: "p1", sqlPort: 3883, rpcPort: 3885, exporterPort: 3884, agentPassword: "pw-123", proxyroPassword: "x", obproxySysPassword: "y",
      parameters: { enable_metadb_used: "false" }, timeouts: { create: "20m" }, running: true, adopt: false,
    };
    const path = fc.oneof(
      fc.constantFrom(...Object.keys(full)).map((k) => [k]),
      fc.constantFrom(["parameters", "enable_metadb_used"], ["timeouts", "create"], ["timeouts", "delete"], ["parameters", "listen_port"]),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(path, { minLength: 1, maxLength: 4 }), async (paths) => {
        const news = structuredClone(full);
        for (const p of paths) {
          if (p.length === 1) news[p[0]!] = UNKNOWN;
          else if (news[p[0]!] !== UNKNOWN) (news[p[0]!] as Record<string, unknown>)[p[1]!] = UNKNOWN;
        }
        assert.deepEqual(await assertOnlyFailures(news), []);
      }),
      RUNS,
    );
  });

  it("a failure reason never echoes the rejected value (it may be a misplaced password)", async () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{6,12}$/).map((s) => `Sec${s}9!,`);
    const keys = fc.constantFrom(...KEYS.filter((k) => k !== "__provider"));
    await fc.assert(
      fc.asyncProperty(keys, secret, async (key, value) => {
        for (const news of [{ ...VALID, [key]: value }, { ...VALID, parameters: { [value]: value } }, { ...VALID, tls: { ca: value } }, { ...VALID, timeouts: { delete: value } }]) {
          for (const f of await assertOnlyFailures(news)) assert.ok(!f.reason.includes(value), `${f.property}: ${f.reason}`);
        }
      }),
      RUNS,
    );
  });
});

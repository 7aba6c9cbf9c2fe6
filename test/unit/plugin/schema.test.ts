/**
 * The native plugin's package schema against the provider's own definitions: keys (the TypeScript tables in
 * src/plugin/schema.ts are already typed against ObProxyInputs/ObProxyOutputs), secrets, check rules and the
 * outputs the lifecycle really builds. A property added to one side and not the other fails here.
 */
import assert from "node:assert/strict";
import { checkInputs } from "../../../src/provider/check";
import { TIMEOUT_KEYS } from "../../../src/provider/durations";
import { buildOutputs } from "../../../src/provider/outputs";
import { SECRET_OUTPUT_KEYS } from "../../../src/provider/resource";
import { SCALAR_RULES, TLS_RULES } from "../../../src/provider/rules";
import { SECRET_INPUT_KEYS } from "../../../src/provider/types";
import {
  INPUT_PROPERTIES, OBPROXY_TOKEN, packageSchema, REQUIRED_INPUTS, schemaSecretKeys, TIMEOUT_PROPERTIES, TLS_PROPERTIES, type PropertySpec,
} from "../../../src/plugin/schema";

const sorted = (xs: Iterable<string>) => [...xs].sort();
const SAMPLE: Record<string, unknown> = { string: "x", integer: 2883, boolean: true };
const WRONG: Record<string, unknown> = { string: 12, integer: "2883", boolean: "true" };

describe("plugin: package schema (checked against src/provider)", () => {
  const schema = packageSchema("1.2.3") as any;
  const resource = schema.resources[OBPROXY_TOKEN];

  it("has the inputs check knows, except the hosts' own resourceName", () => {
    const checked = new Set([...Object.keys(SCALAR_RULES), "tls", "parameters", "timeouts"]);
    checked.delete("resourceName");
    assert.deepEqual(sorted(Object.keys(INPUT_PROPERTIES)), sorted(checked));
    assert.deepEqual(sorted(Object.keys(TLS_PROPERTIES)), sorted(Object.keys(TLS_RULES)));
    assert.deepEqual(sorted(Object.keys(TIMEOUT_PROPERTIES)), sorted(TIMEOUT_KEYS));
  });

  it("marks exactly the provider's secret keys secret, and the TLS private key", () => {
    assert.deepEqual(sorted(schemaSecretKeys()), sorted(SECRET_INPUT_KEYS));
    assert.deepEqual(sorted(schemaSecretKeys(resource.properties)), sorted(SECRET_OUTPUT_KEYS));
    assert.equal(TLS_PROPERTIES.key.secret, true);
    assert.equal(schema.config.variables.agentPassword.secret, true);
    assert.equal(schema.config.variables.tls.secret, true);
  });

  it("declares types the check rules agree with", () => {
    for (const [key, spec] of Object.entries(INPUT_PROPERTIES) as [string, PropertySpec][]) {
      const rule = SCALAR_RULES[key];
      if (!rule || !spec.type || spec.type === "object") continue;
      assert.ok(rule.safeParse(WRONG[spec.type]).success === false, `${key}: check accepts a non-${spec.type}`);
      if (spec.type !== "string") assert.ok(rule.safeParse(SAMPLE[spec.type]).success, `${key}: check refuses a ${spec.type}`);
    }
    const required = checkInputs({}).filter((f) => f.reason === "is required").map((f) => f.property);
    assert.deepEqual(sorted(required), sorted(REQUIRED_INPUTS));
    assert.deepEqual(sorted(resource.requiredInputs), sorted(REQUIRED_INPUTS));
  });

  it("describes every output the lifecycle builds, and every $ref resolves", () => {
    const inputs = Object.fromEntries(Object.keys(INPUT_PROPERTIES).map((k) => [k, k.endsWith("Port") ? 2883 : "x"])) as any;
    const outs = buildOutputs(inputs, {
      agent: { agentVersion: "4.5.0.0", agentIdentity: "SINGLE", agentAddress: "127.0.0.1:2886", managed: true },
      running: true,
      adopted: false,
      lastDag: { id: "1", name: "Add obproxy", state: "SUCCEED", operator: "RUN" },
    });
    for (const key of Object.keys(outs)) assert.ok(key in resource.properties, `output ${key} is not in the schema`);
    for (const key of resource.required) assert.ok(key in outs, `required output ${key} is not built`);
    const refs = JSON.stringify(schema).match(/#\/types\/[^"]+/g) ?? [];
    for (const r of refs) assert.ok(schema.types[r.slice("#/types/".length)], `${r} does not resolve`);
    assert.equal(schema.name, OBPROXY_TOKEN.split(":")[0]);
    assert.equal(schema.version, "1.2.3");
  });
});

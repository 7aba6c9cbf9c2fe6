/**
 * The Terraform schema is the lifecycle's inputs in HCL: exactly the keys `check` accepts (minus the Pulumi-only
 * ones), sensitive exactly where SECRET_INPUT_KEYS says, and values that round-trip between the two namings.
 */
import assert from "node:assert/strict";
import { SCALAR_RULES } from "../../../src/provider/rules";
import { SECRET_INPUT_KEYS, UNKNOWN } from "../../../src/provider/types";
import { TF_UNKNOWN } from "../../../src/terraform/cty";
import { COMPUTED_ONLY } from "../../../src/terraform/plan";
import { INPUT_FIELDS, RESOURCE_BLOCK, snakeCase } from "../../../src/terraform/schema";
import { attributePath, fromProps, toProps } from "../../../src/terraform/values";

describe("terraform: resource schema", () => {
  const inputNames = [
    ...RESOURCE_BLOCK.attributes.filter((a) => !COMPUTED_ONLY.includes(a.name)).map((a) => a.key),
    ...(RESOURCE_BLOCK.blocks ?? []).map((b) => b.key),
  ].sort();

  it("covers exactly the ObProxyInputs fields that check accepts, except the Pulumi-only ones", () => {
    const accepted = [...Object.keys(SCALAR_RULES), "tls", "parameters", "timeouts"].filter((k) => k !== "resourceName").sort();
    assert.deepEqual(inputNames, accepted);
    const exposed = Object.entries(INPUT_FIELDS).filter(([, v]) => v !== null).map(([k]) => k).sort();
    assert.deepEqual(inputNames, exposed);
  });

  it("marks sensitive exactly the secret inputs (every tls attribute, tls being secret as a whole)", () => {
    const sensitive = RESOURCE_BLOCK.attributes.filter((a) => a.sensitive).map((a) => a.key);
    const tls = RESOURCE_BLOCK.blocks!.find((b) => b.key === "tls")!;
    assert.deepEqual(sensitive.sort(), SECRET_INPUT_KEYS.filter((k) => k !== "tls").sort());
    assert.ok(tls.block.attributes.every((a) => a.sensitive));
    assert.ok(RESOURCE_BLOCK.blocks!.find((b) => b.key === "timeouts")!.block.attributes.every((a) => !a.sensitive));
  });

  it("names attributes in snake_case", () => {
    assert.equal(snakeCase("obproxySysPassword"), "obproxy_sys_password");
    assert.ok(RESOURCE_BLOCK.attributes.some((a) => a.name === "home_path" && a.required));
  });

  it("round-trips values, unknowns and nested blocks between Terraform objects and props", () => {
    const props = {
      endpoint: "http://127.0.0.1:2886",
      homePath: "/home/admin/obproxy",
      sqlPort: 3000,
      parameters: { a: "1", b: UNKNOWN },
      tls: { insecureSkipVerify: true },
      timeouts: { create: "5m" },
      rsList: UNKNOWN,
    };
    const obj = fromProps(RESOURCE_BLOCK, props);
    assert.equal(obj.rs_list, TF_UNKNOWN);
    assert.equal(obj.proxyro_password, null, "absent attributes are present as null");
    assert.deepEqual(obj.tls, { ca: null, cert: null, key: null, insecure_skip_verify: true });
    assert.deepEqual(toProps(RESOURCE_BLOCK, obj), props);
  });

  it("maps a lifecycle failure path to Terraform attribute steps", () => {
    assert.deepEqual(attributePath(RESOURCE_BLOCK, "tls.insecureSkipVerify"), [{ attribute_name: "tls" }, { attribute_name: "insecure_skip_verify" }]);
    assert.deepEqual(attributePath(RESOURCE_BLOCK, "parameters.listen_port"), [{ attribute_name: "parameters" }, { element_key_string: "listen_port" }]);
  });
});

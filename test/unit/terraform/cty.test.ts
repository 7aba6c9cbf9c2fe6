/** cty msgpack as Terraform writes it: unknown (ext 0), refined unknown (ext 12), objects with every attribute. */
import assert from "node:assert/strict";
import { decodeValue, encodeValue, shapeObject, TF_UNKNOWN } from "../../../src/terraform/cty";
import { RESOURCE_BLOCK } from "../../../src/terraform/schema";

describe("terraform: cty msgpack values", () => {
  it("encodes unknown as cty does (fixext1 type 0: d4 00 00) and decodes it back", () => {
    assert.equal(encodeValue(TF_UNKNOWN).toString("hex"), "d40000");
    assert.equal(decodeValue(Buffer.from("d40000", "hex")), TF_UNKNOWN);
  });

  it("decodes a refined unknown (ext 12, Terraform ≥ 1.11) as unknown", () => {
    // {1: false (not null), 2: "b-of-"} as Terraform 1.11 sent it for "b-of-${a.id}".
    const refinement = Buffer.from("8201c202a5622d6f662d", "hex");
    const ext = Buffer.concat([Buffer.from([0xc7, refinement.length, 12]), refinement]);
    const map = Buffer.concat([Buffer.from("81a46e616d65", "hex"), ext]); // {"name": <ext 12>}
    assert.deepEqual(decodeValue(map), { name: TF_UNKNOWN });
  });

  it("decodes nil and empty bytes as null", () => {
    assert.equal(decodeValue(Buffer.from("c0", "hex")), null);
    assert.equal(decodeValue(Buffer.alloc(0)), null);
  });

  it("shapes an object with every attribute and block of the schema", () => {
    const shaped = shapeObject(RESOURCE_BLOCK, { home_path: "/h", extra: "dropped" }) as Record<string, unknown>;
    const expected = [...RESOURCE_BLOCK.attributes.map((a) => a.name), ...RESOURCE_BLOCK.blocks!.map((b) => b.name)].sort();
    assert.deepEqual(Object.keys(shaped).sort(), expected);
    assert.equal(shaped.home_path, "/h");
    assert.equal(shaped.tls, null);
    const roundTrip = decodeValue(encodeValue(shaped as never));
    assert.deepEqual(roundTrip, shaped);
  });
});

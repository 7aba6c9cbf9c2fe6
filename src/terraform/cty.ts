/**
 * cty values in msgpack, as Terraform sends them in a DynamicValue. Null is nil; an unknown value is msgpack
 * extension type 0, and a *refined* unknown (Terraform ≥ 1.11: "not null", "starts with …", bounds) is extension
 * type 12. We never need the refinements: a refined unknown is decoded as plain unknown, which only loses detail.
 * Objects must carry exactly the attributes and blocks of their schema (Terraform rejects one missing, naming no
 * attribute), so encoding always goes through `shapeObject`, which fills absent ones with null.
 */
import { decode, encode, ExtensionCodec } from "@msgpack/msgpack";
import type { BlockSpec, CtyType } from "./schema";

/** A value Terraform does not know yet (during validate and plan). */
export const TF_UNKNOWN: unique symbol = Symbol("tf-unknown");
export type TfUnknown = typeof TF_UNKNOWN;

/** A decoded cty value: plain JSON-like data, with TF_UNKNOWN where a value is unknown. */
export type TfValue = null | string | number | boolean | TfUnknown | TfValue[] | { [key: string]: TfValue };
export type TfObject = { [key: string]: TfValue };

const EXT_UNKNOWN = 0;
const EXT_REFINED_UNKNOWN = 12;

const codec = new ExtensionCodec();
codec.register({
  type: EXT_UNKNOWN,
  // cty writes a fixext1 whose one byte is zero: d4 00 00.
  encode: (value: unknown) => (value === TF_UNKNOWN ? new Uint8Array([0]) : null),
  decode: () => TF_UNKNOWN,
});
codec.register({ type: EXT_REFINED_UNKNOWN, encode: () => null, decode: () => TF_UNKNOWN });

/** True for an unknown value. */
export function isUnknown(value: unknown): value is TfUnknown {
  return value === TF_UNKNOWN;
}

/** True when the value is or contains an unknown. */
export function containsTfUnknown(value: unknown): boolean {
  if (value === TF_UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsTfUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsTfUnknown);
  return false;
}

/** Decodes a DynamicValue's msgpack bytes; empty or absent bytes are null. */
export function decodeValue(bytes: Uint8Array | undefined | null): TfValue {
  if (!bytes || bytes.length === 0) return null;
  return decode(bytes, { extensionCodec: codec }) as TfValue;
}

/** Encodes a value already shaped by its schema. */
export function encodeValue(value: TfValue): Buffer {
  const bytes = encode(value, { extensionCodec: codec, ignoreUndefined: false });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A value of the given cty type with exactly the attributes its type has (objects), null for absent ones. */
export function shapeValue(type: CtyType, value: unknown): TfValue {
  if (value === undefined || value === null) return null;
  if (value === TF_UNKNOWN) return TF_UNKNOWN;
  if (Array.isArray(type) && type[0] === "object") {
    const attrs = type[1];
    const source = value as Record<string, unknown>;
    return Object.fromEntries(Object.entries(attrs).map(([name, t]) => [name, shapeValue(t, source[name])]));
  }
  if (Array.isArray(type) && type[0] === "map") {
    const source = value as Record<string, unknown>;
    return Object.fromEntries(Object.entries(source).map(([k, v]) => [k, shapeValue(type[1], v)]));
  }
  return value as TfValue;
}

/** An object of a block with exactly its attributes and nested (SINGLE) blocks; null stays null. */
export function shapeObject(block: BlockSpec, value: TfValue | undefined): TfValue {
  if (value === undefined || value === null) return null;
  if (value === TF_UNKNOWN) return TF_UNKNOWN;
  const source = value as TfObject;
  const out: TfObject = {};
  for (const attr of block.attributes) out[attr.name] = shapeValue(attr.type, source[attr.name]);
  for (const nested of block.blocks ?? []) out[nested.name] = shapeObject(nested.block, source[nested.name]);
  return out;
}

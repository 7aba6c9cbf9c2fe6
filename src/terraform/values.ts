/**
 * Converting between Terraform objects (snake_case, null for "not set", TF_UNKNOWN) and the lifecycle's props
 * (camelCase, absent for "not set", the lifecycle's UNKNOWN sentinel during plan). The one place names are mapped.
 */
import { UNKNOWN } from "../provider/types";
import { isUnknown, shapeObject, TF_UNKNOWN, type TfObject, type TfValue } from "./cty";
import type { BlockSpec } from "./schema";

type Props = Record<string, unknown>;

/** Lifecycle value of a Terraform value: unknowns become the lifecycle's sentinel, nulls disappear. */
function toLifecycle(value: TfValue): unknown {
  if (isUnknown(value)) return UNKNOWN;
  if (Array.isArray(value)) return value.map(toLifecycle);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, toLifecycle(v)]));
  }
  return value;
}

/** Terraform value of a lifecycle value: the sentinel becomes unknown, undefined becomes null. */
function toTerraform(value: unknown): TfValue {
  if (value === undefined || value === null) return null;
  if (value === UNKNOWN) return TF_UNKNOWN;
  if (Array.isArray(value)) return value.map(toTerraform);
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toTerraform(v)]));
  return value as TfValue;
}

/** Props of a Terraform object of this block (config, plan or state); `skip` names attributes left out. */
export function toProps(block: BlockSpec, value: TfValue, skip: readonly string[] = []): Props {
  if (value === null || isUnknown(value)) return {};
  const obj = value as TfObject;
  const props: Props = {};
  for (const attr of block.attributes) {
    const v = obj[attr.name];
    if (v === null || v === undefined || skip.includes(attr.name)) continue;
    props[attr.key] = toLifecycle(v);
  }
  for (const nested of block.blocks ?? []) {
    const v = obj[nested.name];
    if (v === null || v === undefined) continue;
    props[nested.key] = isUnknown(v) ? UNKNOWN : toProps(nested.block, v);
  }
  return props;
}

/** The Terraform object of this block for these props, with every attribute and block present. */
export function fromProps(block: BlockSpec, props: Props): TfObject {
  const obj: TfObject = {};
  for (const attr of block.attributes) obj[attr.name] = toTerraform(props[attr.key]);
  for (const nested of block.blocks ?? []) {
    const v = props[nested.key];
    obj[nested.name] = v === undefined || v === null ? null : v === UNKNOWN ? TF_UNKNOWN : fromProps(nested.block, v as Props);
  }
  return shapeObject(block, obj) as TfObject;
}

/** The property path of a lifecycle failure ("tls.key", "parameters.listen_port") as Terraform path steps. */
export function attributePath(block: BlockSpec, property: string): { attribute_name?: string; element_key_string?: string }[] {
  if (!property) return [];
  const [head, ...rest] = property.split(".");
  const attr = block.attributes.find((a) => a.key === head);
  if (attr) return [{ attribute_name: attr.name }, ...rest.map((k) => ({ element_key_string: k }))];
  const nested = (block.blocks ?? []).find((b) => b.key === head);
  if (!nested) return [{ attribute_name: head! }];
  return [{ attribute_name: nested.name }, ...attributePath(nested.block, rest.join("."))];
}

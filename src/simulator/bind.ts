/**
 * gin's `c.BindJSON` for the simulator's request structs: Go `encoding/json` type rules (null leaves a value unset,
 * a wrong JSON type fails), then `binding:"required"` (a zero value fails). Failures become 400 Common.BindJsonFailed
 * with Go's text.
 */
import { goJsonSyntaxError } from "./go-decode";
import { E } from "./sim-errors";

/** A struct field: JSON key, Go name and type. */
export interface BindField {
  json: string;
  go: string;
  type: "string" | "int" | "map";
  required?: boolean;
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return "array";
  return v === null ? "null" : typeof v === "object" ? "object" : typeof v;
}

function goType(t: BindField["type"]): string {
  return t === "int" ? "int" : t === "map" ? "map[string]string" : "string";
}

/** Decodes `body` into a plain object with only the declared keys; absent/null keys are left out. */
export function bindJson(body: Buffer, struct: string, fields: BindField[]): Record<string, unknown> {
  const text = body.toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw E.bindJson(goJsonSyntaxError(text));
  }
  if (jsonType(parsed) !== "object") throw E.bindJson(`json: cannot unmarshal ${jsonType(parsed)} into Go value of type param.${struct}`);
  const src = parsed as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(src)) {
    const f = fields.find((x) => x.json === key) ?? fields.find((x) => x.json.toLowerCase() === key.toLowerCase());
    if (!f || value === null) continue;
    checkType(f, value, struct);
    out[f.json] = value;
  }
  for (const f of fields) {
    const v = out[f.json];
    if (f.required && (v === undefined || v === "" || v === 0)) {
      throw E.bindJson(`Key: '${struct}.${f.go}' Error:Field validation for '${f.go}' failed on the 'required' tag`);
    }
  }
  return out;
}

function checkType(f: BindField, value: unknown, struct: string): void {
  const t = jsonType(value);
  const fail = (what: string) => E.bindJson(`json: cannot unmarshal ${what} into Go struct field ${struct}.${f.json} of type ${goType(f.type)}`);
  if (f.type === "string" && t !== "string") throw fail(t);
  if (f.type === "int" && (t !== "number" || !Number.isInteger(value))) throw fail(t === "number" ? `number ${String(value)}` : t);
  if (f.type === "map") {
    if (t !== "object") throw fail(t);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v !== "string") throw E.bindJson(`json: cannot unmarshal ${jsonType(v)} into Go struct field ${struct}.${f.json}.${k} of type string`);
    }
  }
}

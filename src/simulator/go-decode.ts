/**
 * Go standard-library decoding quirks the agent relies on (protocol §2.3, §2.4, §2.6): `encoding/json` field
 * matching (exact name first, then case folding; unknown keys ignored; a wrong JSON type fails the whole decode) and
 * `encoding/base64` StdEncoding, both the strict form (header `Keys`) and the partial form the body decrypt ignores
 * errors of. Error texts imitate Go's so log lines and messages read the same.
 */

/** The decoded `secure.HttpHeader`. */
export interface GoHttpHeader {
  Auth: string;
  Ts: string;
  Uri: string;
  /** `[]byte`: null when absent or JSON null. */
  Keys: Buffer | null;
  SessionId: string;
  /** Which JSON key matched each field, for the request log (e.g. `ts` or `Ts`). */
  matchedKeys: string[];
}

const STRING_FIELDS = ["Auth", "Ts", "Uri", "Token", "Sha256"] as const;
const FIELDS = [...STRING_FIELDS, "Keys", "session_id", "ssotoken", "ForwardType", "ForwardAgent"] as const;

/** Go's field lookup: an exact match wins, otherwise the first case-insensitive one. */
function matchField(key: string): string | undefined {
  const exact = FIELDS.find((f) => f === key);
  if (exact) return exact;
  return FIELDS.find((f) => f.toLowerCase() === key.toLowerCase());
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v === "object" ? "object" : typeof v;
}

/** Decodes the header JSON like `json.Unmarshal(data, &HttpHeader{})`. Throws an Error with Go's message. */
export function decodeGoHeader(json: string): GoHttpHeader {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error(goJsonSyntaxError(json));
  }
  if (typeName(parsed) !== "object") throw new Error(`json: cannot unmarshal ${typeName(parsed)} into Go value of type secure.HttpHeader`);
  const out: GoHttpHeader = { Auth: "", Ts: "", Uri: "", Keys: null, SessionId: "", matchedKeys: [] };
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const field = matchField(key);
    if (!field) continue;
    out.matchedKeys.push(key);
    if (value === null) {
      if (field === "Keys") out.Keys = null;
      continue;
    }
    const t = typeName(value);
    if (field === "ForwardType") {
      if (t !== "number") throw new Error(`json: cannot unmarshal ${t} into Go struct field HttpHeader.${field} of type int`);
      continue;
    }
    if (field === "ForwardAgent") {
      if (t !== "object") throw new Error(`json: cannot unmarshal ${t} into Go struct field HttpHeader.${field} of type meta.AgentInfo`);
      continue;
    }
    if (t !== "string") throw new Error(`json: cannot unmarshal ${t} into Go struct field HttpHeader.${field} of type ${field === "Keys" ? "[]uint8" : "string"}`);
    const s = value as string;
    if (field === "Keys") out.Keys = decodeStdBase64Strict(s);
    else if (field === "Auth") out.Auth = s;
    else if (field === "Ts") out.Ts = s;
    else if (field === "Uri") out.Uri = s;
    else if (field === "session_id") out.SessionId = s;
  }
  return out;
}

/** A Go-like JSON syntax error message (`invalid character 'x' looking for beginning of value`). */
export function goJsonSyntaxError(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed.length === 0) return "unexpected end of JSON input";
  const c = trimmed[0]!;
  if (!'{["-0123456789tfn'.includes(c)) return `invalid character ${goQuoteChar(c)} looking for beginning of value`;
  return "unexpected end of JSON input";
}

function goQuoteChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20 || code > 0x7e) return `'\\x${code.toString(16).padStart(2, "0")}'`;
  return c === "'" ? "'\\''" : `'${c}'`;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_MAP = new Map([...B64].map((c, i) => [c, i] as const));

/**
 * `base64.StdEncoding.DecodeString`: returns the bytes of the complete quanta decoded before the first error, and
 * the error message (or undefined). `\r` and `\n` are skipped; padding is required.
 */
export function decodeStdBase64Partial(text: string): { bytes: Buffer; error?: string } {
  const out: number[] = [];
  let si = 0;
  while (si < text.length) {
    const vals: number[] = [];
    let dlen = 4;
    let err: string | undefined;
    for (let j = 0; j < 4; j++) {
      if (si === text.length) {
        if (j === 0) return { bytes: Buffer.from(out) };
        return { bytes: Buffer.from(out), error: `illegal base64 data at input byte ${si - j}` };
      }
      const ch = text[si++]!;
      const v = B64_MAP.get(ch);
      if (v !== undefined) {
        vals.push(v);
        continue;
      }
      if (ch === "\n" || ch === "\r") {
        j--;
        continue;
      }
      if (ch !== "=" || j < 2) return { bytes: Buffer.from(out), error: `illegal base64 data at input byte ${si - 1}` };
      // Padding: "==" after two symbols, "=" after three, then nothing else may follow.
      if (j === 2) {
        while (si < text.length && (text[si] === "\n" || text[si] === "\r")) si++;
        if (text[si] !== "=") return { bytes: Buffer.from(out), error: `illegal base64 data at input byte ${si}` };
        si++;
      }
      while (si < text.length && (text[si] === "\n" || text[si] === "\r")) si++;
      if (si < text.length) err = `illegal base64 data at input byte ${si}`;
      dlen = j;
      break;
    }
    while (vals.length < 4) vals.push(0);
    const val = (vals[0]! << 18) | (vals[1]! << 12) | (vals[2]! << 6) | vals[3]!;
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    out.push(...bytes.slice(0, dlen - 1));
    if (err || dlen < 4) return { bytes: Buffer.from(out), error: err };
  }
  return { bytes: Buffer.from(out) };
}

/** Strict StdEncoding decode (the header `Keys` field): throws Go's error on any invalid input. */
export function decodeStdBase64Strict(text: string): Buffer {
  const { bytes, error } = decodeStdBase64Partial(text);
  if (error) throw new Error(error);
  return bytes;
}

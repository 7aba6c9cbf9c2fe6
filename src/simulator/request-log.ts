/**
 * The simulator's request log: what each request asked and got, never a secret (no `auth`, no AES keys, passwords
 * in bodies redacted).
 */
import type { PipelineResult } from "./pipeline";

/** One logged request. */
export interface RequestLogEntry {
  method: string;
  /** Path with query, as sent. */
  path: string;
  status: number;
  errCode?: string;
  /** `X-OCS-Agent-Header` or `X-OCS-Header` when one was decrypted. */
  header?: string;
  /** Decrypted header fields except `auth`; `keysBytes` is the length of Keys (null = JSON null/absent). */
  headerFields?: { ts: string; uri: string; keysBytes: number | null; jsonKeys: string[] };
  /** Request body JSON with every `*password*` value replaced by "******"; a string for non-JSON bodies. */
  body?: unknown;
  /** Simulator clock time (epoch ms, without the agent skew) at which the answer was sent. */
  time: number;
  /** Simulator clock time at which the request arrived (its headers were read). */
  receivedAt: number;
  /** What a fault did instead of a normal answer. */
  fault?: string;
}

/** Replaces password values anywhere in a JSON value. */
export function redactPasswords(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactPasswords);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, /password/i.test(k) && x !== null && x !== "" ? "******" : redactPasswords(x)]));
  }
  return v;
}

function loggedBody(body: Buffer | undefined): unknown {
  if (!body || body.length === 0) return undefined;
  const text = body.toString("utf8");
  try {
    return redactPasswords(JSON.parse(text));
  } catch {
    return `<${body.length} bytes, not JSON>`;
  }
}

/** Builds the log entry of a pipeline result. */
export function logEntry(method: string, path: string, r: PipelineResult, time: number, receivedAt: number): RequestLogEntry {
  const e: RequestLogEntry = { method, path, status: r.status, time, receivedAt };
  if (r.errCode) e.errCode = r.errCode;
  if (r.header) {
    const f = r.header.fields;
    e.header = r.header.name;
    e.headerFields = { ts: f.Ts, uri: f.Uri, keysBytes: f.Keys ? f.Keys.length : null, jsonKeys: f.matchedKeys };
  }
  const body = loggedBody(r.plainBody);
  if (body !== undefined && !(typeof body === "object" && body && Object.keys(body).length === 0 && r.plainBody?.toString() === "{}")) e.body = body;
  return e;
}

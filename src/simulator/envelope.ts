/**
 * The response envelope (`OcsAgentResponse`, protocol §1.2), rendered per agent version generation. Built through
 * `EnvelopeSchema` so the simulator can never drift from what the client parses.
 */
import { EnvelopeSchema, ErrCode, compareVersions, type Envelope } from "../obshell/schemas";
import { formatGoTime } from "./clock";
import { SimApiError } from "./sim-errors";

/** Wire generations (§0): numeric codes, string errCodes, and 1024-bit keys + DecryptFailed code 1. */
export type Generation = "numeric" | "errcode" | "errcode-1024";

/** The generation an agent version speaks. */
export function generationOf(version: string): Generation {
  if (compareVersions(version, "4.3.1.0") < 0) return "numeric";
  if (compareVersions(version, "4.4.2.0") < 0) return "errcode";
  return "errcode-1024";
}

/** A rendered response: HTTP status, body (undefined = no body, e.g. 204) and the errCode for the request log. */
export interface SimResponse {
  status: number;
  body?: string;
  errCode?: string;
  /** gin's default content type is used when the request was aborted before SetContentType (§1.2). */
  contentType?: string;
}

interface RenderContext {
  generation: Generation;
  nowMs: number;
  startedMs: number;
  traceId: string;
}

interface EnvelopeBase {
  successful: boolean;
  status: number;
  data?: unknown;
  error?: { code?: number; errCode?: string; message: string };
}

function envelope(base: EnvelopeBase, ctx: RenderContext): string {
  // Key order matters for byte-level fidelity: successful, timestamp, duration, status, traceId, data, error.
  const obj: Envelope = {
    successful: base.successful,
    timestamp: formatGoTime(ctx.nowMs),
    duration: Math.max(0, Math.round(ctx.nowMs - ctx.startedMs)),
    status: base.status,
    traceId: ctx.traceId,
  };
  if (base.data !== undefined && base.data !== null) obj.data = base.data;
  if (base.error) obj.error = base.error;
  return JSON.stringify(EnvelopeSchema.parse(obj));
}

/** A success envelope; `data` undefined means the key is omitted (Go nil). Arrays are wrapped as `{contents}`. */
export function renderSuccess(data: unknown, ctx: RenderContext): SimResponse {
  const wrapped = Array.isArray(data) ? { contents: data } : data;
  return { status: 200, body: envelope({ successful: true, status: 200, data: wrapped }, ctx) };
}

/** An error envelope in the version's generation. `dataNull` keeps `"data": null` (package upload, §4.6). */
export function renderError(err: SimApiError, ctx: RenderContext, dataNull = false): SimResponse {
  if (ctx.generation === "numeric") {
    const n = err.numeric;
    const body = envelope({ successful: false, status: n.status, error: { code: n.code, message: n.message } }, ctx);
    return { status: n.status, body: dataNull ? injectNullData(body) : body, errCode: String(n.code) };
  }
  let legacy = err.legacyCode;
  // The DecryptFailed legacy code 1 only exists from 4.4.2.0 (§2.6).
  if (err.errCode === ErrCode.HeaderDecryptFailed && ctx.generation !== "errcode-1024") legacy = undefined;
  const error: EnvelopeBase["error"] = legacy ? { code: legacy, errCode: err.errCode, message: err.message } : { errCode: err.errCode, message: err.message };
  const body = envelope({ successful: false, status: err.status, error }, ctx);
  return { status: err.status, body: dataNull ? injectNullData(body) : body, errCode: err.errCode };
}

function injectNullData(body: string): string {
  return body.replace(/,"error":/, ',"data":null,"error":');
}

/**
 * The recovery middleware's pre-built panic body (§1.2): 500, Common.Unexpected "Unexpected error: Internal Server
 * Error", timestamp frozen at agent start, duration 0, traceId "".
 */
export function renderPanic(generation: Generation, agentStartMs: number): SimResponse {
  const error = generation === "numeric" ? { code: 1002, message: "Unexpected error: Internal Server Error" } : { errCode: ErrCode.Unexpected, message: "Unexpected error: Internal Server Error" };
  const body = JSON.stringify({ successful: false, timestamp: formatGoTime(agentStartMs), duration: 0, status: 500, traceId: "", error });
  return { status: 500, body, errCode: generation === "numeric" ? "1002" : ErrCode.Unexpected };
}

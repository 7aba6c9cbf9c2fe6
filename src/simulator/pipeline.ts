/**
 * One `/api/v1` request through obshell's middleware order (§1.1): HeaderDecrypt → BodyDecrypt → PaddingBody →
 * trace id → route → Verify → handler → envelope. No HTTP here: the server feeds it a parsed request and writes back
 * the `SimResponse`. Recovery turns a GoPanic into the fixed panic body.
 */
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { TRACE_HEADER } from "../obshell/schemas";
import { renderError, renderPanic, renderSuccess, type SimResponse } from "./envelope";
import { matchRoute, type SimRequest } from "./routes";
import { GoPanic, decryptRequestBody, decryptRequestHeader, verifyRequest, type DecryptedHeader } from "./secure";
import { E, SimApiError } from "./sim-errors";
import type { AgentState } from "./state";

/** Request as read from the socket. */
export interface RawRequest {
  method: string;
  uri: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The response plus what the request log needs. */
export interface PipelineResult extends SimResponse {
  header?: DecryptedHeader;
  /** Decrypted (or plain) body, for the redacted log. */
  plainBody?: Buffer;
}

const GIN_DEFAULT_JSON = "application/json; charset=utf-8";

function headerGetter(headers: IncomingHttpHeaders) {
  return (name: string) => {
    const v = headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
}

/** Runs the pipeline; never throws. */
export async function runPipeline(s: AgentState, raw: RawRequest): Promise<PipelineResult> {
  const startedMs = s.clock.now();
  const nowSec = Math.floor(s.agentNow() / 1000);
  const ctx = (traceId: string) => ({ generation: s.generation, nowMs: s.agentNow(), startedMs: startedMs + s.skewMs, traceId });
  let header: DecryptedHeader | undefined;
  let body = raw.body;
  try {
    try {
      header = decryptRequestHeader(headerGetter(raw.headers), s.privateKey);
      if (header && body.length > 0) body = decryptRequestBody(body, header.fields.Keys);
    } catch (e) {
      // Rejected before PreHandlers and SetContentType: traceId "" and gin's default content type (§1.1, §1.2).
      if (e instanceof SimApiError) return { ...renderError(e, ctx("")), contentType: GIN_DEFAULT_JSON, header };
      throw e;
    }
    if (body.length === 0) body = Buffer.from("{}");
    const traceId = headerGetter(raw.headers)(TRACE_HEADER) || randomBytes(8).toString("hex");
    const url = new URL(raw.uri, "http://agent");
    const matched = matchRoute(raw.method, url.pathname);
    try {
      if (!matched) throw E.routeNotFound();
      verifyRequest(matched.route.auth, {
        header, requestUri: raw.uri, taskId: matched.params.id, agentPassword: s.agentPassword, identity: s.identity, nowSec,
      });
      const req: SimRequest = { state: s, method: raw.method, uri: raw.uri, path: url.pathname, query: url.searchParams, params: matched.params, body, headers: raw.headers };
      const result = await matched.route.handler(req);
      const res: SimResponse =
        result.kind === "no-content" ? { status: 204 } : renderSuccess(result.kind === "data" ? result.data : undefined, ctx(traceId));
      return { ...res, header, plainBody: body };
    } catch (e) {
      if (e instanceof SimApiError) return { ...renderError(e, ctx(traceId), matched?.route.dataNullOnError), header, plainBody: body };
      if (e instanceof GoPanic) throw e;
      // Any other Go error: 500 Common.Unexpected with the raw message (§1.2).
      return { ...renderError(E.rawGoError(e instanceof Error ? e.message : String(e)), ctx(traceId)), header, plainBody: body };
    }
  } catch (e) {
    if (!(e instanceof GoPanic)) throw e;
    return { ...renderPanic(s.generation, s.startedAtMs + s.skewMs), contentType: GIN_DEFAULT_JSON, header };
  }
}

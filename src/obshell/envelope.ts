/**
 * Turns an HTTP answer into data or a typed error: 204 stays "no content", JSON is checked against the envelope of
 * both generations (numeric `code` up to 4.3.0.x, `errCode` from 4.3.1.0), error envelopes become ObshellApiError
 * with a hint, and `data` is parsed with the operation's zod schema.
 */
import type { z } from "zod";
import { ObshellApiError, ResponseShapeError } from "./errors";
import { hintFor } from "./hints";
import { EnvelopeSchema, type Envelope } from "./schemas";
import { pathOf, type HttpResponse } from "./transport";

/** A successful answer: `envelope` is absent for 204 No Content. */
export interface ApiAnswer {
  status: number;
  envelope?: Envelope;
}

/** Where an answer came from, for messages. */
export interface AnswerContext {
  method: string;
  target: string;
}

/** Parses an HTTP answer. Throws ObshellApiError for error envelopes (and for non-envelope 4xx/5xx). */
export function parseAnswer(res: HttpResponse, at: AnswerContext): ApiAnswer {
  const path = pathOf(at.target);
  if (res.status === 204) return { status: 204 };
  const text = res.body.toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const what = `${res.contentType || "no content type"}, ${res.body.length} bytes`;
    if (res.status >= 400) throw apiError({ status: res.status, apiMessage: `answer without an obshell envelope (${what})`, traceId: "" }, at);
    const problem = text.trim() === "" ? "empty body where JSON was expected" : `not JSON, or truncated (${what})`;
    throw new ResponseShapeError({ method: at.method, path, status: res.status, problem });
  }
  const parsed = EnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    if (res.status >= 400) throw apiError({ status: res.status, apiMessage: "answer without an obshell envelope (JSON of another shape)", traceId: "" }, at);
    throw new ResponseShapeError({ method: at.method, path, status: res.status, problem: `not an obshell envelope: ${describeIssues(parsed.error)}` });
  }
  const env = parsed.data;
  if (!env.successful || res.status >= 400 || env.error) {
    const err = env.error;
    throw apiError(
      {
        status: res.status,
        ...(err?.errCode !== undefined ? { errCode: err.errCode } : {}),
        ...(err?.code !== undefined ? { code: err.code } : {}),
        apiMessage: err?.message ?? "error envelope without an error object",
        ...(err?.subErrors !== undefined ? { subErrors: err.subErrors } : {}),
        traceId: env.traceId,
      },
      at,
    );
  }
  return { status: res.status, envelope: env };
}

function apiError(
  f: { status: number; errCode?: string; code?: number; apiMessage: string; subErrors?: unknown[]; traceId: string },
  at: AnswerContext,
): ObshellApiError {
  const fields = { ...f, method: at.method, path: pathOf(at.target) };
  const hint = hintFor(fields);
  return new ObshellApiError(hint ? { ...fields, hint } : fields);
}

/** Parses `data` of a successful answer with `schema`; a mismatch is a ResponseShapeError naming the fields. */
export function parseData<S extends z.ZodType>(schema: S, answer: ApiAnswer, at: AnswerContext): z.infer<S> {
  const path = pathOf(at.target);
  if (!answer.envelope) throw new ResponseShapeError({ method: at.method, path, status: answer.status, problem: "no content where data was expected" });
  const parsed = schema.safeParse(answer.envelope.data);
  if (!parsed.success) {
    throw new ResponseShapeError({ method: at.method, path, status: answer.status, problem: `unexpected data: ${describeIssues(parsed.error)}` });
  }
  return parsed.data;
}

/** "nodes.0.state: Invalid option; id: Required" — field paths and zod's text, never the values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

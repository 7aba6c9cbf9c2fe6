/**
 * The agent's request security pipeline (protocol §2.3–§2.6, §3): HeaderDecrypt, BodyDecrypt and Verify, with
 * obshell's order and Go's quirks. Pure functions over the request and the agent's auth state; the server calls them.
 *
 * Known gaps: sessions (§3.4) and OceanBase root passwords (§3.1) are not modelled: an `X-OCS-Header` on an OB route
 * passes whenever obshell would compare it with an OB password.
 */
import { aesCbcDecryptRaw, rsaDecryptChunked, type AgentPrivateKey } from "../obshell/crypto";
import { AGENT_HEADER, OCEANBASE_HEADER } from "../obshell/schemas";
import { decodeGoHeader, decodeStdBase64Partial, type GoHttpHeader } from "./go-decode";
import { E, SimApiError } from "./sim-errors";

/** A Go panic: the recovery middleware answers with the fixed 500 body (§1.2). */
export class GoPanic extends Error {
  override readonly name = "GoPanic";
}

/** The decrypted header and which header carried it. */
export interface DecryptedHeader {
  name: typeof AGENT_HEADER | typeof OCEANBASE_HEADER;
  fields: GoHttpHeader;
}

/** HeaderDecrypt: the agent header wins over `X-OCS-Header`, which is then not even decrypted (§2.3). */
export function decryptRequestHeader(get: (name: string) => string | undefined, key: AgentPrivateKey): DecryptedHeader | undefined {
  const agent = get(AGENT_HEADER) ?? "";
  const ob = get(OCEANBASE_HEADER) ?? "";
  if (agent === "" && ob === "") return undefined;
  const name = agent !== "" ? AGENT_HEADER : OCEANBASE_HEADER;
  try {
    const plain = rsaDecryptChunked(agent !== "" ? agent : ob, key);
    return { name, fields: decodeGoHeader(plain.toString("utf8")) };
  } catch (e) {
    throw E.decryptFailed(e instanceof Error ? e.message : String(e));
  }
}

/**
 * BodyDecrypt (§2.4): key = Keys[0:16], IV = the rest (a wrong IV length panics in Go's CBC constructor), partial
 * base64, length check, then an unvalidated unpad (a pad byte larger than the text panics).
 */
export function decryptRequestBody(body: Buffer, keys: Buffer | null): Buffer {
  const k = keys ?? Buffer.alloc(0);
  if (k.length < 16) throw E.aesKeyIvInvalid();
  const key = k.subarray(0, 16);
  const iv = k.subarray(16);
  if (iv.length !== 16) throw new GoPanic("cipher.NewCBCDecrypter: IV length must equal block size");
  const cipherText = decodeStdBase64Partial(body.toString("latin1")).bytes;
  if (cipherText.length % 16 !== 0) throw E.aesContentLength();
  const plain = cipherText.length === 0 ? Buffer.alloc(0) : aesCbcDecryptRaw(cipherText, key, iv);
  if (plain.length === 0) throw new GoPanic("runtime error: index out of range [-1]");
  const pad = plain[plain.length - 1]!;
  if (pad > plain.length) throw new GoPanic(`runtime error: slice bounds out of range [:${plain.length - pad}]`);
  return plain.subarray(0, plain.length - pad);
}

/** How a route is verified (`Verify(routeType)`), or not at all. */
export type AuthRule = "none" | "obproxy" | "task" | "ob" | "agent-password";

/** What Verify needs to know about the agent. */
export interface VerifyContext {
  header: DecryptedHeader | undefined;
  requestUri: string;
  /** `:id` of task routes (decides agent vs OB verification). */
  taskId?: string;
  agentPassword: string | null;
  identity: string;
  /** The agent's unix second when it started handling the request (with clock skew). */
  nowSec: number;
}

/** Verify (§2.5): throws the SimApiError obshell would answer with, or a GoPanic. */
export function verifyRequest(rule: AuthRule, ctx: VerifyContext): void {
  if (rule === "none") return;
  const h = ctx.header;
  if (!h) throw E.headerNotFound(rule === "obproxy");
  if (rule === "obproxy" && h.name !== AGENT_HEADER) throw E.headerNotFound(true);
  if (h.fields.Uri !== ctx.requestUri) throw E.uriMismatch();
  if (rule === "agent-password") return verifyForSetAgentPassword(ctx, h);
  if (rule === "obproxy" || (rule === "task" && ctx.taskId !== undefined && /^[45]/.test(ctx.taskId))) return verifyAgentRoutes(ctx, h);
  return verifyObRoutes(ctx, h);
}

function verifyAgentRoutes(ctx: VerifyContext, h: DecryptedHeader): void {
  if (h.name !== AGENT_HEADER) throw E.withAgentPassword("this route only support agent password");
  if (ctx.agentPassword === null) throw E.agentPasswordNotInitialized();
  verifyAuth(h.fields, ctx);
}

function verifyObRoutes(ctx: VerifyContext, h: DecryptedHeader): void {
  if (ctx.identity === "SINGLE") {
    if (ctx.agentPassword === null) return;
    if (h.name !== AGENT_HEADER) throw E.withAgentPassword("agent password has been set");
    return verifyAuth(h.fields, ctx);
  }
  // OceanBase passwords are not modelled: the OB password counts as "not initialized".
  if (h.name === OCEANBASE_HEADER) {
    if (ctx.agentPassword !== null) throw E.withAgentPassword("oceanbase password is not initialized");
    return;
  }
  if (ctx.agentPassword === null) return;
  verifyAuth(h.fields, ctx);
}

function verifyForSetAgentPassword(ctx: VerifyContext, h: DecryptedHeader): void {
  if (ctx.agentPassword !== null) {
    if (h.name !== AGENT_HEADER) throw E.withAgentPassword("agent password has been set");
    return verifyAuth(h.fields, ctx);
  }
  if (ctx.identity === "SINGLE") return;
  if (ctx.identity === "CLUSTER AGENT") {
    if (h.name === AGENT_HEADER) throw E.withObPassword("agent password is not initialized");
    return;
  }
  // obshell dereferences a nil error here (§8.20).
  throw new GoPanic("runtime error: invalid memory address or nil pointer dereference");
}

/** `VerifyAuth`: the timestamp is only checked when Auth is non-empty, and only as an upper bound (§2.5). */
function verifyAuth(f: GoHttpHeader, ctx: VerifyContext): void {
  if (f.Auth !== "") {
    const ts = parseGoInt64(f.Ts);
    if (typeof ts === "string") throw E.timestampInvalid(f.Ts, ts);
    if (BigInt(ctx.nowSec) > ts) throw E.expired();
  }
  if (f.Auth !== ctx.agentPassword) throw E.incorrectAgentPassword();
}

const INT64_MAX = 9223372036854775807n;

/** `strconv.ParseInt(s, 10, 64)`: the value, or Go's error text. */
export function parseGoInt64(s: string): bigint | string {
  if (!/^[+-]?[0-9]+$/.test(s)) return `strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`;
  const v = BigInt(s);
  if (v > INT64_MAX || v < -INT64_MAX - 1n) return `strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`;
  return v;
}

/** Re-exported for handlers that must tell an API error from a panic. */
export { SimApiError };

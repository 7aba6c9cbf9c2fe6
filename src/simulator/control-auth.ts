/**
 * Who may drive `/__sim/…`. The control plane can unset the agent password and `rm -rf` a managed home, and
 * obshell-sim runs on laptops and CI hosts where a browser is open: a web page must not be able to reach it. A page
 * can send "simple" cross-origin requests (text/plain POSTs, GETs) without asking, but no custom header and no
 * `application/json` body without a CORS preflight, which this server never grants. So every control request needs
 * the control token in a header (unguessable, printed at start; it also defeats DNS rebinding, where the page is
 * same-origin), a JSON content type when it carries a body, and no `Origin` (only browsers send one).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** The header carrying the control token. */
export const CONTROL_TOKEN_HEADER = "x-sim-control-token";

/** A fresh control token: 192 random bits, URL-safe. */
export function newControlToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Why a control request is refused (status and message), or undefined when it may proceed. */
export function controlRefusal(method: string, headers: IncomingHttpHeaders, token: string): { status: number; error: string } | undefined {
  if (headers.origin !== undefined || headers["sec-fetch-site"] !== undefined) {
    return { status: 403, error: "browser requests to the control plane are refused" };
  }
  const given = headers[CONTROL_TOKEN_HEADER];
  if (typeof given !== "string" || !sameSecret(given, token)) {
    return { status: 401, error: `missing or wrong ${CONTROL_TOKEN_HEADER} header (the token obshell-sim printed at start)` };
  }
  const type = (headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (method !== "GET" && method !== "HEAD" && type !== "application/json") {
    return { status: 415, error: "control requests need Content-Type: application/json" };
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

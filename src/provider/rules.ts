/**
 * Field rules for `check`, as zod schemas. Each message says what is wrong without echoing the value: a rejected
 * value may be a password typed into the wrong field, and check failures are printed by the CLI.
 */
import { createPublicKey } from "node:crypto";
import { z } from "zod";
import { parseDuration } from "./durations";
import { normalizeHomePath } from "./normalize";

/** Characters obshell accepts in a path (its `upgrade_dir` rule, ASCII part), minus anything a shell would read. */
const SAFE_PATH_RE = /^[A-Za-z0-9_\-./@:+]+$/;
const HOST_RE = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)$/;
/** obshell checks parameter keys only when the DAG runs (`Common.IllegalArgument`); checking here fails early. */
export const PARAMETER_KEY_RE = /^[a-zA-Z0-9_]+$/;

function isIpv4(host: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) && host.split(".").every((o) => Number(o) <= 255);
}

function validPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535;
}

/** One `rs_list` entry: `host:port` (obshell would default a missing port to 2886; we want it explicit). */
function validRsEntry(entry: string): boolean {
  const at = entry.lastIndexOf(":");
  if (at <= 0) return false;
  const host = entry.slice(0, at);
  if (!HOST_RE.test(host)) return false;
  if (/^[\d.]+$/.test(host) && !isIpv4(host)) return false;
  return validPort(entry.slice(at + 1));
}

/** An http(s) URL with a host and no embedded credentials (they would land in state and logs). */
export function httpUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "must be an absolute http:// or https:// URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must use http:// or https://";
  if (!url.hostname) return "must name a host";
  if (url.username || url.password) return "must not embed credentials; use agentPassword";
  return undefined;
}

const httpUrl = z.string().superRefine((s, ctx) => {
  const problem = httpUrlProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/**
 * The agent's address: an origin only. obshell serves `/api/v1` at the root and the auth header binds the exact
 * path, so a path, query or fragment can only be a mistake (the client would refuse it at the first request).
 * Spaces are refused rather than trimmed: `" https://…"` is not recognisably https to every reader of the text.
 */
export function endpointProblem(text: string): string | undefined {
  if (text !== text.trim()) return "must not have leading or trailing spaces";
  const problem = httpUrlProblem(text);
  if (problem) return problem;
  const url = new URL(text);
  if (url.pathname !== "/") return "must not have a path: obshell serves /api/v1 at the root (use http(s)://host:port)";
  if (url.search || text.includes("?")) return "must not have a query (use http(s)://host:port)";
  if (url.hash || text.includes("#")) return "must not have a fragment (use http(s)://host:port)";
  return undefined;
}

const endpoint = z.string("must be a URL such as http://127.0.0.1:2886").superRefine((s, ctx) => {
  const problem = endpointProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const port = z
  .number("must be an integer port number")
  .int("must be an integer port number")
  .min(1, "must be a port in 1–65535")
  .max(65535, "must be a port in 1–65535");

const homePath = z
  .string()
  .max(4096, "is too long")
  .refine((p) => p.startsWith("/"), "must be an absolute path")
  .refine((p) => !p.split("/").includes(".."), "must not contain '..' segments")
  // Judged in normal form: "/." and "/./" are "/" too.
  .refine((p) => normalizeHomePath(p) !== "/", "must not be '/' (or resolve to it): obshell's delete removes bin/ and lib/ under it")
  .refine((p) => SAFE_PATH_RE.test(p), "may only contain letters, digits and _ - . / @ : +");

const rsList = z
  .string()
  .refine((s) => s.length > 0 && s.split(";").every(validRsEntry), "must be 'ip:port;ip:port' with ports in 1–65535");

const password = z.string("must be a string").max(1024, "is too long");

/**
 * The shortest deadline accepted. One obshell round trip (key fetch, request, DAG poll) takes longer than a few
 * hundred ms on a busy agent, so a smaller value can only fail, after having sent a DAG-creating request.
 */
export const MIN_TIMEOUT_MS = 1_000;

const timeoutValue = z
  .union([z.string(), z.number()], "must be a duration like \"20m\" or a number of seconds")
  .refine(
    (v) => parseDuration(v) !== undefined,
    "must be a positive duration of at most 24h, like \"20m\", \"90s\", \"1h30m\" or a number of seconds",
  )
  .refine((v) => (parseDuration(v) ?? MIN_TIMEOUT_MS) >= MIN_TIMEOUT_MS, "must be at least 1s");

/** True for standard base64 (padded) of a PKCS#1 RSA public key in DER, the form `GET /api/v1/secret` serves. */
function isPkcs1Der(text: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return false;
  try {
    return createPublicKey({ key: Buffer.from(text, "base64"), format: "der", type: "pkcs1" }).asymmetricKeyType === "rsa";
  } catch {
    return false;
  }
}

/** What the client accepts (obshell/options.ts `parsePin`), checked fully here so a bad pin fails before any request. */
export function pinProblem(text: string): string | undefined {
  const hex = text.toLowerCase().startsWith("sha256:") ? text.slice(7) : text;
  if (/^[0-9a-fA-F]{64}$/.test(hex) || isPkcs1Der(text)) return undefined;
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) return "looks like a base64 SHA-256; give the SHA-256 as 64 hex digits, or the key as base64 PKCS#1 DER";
  return "must be the agent key as base64 PKCS#1 DER, or its SHA-256 as 64 hex digits (optionally prefixed 'sha256:')";
}

const pin = z.string("must be a string").superRefine((s, ctx) => {
  const problem = pinProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** A port given as text (a `parameters` value): decimal, 1–65535. */
export function validPortText(text: unknown): boolean {
  return typeof text === "string" && validPort(text);
}

/** Rules for each top-level input that is a scalar (objects are handled field by field in check.ts). */
export const SCALAR_RULES: Record<string, z.ZodType> = {
  endpoint,
  agentPassword: z.string("must be a string").min(1, "must not be empty").max(1024, "is too long"),
  agentPublicKeyPin: pin,
  homePath,
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1–64 letters, digits, '_', '-' or '.'"),
  sqlPort: port,
  rpcPort: port,
  exporterPort: port,
  rsList,
  configUrl: httpUrl,
  proxyroPassword: password,
  obproxySysPassword: password,
  running: z.boolean("must be true or false"),
  adopt: z.boolean("must be true or false"),
  resourceName: z.string(),
};

/** Rules for the fields of `tls`. */
export const TLS_RULES: Record<string, z.ZodType> = {
  ca: z.string().refine((s) => s.includes("-----BEGIN"), "must be PEM text"),
  cert: z.string().refine((s) => s.includes("-----BEGIN"), "must be PEM text"),
  key: z.string().refine((s) => s.includes("-----BEGIN"), "must be PEM text"),
  insecureSkipVerify: z.boolean("must be true or false"),
};

/** Rule for each `timeouts` value. */
export const TIMEOUT_RULE: z.ZodType = timeoutValue;

/** Rule for each `parameters` value: obshell joins them into one `-o k=v,k=v` option, so a comma would inject one. */
export const PARAMETER_VALUE_RULE: z.ZodType = z
  .string("must be a string (obshell rejects numbers)")
  .max(4096, "is too long")
  .refine((v) => !v.includes(","), "must not contain ',': obshell passes parameters as one comma-separated option")
  .refine((v) => !/[\u0000-\u001f]/.test(v), "must not contain control characters");

/** Messages of a failed parse, without the value: the first problem of each path (one reason per property). */
export function problems(rule: z.ZodType, value: unknown): { path: string; message: string }[] {
  const result = rule.safeParse(value);
  if (result.success) return [];
  const byPath = new Map<string, string>();
  for (const issue of result.error.issues) {
    const path = issue.path.map(String).join(".");
    if (!byPath.has(path)) byPath.set(path, issue.message);
  }
  return [...byPath].map(([path, message]) => ({ path, message }));
}

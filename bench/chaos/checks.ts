/**
 * The invariants each chaos schedule is held to, as small pure checks over what the simulator logged and what the
 * provider returned or threw.
 */
import { isObshellError } from "../../src/obshell";
import type { RequestLogEntry } from "../../src/simulator";
import { isObProxyError } from "../../src/provider/errors";
import { SECRET_INPUT_KEYS } from "../../src/provider/types";

/** POST/DELETE on /api/v1/obproxy…: every request that may create an OBProxy DAG. */
export function isDagCreatingRequest(r: RequestLogEntry): boolean {
  return (r.method === "POST" || r.method === "DELETE") && /^\/api\/v1\/obproxy(\/|$|\?)/.test(r.path);
}

/**
 * Sends of DAG-creating requests whose outcome the client could not rule out as "created a DAG". Excluded: obshell's
 * own refusals (an envelope with status ≥ 400 and no injected fault: header not decryptable or expired (401), the
 * lock held (Agent.UnderMaintenance), …), which created nothing and may be sent again, and 204 (nothing managed).
 * Injected resets, drops, 5xx and malformed answers count: the client cannot know whether obshell acted.
 */
export function dagCreatingSends(window: readonly RequestLogEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of window) {
    if (!isDagCreatingRequest(r)) continue;
    if (!r.fault && (r.status >= 400 || r.status === 204)) continue;
    const key = `${r.method} ${r.path.split("?")[0]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** True for the errors the package promises: its own ObProxyError or a typed obshell client error. */
export function isTypedError(e: unknown): boolean {
  return isObProxyError(e) || isObshellError(e);
}

/** Whether an error names the DAG (field or message). */
export function namesDag(e: unknown, dagId: string): boolean {
  const err = e as { dagId?: unknown; message?: unknown };
  return err?.dagId === dagId || String(err?.message ?? "").includes(dagId);
}

/** Text of an error for the secret scan: message, stack, own fields (minus stored secret inputs) and causes. */
export function errorText(e: unknown, depth = 0): string {
  if (!(e instanceof Error) || depth > 5) return String(e);
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) own[k] = k === "properties" ? publicState(v) : k === "cause" ? undefined : v;
  return [e.message, e.stack ?? "", safeJson(own), e.cause !== undefined ? errorText(e.cause, depth + 1) : ""].join("\n");
}

/** State as stored (at any depth, e.g. create's `{id, outs}`), minus the keys Pulumi keeps secret (they hold the passwords by design). */
export function publicState(state: unknown): unknown {
  if (Array.isArray(state)) return state.map(publicState);
  if (!state || typeof state !== "object") return state;
  const secret = new Set<string>(SECRET_INPUT_KEYS);
  return Object.fromEntries(Object.entries(state).filter(([k]) => !secret.has(k)).map(([k, v]) => [k, publicState(v)]));
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? "";
  } catch {
    return "";
  }
}

/** The secrets found in `texts` (each secret listed once). */
export function findSecrets(texts: readonly string[], secrets: readonly string[]): string[] {
  return secrets.filter((s) => texts.some((t) => t.includes(s)));
}

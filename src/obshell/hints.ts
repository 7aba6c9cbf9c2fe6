/**
 * What to do about an obshell error, for the errors users meet when managing an OBProxy. Matched on errCode
 * (≥ 4.3.1.0) or, for older agents, on the numeric code plus the message obshell wrote (the only thing they send).
 */
import { ErrCode, LegacyCode } from "./schemas";

/** The facts a hint is chosen from. */
export interface HintFacts {
  status: number;
  errCode?: string;
  code?: number;
  apiMessage: string;
  path: string;
}

const HINTS = {
  notInitialized:
    "the agent has no agent password yet, and every OBProxy route needs one. Set it once with POST /api/v1/agent/password " +
    '{"password":"…"}: from this package `createObshellClient({ endpoint }).setAgentPassword(pw)` (a SINGLE agent ' +
    "accepts the first password without one), or obshell-sdk-python's `client.set_agent_password(pw)`, or obshell's " +
    "web console; then pass the same password as the agent password (it is obshell's own password, not root@sys's)",
  incorrect: "the agent password is wrong: use the password set on this agent (the agent password, not the OceanBase root@sys password)",
  expired:
    "obshell rejected the request as expired: the clocks of this host and the agent disagree by more than the header lifetime; " +
    "fix NTP on either side (the client corrects skew it can measure through GET /api/v1/time)",
  uriMismatch:
    "the signed request path differs from what the agent received: a reverse proxy or gateway in between rewrites paths or " +
    "queries; connect to obshell directly or make the proxy pass the path and query unchanged",
  alreadyManaged: "this agent already manages an OBProxy (one per agent): set `adopt: true` to take it over, or delete it first",
  underMaintenance:
    "another OBProxy task (add, stop, delete or upgrade) holds obshell's OBProxy lock (`pulumi-obproxy status` names it): wait for it, or retry or pass it if it failed",
  decrypt: "the agent could not decrypt the request header: its key may have changed (the client refetched it once)",
  withAgentPassword: "this route needs the agent password (X-OCS-Agent-Header)",
  notManaged: "this agent manages no OBProxy",
} as const;

/** The hint for each errCode (obshell ≥ 4.3.1.0) that has one. */
const HINT_BY_ERRCODE: Readonly<Record<string, string>> = {
  [ErrCode.AgentPasswordNotInitialized]: HINTS.notInitialized,
  [ErrCode.IncorrectAgentPassword]: HINTS.incorrect,
  [ErrCode.Expired]: HINTS.expired,
  [ErrCode.UriMismatch]: HINTS.uriMismatch,
  [ErrCode.ObproxyAlreadyManaged]: HINTS.alreadyManaged,
  [ErrCode.UnderMaintenance]: HINTS.underMaintenance,
  [ErrCode.HeaderDecryptFailed]: HINTS.decrypt,
  [ErrCode.WithAgentPassword]: HINTS.withAgentPassword,
  [ErrCode.ObproxyNotBeManaged]: HINTS.notManaged,
};

/** The hint for an error, if there is one. */
export function hintFor(f: HintFacts): string | undefined {
  if (f.errCode === undefined) return legacyHint(f, f.apiMessage.toLowerCase());
  return Object.hasOwn(HINT_BY_ERRCODE, f.errCode) ? HINT_BY_ERRCODE[f.errCode] : undefined;
}

/** ≤ 4.3.0.x: numeric codes and free text ("Verification failed: …", "Bad request: agent has already managed obproxy"). */
function legacyHint(f: HintFacts, m: string): string | undefined {
  if (f.code === LegacyCode.Unauthorized || f.status === 401) {
    if (/not (been )?init|not set/.test(m)) return HINTS.notInitialized;
    if (/incorrect|wrong|mismatch.*password|password.*(incorrect|wrong)/.test(m)) return HINTS.incorrect;
    if (/expire/.test(m)) return HINTS.expired;
    if (/uri/.test(m)) return HINTS.uriMismatch;
    if (/header decrypt/.test(m)) return HINTS.decrypt;
  }
  if (/already managed/.test(m)) return HINTS.alreadyManaged;
  if (/under maintenance/.test(m)) return HINTS.underMaintenance;
  if (/not an obproxy agent/.test(m)) return HINTS.notManaged;
  return undefined;
}

/** True when obshell could not decrypt the header: the key to use has changed (any generation). */
export function isHeaderDecryptFailure(f: { errCode?: string; code?: number; apiMessage: string }): boolean {
  if (f.errCode === ErrCode.HeaderDecryptFailed) return true;
  if (f.code === LegacyCode.DecryptError) return true;
  // ≤ 4.3.0.x: "Verification failed: header decrypt failed" (a body decrypt failure says "body decrypt failed"; a new
  // key would not cure it).
  return f.errCode === undefined && f.code === LegacyCode.Unauthorized && /header decrypt/i.test(f.apiMessage);
}

/** True when obshell rejected the header as expired (any generation). */
export function isHeaderExpired(f: { errCode?: string; code?: number; apiMessage: string }): boolean {
  if (f.errCode === ErrCode.Expired) return true;
  // ≤ 4.3.0.x: "Verification failed: auth expired".
  return f.errCode === undefined && f.code === LegacyCode.Unauthorized && /expired/i.test(f.apiMessage);
}

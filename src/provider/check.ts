/**
 * `check`: local validation of the inputs. No network (it runs during preview), never throws, collects every
 * failure, and lets values still unknown during preview (the UNKNOWN sentinel, possibly nested) pass.
 */
import { TIMEOUT_KEYS } from "./durations";
import { PORT_KEYS, resolvePort } from "./ports";
import { PARAMETER_KEY_RE, PARAMETER_VALUE_RULE, SCALAR_RULES, TIMEOUT_RULE, TLS_RULES, problems, validPortText } from "./rules";
import { PORT_PARAMETERS, PROVIDER_KEY, UNKNOWN } from "./types";

/** A Pulumi check failure: the property path and why. */
export interface CheckFailure {
  property: string;
  reason: string;
}

type Props = Record<string, unknown>;

/** True when the value is, or contains, the preview-time unknown sentinel. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/** Absent for validation purposes: the engine drops undefined and may send null for an unset Input. */
function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

function isPlainObject(value: unknown): value is Props {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const OBJECT_KEYS = ["tls", "parameters", "timeouts"];
const KNOWN_KEYS = new Set([...Object.keys(SCALAR_RULES), ...OBJECT_KEYS, PROVIDER_KEY]);

/** Validates the new inputs; returns every failure found. */
export function checkInputs(news: Props): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  for (const key of ["endpoint", "homePath"]) if (absent(news[key])) fail(key, "is required");
  for (const [key, value] of Object.entries(news)) {
    if (!KNOWN_KEYS.has(key)) {
      fail(key, "is not a property of ObProxy");
      continue;
    }
    if (absent(value) || key === PROVIDER_KEY || value === UNKNOWN) continue;
    const rule = SCALAR_RULES[key];
    if (rule) for (const p of problems(rule, value)) fail(p.path ? `${key}.${p.path}` : key, p.message);
  }
  checkTls(news, fail);
  checkParameters(news.parameters, fail);
  checkTimeouts(news.timeouts, fail);
  checkCombinations(news, fail);
  return failures;
}

type Fail = (property: string, reason: string) => void;

/** Validates each known entry of an object input; returns false when it is not an object at all. */
function checkEntries(name: string, value: unknown, fail: Fail, each: (key: string, v: unknown) => void): boolean {
  if (absent(value) || value === UNKNOWN) return false;
  if (!isPlainObject(value)) {
    fail(name, "must be an object");
    return false;
  }
  for (const [key, v] of Object.entries(value)) if (!absent(v) && !containsUnknown(v)) each(key, v);
  return true;
}

function checkTls(news: Props, fail: Fail): void {
  const tls = news.tls;
  const isObject = checkEntries("tls", tls, fail, (key, v) => {
    // Own keys only: "toString" or "constructor" must be an unknown option, not Object.prototype's method.
    const rule = Object.hasOwn(TLS_RULES, key) ? TLS_RULES[key] : undefined;
    if (!rule) return fail(`tls.${key}`, "is not a TLS option (ca, cert, key, insecureSkipVerify)");
    for (const p of problems(rule, v)) fail(`tls.${key}`, p.message);
  });
  if (!isObject || containsUnknown(tls)) return;
  const t = tls as Props;
  if (!absent(t.cert) !== !absent(t.key)) fail(absent(t.cert) ? "tls.cert" : "tls.key", "tls.cert and tls.key go together");
  const endpoint = news.endpoint;
  // Scheme case does not matter to the URL parser ("HTTP://" is http): TLS would be silently unused.
  if (typeof endpoint === "string" && /^\s*http:/i.test(endpoint) && Object.keys(t).length > 0) {
    fail("tls", "TLS options need an https:// endpoint (with http:// they would be silently unused)");
  }
}

function checkParameters(parameters: unknown, fail: Fail): void {
  checkEntries("parameters", parameters, fail, (key, v) => {
    if (!PARAMETER_KEY_RE.test(key)) fail(`parameters.${key}`, "keys may only contain letters, digits and '_'");
    for (const p of problems(PARAMETER_VALUE_RULE, v)) fail(`parameters.${key}`, p.message);
  });
  // A key that is itself unknown cannot happen (keys are always known); unknown values were skipped above.
}

function checkTimeouts(timeouts: unknown, fail: Fail): void {
  checkEntries("timeouts", timeouts, fail, (key, v) => {
    if (!(TIMEOUT_KEYS as string[]).includes(key)) return fail(`timeouts.${key}`, "is not one of create, update, delete");
    for (const p of problems(TIMEOUT_RULE, v)) fail(`timeouts.${key}`, p.message);
  });
}

/** Rules across properties, applied only when the properties involved are known. */
function checkCombinations(news: Props, fail: Fail): void {
  // obshell refuses both (`OBProxy.RsListAndConfigUrl.Conflicted`); neither is fine for a CLUSTER AGENT, which
  // reads the rs list itself, and only obshell knows its identity, so "neither" is left to the add.
  if (!absent(news.rsList) && !absent(news.configUrl)) fail("configUrl", "rsList and configUrl are mutually exclusive");
  const seen = new Map<number, string>();
  for (const key of PORT_KEYS) {
    const port = resolvePort(news, key);
    if (port === undefined) continue;
    const other = seen.get(port);
    if (other) fail(key, `uses the same port as ${other}`);
    else seen.set(port, key);
  }
  if (isPlainObject(news.parameters)) {
    // Checked even when the port input is set: OBProxy still receives the parameter and would refuse to start.
    for (const param of Object.values(PORT_PARAMETERS)) {
      const v = news.parameters[param];
      if (typeof v === "string" && !containsUnknown(v) && !validPortText(v)) {
        fail(`parameters.${param}`, "must be a port in 1–65535 (obshell reads it as an OBProxy port)");
      }
    }
  }
}

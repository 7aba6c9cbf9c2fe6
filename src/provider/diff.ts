/**
 * `diff`: old outputs (from state) against new inputs. No network (it runs during preview). Always sets `changes`
 * explicitly: leaving it undefined makes the engine diff inputs itself, `__provider` included.
 */
import { containsUnknown } from "./check";
import { comparable } from "./normalize";
import { parameterChanges } from "./parameters";
import { PORT_KEYS, resolvePort } from "./ports";
import { PROVIDER_KEY } from "./types";

/** What `diff` returns (the subset of `pulumi.dynamic.DiffResult` the Node plugin forwards). */
export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace?: boolean;
}

/**
 * What obshell cannot change in place: an OBProxy's home, ports, name, cluster and passwords are fixed at add time
 * (there is no "modify" route), so changing them means delete then add. Delete must come first: one agent manages
 * at most one OBProxy, so the new add would fail with `OBProxy.AlreadyManaged` while the old one exists.
 */
export const REPLACE_KEYS = [
  "endpoint",
  "homePath",
  "name",
  "rsList",
  "configUrl",
  "proxyroPassword",
  "obproxySysPassword",
] as const;

/** Changed through a start or stop DAG, or `ALTER proxyconfig` on OBProxy's SQL port (parameters.ts). */
export const REMOTE_UPDATE_KEYS = ["running", "parameters"] as const;

/** Only change how the provider talks to obshell or behaves: an update that makes no remote call. */
export const LOCAL_UPDATE_KEYS = ["timeouts", "adopt", "tls", "agentPublicKeyPin", "agentPassword", "resourceName"] as const;

type Props = Record<string, unknown>;

/** null and undefined (and an empty map) mean "not set" to obshell. */
function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0) return undefined;
  return value;
}

/** Structural equality of JSON values, key order ignored. */
export function sameValue(a: unknown, b: unknown): boolean {
  const x = normalize(a);
  const y = normalize(b);
  if (x === y) return true;
  if (typeof x !== "object" || typeof y !== "object" || x === undefined || y === undefined) return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const xo = x as Props;
  const yo = y as Props;
  const keys = new Set([...Object.keys(xo), ...Object.keys(yo)]);
  for (const k of keys) if (!sameValue(xo[k], yo[k])) return false;
  return true;
}

/** A new value differs when it is unknown (it may change) or not equal to the old one. */
function differs(oldValue: unknown, newValue: unknown): boolean {
  return containsUnknown(newValue) || !sameValue(oldValue, newValue);
}

/** Like `differs`, on normal forms (old states hold raw text: `http://h:2886/` then equals `http://h:2886`). */
function keyDiffers(key: string, oldValue: unknown, newValue: unknown): boolean {
  return containsUnknown(newValue) || !sameValue(comparable(key, oldValue), comparable(key, newValue));
}

/** Compares old outputs with new inputs. */
export function diffProps(olds: Props, news: Props): DiffOutcome {
  const replaces: string[] = REPLACE_KEYS.filter((k) => keyDiffers(k, olds[k], news[k]));
  for (const key of PORT_KEYS) {
    // Outputs hold the resolved ports; resolve the new inputs the same way so "unset" and "2883" compare equal.
    const next = resolvePort(news, key);
    if (next === undefined || olds[key] !== next) replaces.push(key);
  }
  // Parameters change in place, except the ones OBProxy reads only at start: those replace, named by path
  // (`parameters.proxy_id`) so the plan shows which key forces it.
  const parametersChanged = differs(olds.parameters, news.parameters);
  if (parametersChanged && !containsUnknown(news.parameters)) {
    for (const { key } of parameterChanges(olds.parameters, news.parameters).replace) replaces.push(`parameters.${key}`);
  }
  const running = differs(olds.running ?? true, news.running ?? true) || parametersChanged;
  const local =
    LOCAL_UPDATE_KEYS.some((k) => k !== "adopt" && differs(olds[k], news[k])) ||
    differs(olds.adopt ?? false, news.adopt ?? false);
  // A new provider text must reach state, or destroy keeps running the old one (pulumi/pulumi#16826).
  const provider = olds[PROVIDER_KEY] !== news[PROVIDER_KEY];
  const changes = replaces.length > 0 || running || local || provider;
  return replaces.length > 0 ? { changes, replaces, deleteBeforeReplace: true } : { changes, replaces };
}

/**
 * PlanResourceChange: the full planned object. Terraform requires every non-computed attribute to equal the
 * configuration and every known computed value to come back unchanged from apply, so each computed attribute is
 * either a value the lifecycle will certainly produce (endpoint default, resolved ports, running) or unknown.
 * Whether the change is an update or a replacement is the lifecycle's `diff`, never decided here.
 */
import type { ObProxyLifecycle } from "../provider/lifecycle";
import { PORT_KEYS, resolvePort } from "../provider/ports";
import { UNKNOWN } from "../provider/types";
import type { TfObject, TfValue } from "./cty";
import { RESOURCE_BLOCK } from "./schema";
import { attributePath, fromProps, toProps } from "./values";

type Props = Record<string, unknown>;

/** Attributes only the provider sets (never read from configuration). */
export const COMPUTED_ONLY = RESOURCE_BLOCK.attributes.filter((a) => a.computed && !a.optional && !a.required).map((a) => a.name);
const COMPUTED_ONLY_KEYS = RESOURCE_BLOCK.attributes.filter((a) => COMPUTED_ONLY.includes(a.name)).map((a) => a.key);

/** Inputs for the lifecycle from a resource configuration, with the provider's endpoint as the default. */
export function inputsFromConfig(config: TfValue, defaultEndpoint: string | undefined): Props {
  const inputs = toProps(RESOURCE_BLOCK, config, COMPUTED_ONLY);
  if (inputs.endpoint === undefined && defaultEndpoint !== undefined) inputs.endpoint = defaultEndpoint;
  return inputs;
}

/** What a plan says. */
export interface Plan {
  planned: TfValue;
  requiresReplace: { attribute_name?: string; element_key_string?: string }[][];
  /** Set when the endpoint is neither configured nor defaulted by the provider. */
  error?: string;
}

/** The values apply will certainly produce from these inputs; UNKNOWN where it depends on obshell. */
function resolvedInputs(inputs: Props): Props {
  const out: Props = { ...inputs, running: inputs.running ?? true };
  for (const key of PORT_KEYS) out[key] = resolvePort(inputs, key) ?? UNKNOWN;
  if (out.endpoint === undefined) out.endpoint = UNKNOWN;
  return out;
}

/** Computed values unknown: a create or replacement, or an update that talks to obshell. */
function unknownOutputs(keys: readonly string[]): Props {
  return Object.fromEntries(keys.map((k) => [k, UNKNOWN]));
}

/**
 * Plans a create, update, replacement or destroy. After an import, only the id's parts (endpoint, home path)
 * can force a replacement: obshell cannot report the rest, so the configuration is taken as the truth, as `adopt` does.
 */
export async function planChange(
  lifecycle: ObProxyLifecycle,
  req: { prior: TfValue; proposed: TfValue; config: TfValue; imported: boolean; defaultEndpoint?: string },
): Promise<Plan> {
  if (req.proposed === null) return { planned: null, requiresReplace: [] };
  const inputs = inputsFromConfig(req.config, req.defaultEndpoint);
  const error = inputs.endpoint === undefined ? "endpoint is not set: set it on the resource or in the provider block" : undefined;
  const resolved = resolvedInputs(inputs);
  if (req.prior === null) {
    return { planned: fromProps(RESOURCE_BLOCK, { ...resolved, ...unknownOutputs(COMPUTED_ONLY_KEYS) }), requiresReplace: [], error };
  }
  const prior = toProps(RESOURCE_BLOCK, req.prior);
  const diff = await lifecycle.diff(String(prior.id ?? ""), prior, inputs);
  const replaces = (diff.replaces ?? []).filter((k) => !req.imported || k === "endpoint" || k === "homePath");
  const requiresReplace = replaces.map((k) => attributePath(RESOURCE_BLOCK, k));
  const priorOutputs = Object.fromEntries(COMPUTED_ONLY_KEYS.map((k) => [k, prior[k]]));
  if (replaces.length > 0) {
    return { planned: fromProps(RESOURCE_BLOCK, { ...resolved, ...unknownOutputs(COMPUTED_ONLY_KEYS) }), requiresReplace, error };
  }
  // An update makes a remote call only to start/stop or to finish a create that failed part-way; otherwise the
  // lifecycle keeps the stored agent facts and last DAG, so they stay known.
  const remote = (resolved.running !== (prior.running ?? true)) || (prior.managed !== true && prior.adopted !== true);
  const outputs = diff.changes && remote ? { ...unknownOutputs(COMPUTED_ONLY_KEYS), id: prior.id } : priorOutputs;
  return { planned: fromProps(RESOURCE_BLOCK, { ...resolved, ...outputs }), requiresReplace, error };
}

/**
 * The new state after apply: every known planned value as planned (Terraform checks that), the rest from what the
 * lifecycle returned; anything still unknown becomes null (a new state may hold no unknowns).
 */
export function appliedState(planned: TfValue, result: Props): TfObject {
  const fromResult = fromProps(RESOURCE_BLOCK, result);
  const plan = (planned ?? {}) as TfObject;
  const out: TfObject = {};
  for (const [name, value] of Object.entries(fromResult)) {
    const p = plan[name];
    out[name] = known(p) ? p! : stripUnknown(value);
  }
  return out;
}

function known(value: TfValue | undefined): boolean {
  return value !== undefined && typeof value !== "symbol";
}

function stripUnknown(value: TfValue): TfValue {
  if (typeof value === "symbol") return null;
  if (Array.isArray(value)) return value.map(stripUnknown);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripUnknown(v)]));
  return value;
}

/**
 * The engine's step logic for one resource, reduced to what the tests need: `up` (Check, then Create, or Diff and
 * Update/replace/same), `refresh` (Read), `destroy` (Delete with the old outputs) — plus state as the engine keeps
 * it: inputs and outputs, kept on a partial failure, with secrets marked by key the way `annotateSecrets` and
 * `additionalSecretOutputs` do, so a test can scan exactly what would be written to the state file.
 */
import { RpcError, type ProviderRpc, type Props } from "./rpc";

/** One resource's entry in state. */
export interface ResourceState {
  id: string;
  inputs: Props;
  outputs: Props;
  /** Reasons recorded from a partial failure (the engine's initErrors). */
  initErrors?: string[];
}

/** A check that returned failures. */
export class CheckFailedError extends Error {
  override readonly name = "CheckFailedError";
  constructor(readonly failures: { property: string; reason: string }[]) {
    super(`check failed: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  }
}

/** Result of an `up` step, with what the step did. */
export interface UpResult {
  state: ResourceState;
  step: "create" | "update" | "replace" | "same";
}

/** Runs Create and turns a partial failure into state (as the engine does), rethrowing the error with it attached. */
async function createStep(rpc: ProviderRpc, inputs: Props): Promise<ResourceState> {
  try {
    const created = await rpc.create(inputs);
    return { id: created.id, inputs, outputs: created.properties };
  } catch (e) {
    throw withPartialState(e, inputs);
  }
}

function withPartialState(e: unknown, inputs: Props): unknown {
  if (e instanceof RpcError && e.initFailure) {
    const state: ResourceState = { id: e.initFailure.id, inputs, outputs: e.initFailure.properties, initErrors: e.initFailure.reasons };
    return Object.assign(e, { state });
  }
  return e;
}

/** `pulumi up` for one resource: `news` are the program's inputs (with `__provider`). */
export async function up(rpc: ProviderRpc, news: Props, prior?: ResourceState): Promise<UpResult> {
  const checked = await rpc.check(prior?.inputs ?? {}, news);
  if (checked.failures.length > 0) throw new CheckFailedError(checked.failures);
  const inputs = checked.inputs;
  if (!prior) return { state: await createStep(rpc, inputs), step: "create" };
  const diff = await rpc.diff(prior.id, prior.outputs, inputs, prior.inputs);
  if (diff.replaces.length > 0) {
    await rpc.delete(prior.id, prior.outputs, prior.inputs);
    return { state: await createStep(rpc, inputs), step: "replace" };
  }
  // A resource with init errors is always updated, even without changes (step_generator.go).
  if (diff.changes === "some" || prior.initErrors?.length) {
    try {
      const updated = await rpc.update(prior.id, prior.outputs, inputs, prior.inputs);
      return { state: { id: prior.id, inputs, outputs: updated.properties }, step: "update" };
    } catch (e) {
      throw withPartialState(e, inputs);
    }
  }
  return { state: prior, step: "same" };
}

/** `pulumi refresh`: the new state, or undefined when the provider reports the resource gone. */
export async function refresh(rpc: ProviderRpc, state: ResourceState): Promise<ResourceState | undefined> {
  const read = await rpc.read(state.id, state.outputs, state.inputs);
  if (!read.id) return undefined;
  return { ...state, id: read.id, outputs: read.properties };
}

/** `pulumi destroy`: Delete with the stored outputs (which carry the stored `__provider`). */
export async function destroy(rpc: ProviderRpc, state: ResourceState): Promise<void> {
  await rpc.delete(state.id, state.outputs, state.inputs);
}

/**
 * State as the engine would write it: values of secret keys replaced by a marker. `secretKeys` are the input keys
 * that were secret plus `additionalSecretOutputs`; the engine marks an output secret when its key matches.
 */
export function stateAsWritten(state: ResourceState, secretKeys: readonly string[]): Props {
  const mark = (bag: Props) =>
    Object.fromEntries(Object.entries(bag).map(([k, v]) => [k, secretKeys.includes(k) ? { secret: "[ciphertext]" } : v]));
  return { id: state.id, inputs: mark(state.inputs), outputs: mark(state.outputs), initErrors: state.initErrors };
}

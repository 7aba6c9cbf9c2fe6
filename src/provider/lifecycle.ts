/**
 * `pulumi-obproxy/provider-v1`: the stable internal entry point the serialized shim requires at call time.
 * States written by any version of this package call these functions forever (destroy and refresh run the shim
 * stored in state against the package installed *now*), so their names and argument shapes only ever grow.
 *
 * Each call builds its own obshell client from the props and closes it; credentials are read at call time.
 */
import type * as pulumi from "@pulumi/pulumi";
import { checkInputs, type CheckFailure } from "./check";
import type { ConfigReader } from "./config";
import { createContext, type OpContext, type OperationOptions, type ProviderDeps } from "./context";
import { createObproxy } from "./create";
import { boundedError, type DeadlineOp } from "./deadline";
import { deleteObproxy } from "./delete";
import { diffProps } from "./diff";
import { IMPORT_ID_FORMAT, importObproxy, parseImportId } from "./import";
import { normalizeInputs } from "./normalize";
import { errorCode, withCode } from "./messages";
import { tuneHostGc } from "./host-tuning";
import { reportOnlyThroughEngine } from "./plugin-stderr";
import { resourceLabel, verbosityFromEnv } from "./progress";
import { redact, redactError, secretValues } from "./secrets";
import type { ObProxyInputs, ObProxyOutputs } from "./types";
import { readObproxy, updateObproxy } from "./update";

export type { OperationOptions, ProviderDeps } from "./context";

type Props = Record<string, any>;

/** The provider functions, shaped like `pulumi.dynamic.ResourceProvider`. */
export interface ObProxyLifecycle {
  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void>;
  check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult>;
  diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: Props, op?: OperationOptions): Promise<pulumi.dynamic.CreateResult>;
  read(id: string, props?: Props, op?: OperationOptions): Promise<pulumi.dynamic.ReadResult>;
  update(id: string, olds: Props, news: Props, op?: OperationOptions): Promise<pulumi.dynamic.UpdateResult>;
  delete(id: string, props: Props, op?: OperationOptions): Promise<void>;
}

/**
 * Runs one operation with a fresh context; keeps secrets out of the error and always closes the client. The context
 * (and the client, which parses the endpoint) is built inside the error handling, so even a bad endpoint that got
 * past check fails labelled and redacted. The deadline passing or the host aborting is said once, here, with what
 * was in flight (deadline.ts).
 */
async function run<T>(props: Props, deps: ProviderDeps, opts: OperationOptions, op: (ctx: OpContext) => Promise<T>, kind?: DeadlineOp): Promise<T> {
  if (deps.tuneHost) tuneHostGc();
  const config = deps.config;
  const label = resourceLabel(props);
  let secrets: string[] = [];
  let ctx: OpContext | undefined;
  try {
    secrets = secretValues(props, config);
    ctx = createContext(props as Partial<ObProxyInputs>, deps, opts, config);
    return await op(ctx);
  } catch (caught) {
    const e = labelAndRedact((ctx && boundedError(ctx, caught, kind)) ?? caught, label, secrets);
    if (deps.quietPluginErrors && verbosityFromEnv() !== "debug") reportOnlyThroughEngine(e);
    throw e;
  } finally {
    await ctx?.client.close().catch(() => undefined);
  }
}

/**
 * The error the engine (and any `console.error`) sees: it starts with a stable code people can search for
 * (`[OBProxy.StopTimeout]`, `[ObProxy.LockHeld]`), is named after the resource, and holds no secret anywhere.
 */
function labelAndRedact(e: unknown, label: string, secrets: string[]): unknown {
  if (!(e instanceof Error)) return new Error(redact(withCode(`${label}: ${String(e)}`, "ObProxy.Internal"), secrets));
  // Client errors do not know which resource they belong to; the engine shows no URN for dynamic providers.
  const before = e.message;
  const labelled = before.startsWith(label) ? before : `${label}: ${before}`;
  e.message = withCode(labelled, errorCode(e));
  // A partial failure's reason is its message: keep them the same text.
  const partial = e as Error & { reasons?: unknown };
  if (Array.isArray(partial.reasons)) partial.reasons = partial.reasons.map((r) => (r === before || r === labelled ? e.message : r));
  return redactError(e, secrets);
}

/** Builds the provider functions over injectable dependencies (tests, benchmark); the module exports use defaults. */
export function createLifecycle(given: ProviderDeps = {}): ObProxyLifecycle {
  // This instance's configuration: a host's (native plugin) or, for the dynamic provider, what configure() receives.
  // It travels to each operation through its context; there is no module state.
  const deps: ProviderDeps = { ...given };
  return {
    async configure(req) {
      // The engine's first call: tune before the young generation has had a reason to grow (host-tuning.ts).
      if (deps.tuneHost) tuneHostGc();
      deps.config = req.config as ConfigReader | undefined;
    },
    async check(_olds, news) {
      if (deps.tuneHost) tuneHostGc();
      let failures: CheckFailure[];
      try {
        failures = checkInputs(news);
      } catch (e) {
        // check must never throw (the engine would show a stack trace instead of the property at fault).
        failures = [{ property: "", reason: `internal error while checking inputs: ${(e as Error).message}` }];
      }
      // Normal forms go to the engine (and into state), so the next diff compares like with like.
      return { inputs: failures.length === 0 ? normalizeInputs(news) : news, failures };
    },
    async diff(_id, olds, news) {
      return diffProps(olds, news);
    },
    async create(inputs, op = {}) {
      return run(inputs, deps, op, (ctx) => createObproxy(ctx, inputs as ObProxyInputs), "create");
    },
    async read(id, props = {}, op = {}) {
      // An import sends only the id: for the native plugin it names the agent and home (import.ts); the dynamic
      // provider never gets this far (the engine finds no __provider to call).
      if (typeof props.endpoint !== "string") {
        const where = parseImportId(id);
        if (!where) throw new Error(`ObProxy: cannot import id "${id}": expected ${IMPORT_ID_FORMAT}`);
        return run({ endpoint: where.endpoint, homePath: where.homePath }, deps, op, (ctx) => importObproxy(ctx, where));
      }
      return run(props, deps, op, (ctx) => readObproxy(ctx, id, props as ObProxyOutputs & ObProxyInputs));
    },
    async update(id, olds, news, op = {}) {
      return { outs: await run(news, deps, op, (ctx) => updateObproxy(ctx, id, olds as Partial<ObProxyOutputs>, news as ObProxyInputs), "update") };
    },
    async delete(_id, props, op = {}) {
      await run(props, deps, op, (ctx) => deleteObproxy(ctx, props as Partial<ObProxyOutputs>), "delete");
    },
  };
}

// The shim in state calls this one, inside Pulumi's dynamic-provider plugin.
const defaultLifecycle = createLifecycle({ quietPluginErrors: true, tuneHost: true });

/** Stores the stack config (agent password fallback). */
export const configure = defaultLifecycle.configure;
/** Validates inputs locally. */
export const check = defaultLifecycle.check;
/** Compares old outputs with new inputs. */
export const diff = defaultLifecycle.diff;
/** Adds (or adopts) the OBProxy. */
export const create = defaultLifecycle.create;
/** Refreshes the outputs; `{}` when gone. */
export const read = defaultLifecycle.read;
/** Starts/stops the OBProxy or stores new settings. */
export const update = defaultLifecycle.update;
const deleteResource = defaultLifecycle.delete;
/** Deletes the OBProxy and waits for obshell's Delete DAG. */
export { deleteResource as delete };

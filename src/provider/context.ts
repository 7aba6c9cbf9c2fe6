/**
 * What one provider operation works with: a client for this resource's agent, a progress reporter, the secrets to
 * keep out of text, and a clock. Built per call from the props (the provider keeps no client between calls, so a
 * rotated password, key or certificate is picked up by the next call).
 */
import { createObshellClient, OBSHELL_TASK_MIN_DURATIONS_MS, type ObshellClient, type ObshellClientOptions } from "../obshell";
import { resolveAgentPassword, type ConfigReader } from "./config";
import { createProgressReporter, resourceLabel, verbosityFromEnv, type LineSink, type ProgressReporter, type Verbosity } from "./progress";
import { secretValues } from "./secrets";
import type { ObProxyInputs } from "./types";

/** Everything an operation needs besides its props. */
export interface OpContext {
  client: ObshellClient;
  /** "ObProxy <name> (<endpoint>)": starts every progress line and error message. */
  label: string;
  progress: ProgressReporter;
  secrets: string[];
  now(): number;
  /** Per-call overrides from the host (native plugin, Terraform provider, operator command). */
  /** The provider configuration of this lifecycle instance (the agent password fallback). */
  config?: ConfigReader;
  op: OperationOptions;
  /** The operation's one deadline, once it has computed it (deadline.ts); every request of `client` obeys it. */
  deadline?: OperationDeadline;
  /** DAGs this operation started (the ids obshell's answers to our own requests returned): always ours. */
  startedDags: Set<string>;
  /** The DAG this operation is waiting for or acting on now, named when the deadline passes or the wait is aborted. */
  inFlight?: { id: string; name: string };
  /**
   * The newest maintenance DAG (`dag_id`) obshell reported right before our last add was sent: a DAG at or below it
   * existed before our request and cannot be the one it created.
   */
  newestBeforeAdd?: number;
  /** The last DAG of this operation that ended (named by errors that come after it). */
  ended?: { id: string; name: string; state: string };
}

/** The deadline of one create, update or delete: computed once, at its start. */
export interface OperationDeadline {
  /** Epoch ms (ctx.now() scale). */
  at: number;
  /** The limit it was computed from, and where that limit is set (`timeouts.delete`, or the host's override). */
  timeoutMs: number;
  setting: string;
}

/**
 * What a host other than the dynamic provider can add to one call. The dynamic provider passes none of these
 * (Pulumi's dynamic plugin drops customTimeouts and has no Cancel); the native plugin and the Terraform provider do.
 */
export interface OperationOptions {
  /** The operation's time limit in ms (Pulumi customTimeouts, a Terraform `timeouts` block); wins over `timeouts`. */
  timeoutMs?: number;
  /** Aborts in-flight requests and waits (Pulumi Cancel, Terraform StopProvider, Ctrl-C in the operator command). */
  signal?: AbortSignal;
}

/** Injectable parts, for tests and the benchmark; the defaults are the real ones. */
export interface ProviderDeps {
  /** Where progress lines go. @default console.log */
  sink?: LineSink;
  /** Epoch ms. @default Date.now */
  now?: () => number;
  /** How much to print. @default from PULUMI_OBPROXY_VERBOSITY, else "info" */
  verbosity?: Verbosity;
  /**
   * Provider configuration a host already knows (the native plugin's Configure): the agent password fallback.
   * The dynamic provider's comes through `configure()` of the lifecycle instance instead.
   */
  config?: ConfigReader;
  /** Extra client options (e.g. a fake clock); never credentials, which come from the props. */
  clientOptions?: Partial<ObshellClientOptions>;
  /**
   * Leave out the dynamic-provider plugin's stderr copy of each error (message twice and a stack trace): the
   * engine shows the message. Only the lifecycle the serialized shim calls sets it. @default false
   */
  quietPluginErrors?: boolean;
  /** Keep the host process's V8 young generation from growing (host-tuning.ts); the plugin processes' lifecycles. */
  tuneHost?: boolean;
}

/**
 * Environment variable for agents whose tasks run faster than obshell's (obshell-sim's `timeScale`): the client's
 * poll schedule sleeps through obshell's known minimum task durations, scaled by this factor. Unset for real agents.
 */
export const TASK_TIME_SCALE_ENV = "OBSHELL_TASK_TIME_SCALE";

/** Minimum task durations scaled for a fast simulator, when the environment asks for it. */
export function scaledTaskDurations(env: NodeJS.ProcessEnv): Partial<ObshellClientOptions> {
  const scale = Number(env[TASK_TIME_SCALE_ENV]);
  if (!env[TASK_TIME_SCALE_ENV] || !Number.isFinite(scale) || scale < 0) return {};
  const entries = Object.entries(OBSHELL_TASK_MIN_DURATIONS_MS).map(([task, ms]) => [task, ms * scale]);
  return { taskMinDurationsMs: Object.fromEntries(entries) };
}

/** Client options for these props: endpoint, TLS, key pin, and the agent password read at call time. */
export function clientOptionsFor(props: Partial<ObProxyInputs>, extra: Partial<ObshellClientOptions> = {}, config?: ConfigReader): ObshellClientOptions {
  const tls = props.tls;
  return {
    ...scaledTaskDurations(process.env),
    ...extra,
    endpoint: String(props.endpoint),
    // A function, so the password is read when a request needs it and never copied into the client options.
    agentPassword: () => resolveAgentPassword(props, process.env, config).value,
    ...(tls
      ? { tls: { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.insecureSkipVerify !== true } }
      : {}),
    ...(props.agentPublicKeyPin ? { publicKeyPin: props.agentPublicKeyPin } : {}),
  };
}

/** Builds the context of one operation. Close `client` when done. */
export function createContext(props: Partial<ObProxyInputs>, deps: ProviderDeps = {}, op: OperationOptions = {}, config: ConfigReader | undefined = deps.config): OpContext {
  const secrets = secretValues(props as Record<string, unknown>, config);
  const label = resourceLabel(props);
  const now = deps.now ?? (() => Date.now());
  const progress = createProgressReporter(label, secrets, deps.sink ?? ((line) => console.log(line)), {
    verbosity: deps.verbosity ?? verbosityFromEnv(),
    now,
  });
  // Every request of this operation's client reads the operation's deadline (set once the operation computed it)
  // and the host's abort signal: no request timeout, retry or backoff outlives either. Its request trace goes to
  // the progress sink at debug verbosity (redacted there too).
  const bounds = {
    log: (line: string) => progress.debug(line),
    ...deps.clientOptions,
    deadline: () => ctx.deadline?.at,
    ...(op.signal ? { signal: op.signal } : {}),
  };
  const ctx: OpContext = {
    client: createObshellClient(clientOptionsFor(props, bounds, config)),
    label,
    progress,
    secrets,
    now,
    op,
    config,
    startedDags: new Set(),
  };
  return ctx;
}

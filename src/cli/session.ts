/**
 * What one command run works with: a client of the agent (same client and redaction as the provider), where
 * progress and results go, the deadline and a signal that Ctrl-C aborts.
 */
import { readFileSync } from "node:fs";
import { createObshellClient, type ObshellClient } from "../obshell";
import { clientOptionsFor, scaledTaskDurations } from "../provider/context";
import { redact } from "../provider/secrets";
import type { ObProxyInputs } from "../provider/types";
import { UsageError, requireEndpoint, type CommonOptions } from "./options";

/** Where a command writes. Results go to `out` (stdout), progress and errors to `err` (stderr). */
export interface Streams {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** A command's working set. */
export interface Session {
  options: CommonOptions;
  /** The resource-shaped props (endpoint, password, TLS, pin) the provider lifecycle takes. */
  props: Partial<ObProxyInputs> & { endpoint: string };
  client: ObshellClient;
  streams: Streams;
  signal: AbortSignal;
  secrets: string[];
  /** Writes a result: JSON when --json, else the text. */
  result(json: unknown, text: string): void;
  /** Client options taken from the environment (task time scale for a sped-up simulator). */
  envClientOptions: ReturnType<typeof scaledTaskDurations>;
  /** Redacts every secret of this run from a text. */
  redact(text: string): string;
}

function readPem(path: string | undefined, flag: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`--${flag} ${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

/** Builds the session; the caller closes `client`. */
export function openSession(options: CommonOptions, agentPassword: string, streams: Streams, signal: AbortSignal, env: NodeJS.ProcessEnv): Session {
  const endpoint = requireEndpoint(options);
  const tls = {
    ca: readPem(options.ca, "ca"),
    cert: readPem(options.cert, "cert"),
    key: readPem(options.key, "key"),
    insecureSkipVerify: options.insecureSkipVerify,
  };
  const hasTls = tls.ca !== undefined || tls.cert !== undefined || tls.key !== undefined || tls.insecureSkipVerify;
  const props = {
    endpoint,
    agentPassword,
    ...(hasTls ? { tls: Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined)) } : {}),
    ...(options.pin ? { agentPublicKeyPin: options.pin } : {}),
  } as Partial<ObProxyInputs> & { endpoint: string };
  const secrets = [agentPassword, tls.key].filter((s): s is string => typeof s === "string" && s.length >= 3);
  const envClientOptions = scaledTaskDurations(env);
  const client = createObshellClient(clientOptionsFor(props, envClientOptions));
  const clean = (text: string) => redact(text, secrets);
  return {
    options,
    props,
    client,
    streams: { out: (l) => streams.out(clean(l)), err: (l) => streams.err(clean(l)) },
    signal,
    secrets,
    envClientOptions,
    redact: clean,
    result(json, text) {
      if (options.json) streams.out(clean(JSON.stringify(json, null, 2)));
      else streams.out(clean(text));
    },
  };
}

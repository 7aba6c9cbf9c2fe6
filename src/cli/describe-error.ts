/**
 * One line per failure, starting with the same stable code the provider's errors carry (provider/messages.ts),
 * then what happened and what to run next. No stack trace (`PULUMI_OBPROXY_VERBOSITY=debug` adds it).
 */
import { isDagTimeoutError, isObshellApiError } from "../obshell";
import { isObProxyError } from "../provider/errors";
import { errorCode, withCode } from "../provider/messages";
import { EXIT } from "./options";

/** The printed text and the exit code of a failure. */
export function describeError(e: unknown, signal: AbortSignal): { text: string; exitCode: number } {
  const message = e instanceof Error ? e.message : String(e);
  if (signal.aborted) {
    return { text: withCode(`${message}. Any DAG keeps running in obshell: pulumi-obproxy status shows it`, "ObProxy.Interrupted"), exitCode: EXIT.interrupted };
  }
  const timedOut = isDagTimeoutError(e) || (isObProxyError(e) && (e.code === "DagTimeout" || e.code === "DeadlineExceeded"));
  const trace = isObshellApiError(e) && e.traceId && !message.includes(e.traceId) ? ` (traceId ${e.traceId})` : "";
  return { text: withCode(`${message}${trace}`, errorCode(e)), exitCode: timedOut ? EXIT.timeout : EXIT.failed };
}

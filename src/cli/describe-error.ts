/**
 * One line per failure, starting with a stable code an operator can search for: obshell's errCode when obshell
 * said it, `ObProxy.<Code>` for the provider's own, then what happened and what to run next. No stack trace
 * (`PULUMI_OBPROXY_VERBOSITY=debug` adds it).
 */
import { isDagFailedError, isDagTimeoutError, isNetworkError, isObshellApiError, isObshellError } from "../obshell";
import { isObProxyError } from "../provider/errors";
import { EXIT } from "./options";

/** The printed text and the exit code of a failure. */
export function describeError(e: unknown, signal: AbortSignal): { text: string; exitCode: number } {
  const message = e instanceof Error ? e.message : String(e);
  if (signal.aborted) {
    return { text: `[ObProxy.Interrupted] ${message}. Any DAG keeps running in obshell: pulumi-obproxy status shows it`, exitCode: EXIT.interrupted };
  }
  if (isObProxyError(e)) {
    const code = e.code === "DagTimeout" ? EXIT.timeout : EXIT.failed;
    return { text: message.startsWith("[") ? message : `[ObProxy.${e.code}] ${message}`, exitCode: code };
  }
  if (isDagFailedError(e)) return { text: `[${e.errCode ?? "ObProxy.DagFailed"}] ${message}`, exitCode: EXIT.failed };
  if (isDagTimeoutError(e)) return { text: `[ObProxy.DagTimeout] ${message}`, exitCode: EXIT.timeout };
  if (isObshellApiError(e)) {
    const trace = e.traceId ? ` (traceId ${e.traceId})` : "";
    return { text: `[${e.errCode ?? `HTTP ${e.status}`}] ${message}${trace}`, exitCode: EXIT.failed };
  }
  if (isNetworkError(e)) return { text: `[Network.${e.kind}] ${message}`, exitCode: EXIT.failed };
  if (isObshellError(e)) return { text: `[${e.name}] ${message}`, exitCode: EXIT.failed };
  return { text: `[Error] ${message}`, exitCode: EXIT.failed };
}

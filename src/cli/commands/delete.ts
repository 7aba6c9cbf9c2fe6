/**
 * `pulumi-obproxy delete`: the same delete as `pulumi destroy` — the provider lifecycle's delete, so every rule
 * (one deadline, resume a running Delete DAG or retry a failed one instead of sending a second DELETE, never act on
 * a DAG we did not start, success only when obshell manages no OBProxy) is the provider's, not a copy.
 */
import { createLifecycle } from "../../provider/lifecycle";
import { DEFAULT_TIMEOUTS_MS, formatDuration } from "../../provider/durations";
import { EXIT } from "../options";
import type { Session } from "../session";

/** Runs `delete`; the error (if any) propagates to main, which prints it with its code and next command. */
export async function deleteCommand(s: Session): Promise<number> {
  const timeoutMs = s.options.timeoutMs ?? DEFAULT_TIMEOUTS_MS.delete;
  const lifecycle = createLifecycle({ sink: s.streams.err, clientOptions: s.envClientOptions });
  const props = { ...s.props, resourceName: "delete" };
  const started = Date.now();
  await lifecycle.delete(s.props.endpoint, props, { timeoutMs, signal: s.signal });
  const info = await s.client.getInfo({ signal: s.signal });
  const took = formatDuration(Date.now() - started);
  s.result({ endpoint: s.props.endpoint, deleted: true, obproxyManaged: info.isObproxyAgent === true, tookMs: Date.now() - started }, `obshell at ${s.props.endpoint} manages no OBProxy (${took})`);
  return EXIT.ok;
}

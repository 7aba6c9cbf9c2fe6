/**
 * The commands we tell people to run about a DAG — the one wording of "retry or pass it" in this package. Our
 * operator command first (it builds obshell's encrypted header; a raw `POST /api/v1/task/dag/<id>` cannot be sent by
 * hand), then obshell's own command for someone with a shell on the agent host. The client uses it in its hints;
 * the provider's messages (provider/messages.ts) build every sentence around it.
 */

/** A DAG operator as a person types it. */
export type OperatorVerb = "retry" | "pass" | "watch" | "show";

/** `pulumi-obproxy dag retry <id> --endpoint <url>` (on the agent host: `obshell task retry -i <id>`). */
export function dagCommand(verb: OperatorVerb, dagId: string, endpoint?: string): string {
  const ours = `pulumi-obproxy dag ${verb} ${dagId}${endpoint ? ` --endpoint ${endpoint}` : ""}`;
  // obshell's CLI has watch/retry/pass; "show" is our own.
  const theirs = verb === "show" ? "" : ` (on the agent host: \`obshell task ${verb} -i ${dagId}\`)`;
  return `\`${ours}\`${theirs}`;
}

/** What to do about a FAILED DAG holding obshell's OBProxy lock: retry after fixing, or pass (work left undone). */
export function retryOrPass(dagId: string, endpoint?: string): string {
  return (
    `fix the cause, then retry it: ${dagCommand("retry", dagId, endpoint)}; ` +
    `or pass it, which marks the failed task done without running it (its work stays undone): ${dagCommand("pass", dagId, endpoint)}`
  );
}

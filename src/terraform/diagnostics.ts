/**
 * Diagnostics from lifecycle errors. The lifecycle's messages already name the DAG, task, errCode and traceId and
 * are redacted; here they only get Terraform's words for the next command (the lifecycle speaks Pulumi's), and
 * a partially created resource's properties, so the caller can keep it in state.
 */
import { isObProxyError } from "../provider/errors";
import { AGENT_PASSWORD_ENV } from "../provider/types";

/** A tfplugin6 Diagnostic (severity 1 = ERROR, 2 = WARNING). */
export interface Diagnostic {
  severity: 1 | 2;
  summary: string;
  detail?: string;
  attribute?: { steps: { attribute_name?: string; element_key_string?: string }[] };
}

const COMMANDS: [RegExp, string][] = [
  [/`pulumi up`/g, "`terraform apply`"],
  [/`pulumi destroy`/g, "`terraform destroy`"],
  [/`pulumi refresh`/g, "`terraform refresh`"],
  [/pulumi up/g, "terraform apply"],
  [/pulumi destroy/g, "terraform destroy"],
];

/** A lifecycle message with Terraform's commands where it names Pulumi's (wording only; nothing branches on it). */
export function terraformWording(message: string): string {
  let text = message;
  for (const [re, to] of COMMANDS) text = text.replace(re, to);
  return text;
}

/** An error diagnostic for a failed operation. */
export function errorDiagnostic(operation: string, e: unknown): Diagnostic {
  const message = terraformWording(e instanceof Error ? e.message : String(e));
  // The lifecycle names Pulumi's places for the password; add Terraform's (decided by the error code, not its text).
  const hint = isObProxyError(e) && e.code === "NoPassword"
    ? `\nWith Terraform: set agent_password on the resource or in the provider block, or the environment variable ${AGENT_PASSWORD_ENV}.`
    : "";
  return { severity: 1, summary: `${operation} failed`, detail: message + hint };
}

/** The state a failed operation left behind (a lifecycle partial failure), if any. */
export function partialFailure(e: unknown): { id: string; properties: Record<string, unknown> } | undefined {
  const p = e as { id?: unknown; properties?: unknown };
  if (typeof p?.id !== "string" || p.properties === null || typeof p.properties !== "object") return undefined;
  return { id: p.id, properties: p.properties as Record<string, unknown> };
}

/**
 * Progress for the Terraform log. The plugin's stderr is read by go-plugin: hclog JSON lines are logged at their
 * level (so `TF_LOG=INFO` shows obshell's DAG progress), anything else as raw text at DEBUG. stdout is reserved
 * for the handshake line.
 */

/** One hclog JSON line; its timestamp needs exactly six fractional digits, or go-plugin treats the line as text. */
export function logLine(level: "info" | "warn" | "error", message: string, now = new Date()): string {
  const timestamp = now.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
  return JSON.stringify({ "@level": level, "@message": message, "@module": "obproxy", "@timestamp": timestamp });
}

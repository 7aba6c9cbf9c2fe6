/**
 * Test requests built the SDK way with the shared crypto helpers and plain fetch (never the client).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { encodeAesKeys, encryptAuthHeader, encryptBody, generateAesKeys, parseAgentPublicKey, type AesKeys, type HeaderKeyStyle } from "../../../src/obshell/crypto";
import { AGENT_HEADER, OCEANBASE_HEADER } from "../../../src/obshell/schemas";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../../src/simulator";

/** The §7.1 test key. */
export const TEST_KEY_PEM = readFileSync(join(__dirname, "../../fixtures/test-agent-key-1024.pem"), "utf8");

/** A memory-mode simulator with the fixed key, fast time and a password. */
export function startTestSim(o: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ mode: "memory", timeScale: 0.01, agentPassword: "agentpwd", privateKeyPem: TEST_KEY_PEM, ...o });
}

/** One call's options. */
export interface CallOptions {
  method?: string;
  body?: unknown;
  /** Raw body text sent as is (after encryption unless `plainBody`). */
  rawBody?: string | Buffer;
  plainBody?: boolean;
  password?: string;
  headerName?: string | null;
  style?: HeaderKeyStyle;
  /** Overrides of the header JSON fields, or a full JSON text. */
  fields?: Partial<{ auth: string; ts: unknown; uri: string; keys: unknown }>;
  headerJsonText?: string;
  keys?: AesKeys;
  /** Extra headers. */
  headers?: Record<string, string>;
  tsOffsetSec?: number;
  signal?: AbortSignal;
}

/** The JSON answer plus status. */
export interface CallResult {
  status: number;
  text: string;
  json: any;
  contentType: string | null;
}

/** Fetches the agent's public key. */
export async function publicKey(sim: Simulator) {
  const r = await fetch(`${sim.url}/api/v1/secret`);
  const j = (await r.json()) as { data: { public_key: string } };
  return parseAgentPublicKey(j.data.public_key);
}

/** Sends an encrypted request like the Python SDK (or Go, with style "go"). */
export async function call(sim: Simulator, uri: string, o: CallOptions = {}): Promise<CallResult> {
  const key = await publicKey(sim);
  const keys = o.keys ?? generateAesKeys();
  const hasBody = o.body !== undefined || o.rawBody !== undefined;
  const fields: Record<string, unknown> = {
    auth: o.password ?? "agentpwd",
    ts: String(Math.floor(Date.now() / 1000) + (o.tsOffsetSec ?? 60)),
    uri,
    keys: o.style === "go" && !hasBody ? null : encodeAesKeys(keys),
    ...o.fields,
  };
  const headers: Record<string, string> = { ...o.headers };
  const name = o.headerName === undefined ? AGENT_HEADER : o.headerName;
  if (name) {
    if (o.headerJsonText !== undefined) {
      const { rsaEncryptChunked } = await import("../../../src/obshell/crypto");
      headers[name] = rsaEncryptChunked(Buffer.from(o.headerJsonText), key);
    } else {
      headers[name] = encryptAuthHeader(fields as never, key, o.style ?? "python");
    }
  }
  let body: string | Buffer | undefined;
  if (o.rawBody !== undefined) body = o.plainBody ? o.rawBody : encryptBody(o.rawBody, keys);
  else if (o.body !== undefined) body = o.plainBody ? JSON.stringify(o.body) : encryptBody(JSON.stringify(o.body), keys);
  const r = await fetch(`${sim.url}${uri}`, { method: o.method ?? (hasBody ? "POST" : "GET"), headers, body, signal: o.signal });
  const text = await r.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, text, json, contentType: r.headers.get("content-type") };
}

/** Polls a DAG until it is SUCCEED or FAILED (bounded). */
export async function waitDag(sim: Simulator, id: string, timeoutMs = 10_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
    const r = await call(sim, `/api/v1/task/dag/${id}`);
    const d = r.json?.data;
    if (d && (d.state === "SUCCEED" || d.state === "FAILED")) return d;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`DAG ${id} did not finish in ${timeoutMs} ms`);
}

export { AGENT_HEADER, OCEANBASE_HEADER };

/** A valid add body for memory mode. */
export function addBody(home = "/home/admin/obproxy", extra: Record<string, unknown> = {}) {
  return { home_path: home, name: "", sql_port: 2883, rpc_port: 2885, exporter_port: 2884, rs_list: "127.0.0.1:2881", config_url: null, proxyro_password: "p", obproxy_sys_password: "s", parameters: null, ...extra };
}

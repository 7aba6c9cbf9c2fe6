/**
 * OBProxy routes (protocol §4): add, delete, start, stop, upgrade and the package upload. Each DAG-creating request
 * is sent at most once. A refusal because another OBProxy task holds obshell's lock names that DAG in the hint.
 */
import { retryOrPass } from "./advice";
import { randomBytes } from "node:crypto";
import type { Api, InternalCallOptions } from "./api";
import { ConfigError, ObshellApiError, isObshellApiError } from "./errors";
import { findObproxyMaintenanceDag } from "./tasks";
import {
  AddObproxyParamsSchema,
  DagDetailSchema,
  ErrCode,
  UpgradeObproxyParamsSchema,
  UpgradePkgInfoSchema,
  type AddObproxyParams,
  type DagDetail,
  type UpgradeObproxyParams,
  type UpgradePkgInfo,
} from "./schemas";
import type { AuthedSpec } from "./auth";
import { parseData } from "./envelope";
import type { z } from "zod";

/** Validates a request body with its schema; the message names fields, never values (passwords live here). */
function checkParams<S extends z.ZodType>(schema: S, params: unknown, field: string): z.infer<S> {
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new ConfigError(field, issues);
  }
  return parsed.data;
}

/** Sends a DAG-creating request once; an UnderMaintenance refusal gets the lock holder's id in its hint. */
async function createDag(api: Api, spec: AuthedSpec, o: InternalCallOptions): Promise<DagDetail> {
  try {
    return await api.authedData(DagDetailSchema, spec, o);
  } catch (e) {
    throw await withHolderHint(api, e, o);
  }
}

/** Adds the lock holder to an UnderMaintenance error (best effort: a failed lookup keeps the original error). */
export async function withHolderHint(api: Api, e: unknown, o: InternalCallOptions): Promise<unknown> {
  if (!isObshellApiError(e)) return e;
  const legacy = e.errCode === undefined && /under maintenance/i.test(e.apiMessage);
  if (e.errCode !== ErrCode.UnderMaintenance && !legacy) return e;
  try {
    const holder = await findObproxyMaintenanceDag(api, { ...o, retries: 0 });
    if (!holder) return e;
    const hint = `${e.hint ?? ""} The lock is held by ${holder.name} DAG ${holder.id} (${holder.state}); wait for it${holder.state === "FAILED" ? `, or ${retryOrPass(holder.id)}` : ""}.`.trim();
    return new ObshellApiError(
      {
        status: e.status,
        ...(e.errCode !== undefined ? { errCode: e.errCode } : {}),
        ...(e.code !== undefined ? { code: e.code } : {}),
        apiMessage: e.apiMessage,
        ...(e.subErrors !== undefined ? { subErrors: e.subErrors } : {}),
        traceId: e.traceId,
        method: e.method,
        path: e.path,
        hint,
      },
      { cause: e },
    );
  } catch {
    return e;
  }
}

/** `POST /api/v1/obproxy`: add (or take over) an OBProxy; returns the "Add obproxy" DAG. */
export async function addObproxy(api: Api, params: AddObproxyParams, o: InternalCallOptions = {}): Promise<DagDetail> {
  const body = checkParams(AddObproxyParamsSchema, params, "params");
  return createDag(api, { method: "POST", target: "/api/v1/obproxy", json: body }, o);
}

/** `DELETE /api/v1/obproxy`: the "Delete obproxy" DAG, or `not-managed` when obshell answers 204. */
export async function deleteObproxy(api: Api, o: InternalCallOptions = {}): Promise<{ kind: "dag"; dag: DagDetail } | { kind: "not-managed" }> {
  const spec: AuthedSpec = { method: "DELETE", target: "/api/v1/obproxy" };
  let answer;
  try {
    answer = await api.authed(spec, o);
  } catch (e) {
    throw await withHolderHint(api, e, o);
  }
  if (answer.status === 204) return { kind: "not-managed" };
  return { kind: "dag", dag: parseData(DagDetailSchema, answer, spec) };
}

/** `POST /api/v1/obproxy/start`: the "Start obproxy" DAG (not a maintenance DAG; it does not take the lock). */
export function startObproxy(api: Api, o: InternalCallOptions = {}): Promise<DagDetail> {
  return createDag(api, { method: "POST", target: "/api/v1/obproxy/start" }, o);
}

/** `POST /api/v1/obproxy/stop`: the "Stop obproxy" DAG. */
export function stopObproxy(api: Api, o: InternalCallOptions = {}): Promise<DagDetail> {
  return createDag(api, { method: "POST", target: "/api/v1/obproxy/stop" }, o);
}

/** `POST /api/v1/obproxy/upgrade`: the "Upgrade obproxy" DAG (upload the package first). */
export async function upgradeObproxy(api: Api, params: UpgradeObproxyParams, o: InternalCallOptions = {}): Promise<DagDetail> {
  const body = checkParams(UpgradeObproxyParamsSchema, params, "params");
  return createDag(api, { method: "POST", target: "/api/v1/obproxy/upgrade", json: body }, o);
}

/**
 * `POST /api/v1/obproxy/package`: uploads an obproxy-ce RPM. The whole multipart body is AES-encrypted like any
 * other body, while Content-Type stays the plaintext multipart one with its boundary (§4.6).
 */
export async function uploadObproxyPackage(api: Api, file: { filename: string; data: Buffer }, o: InternalCallOptions = {}): Promise<UpgradePkgInfo> {
  if (!file || typeof file.filename !== "string" || file.filename === "" || !Buffer.isBuffer(file.data)) {
    throw new ConfigError("file", "must be { filename: non-empty string, data: Buffer }");
  }
  const { bytes, contentType } = multipartFile("file", file.filename, file.data);
  return api.authedData(UpgradePkgInfoSchema, { method: "POST", target: "/api/v1/obproxy/package", raw: { bytes, contentType } }, o);
}

/** A multipart/form-data body with one file field and a random boundary. */
export function multipartFile(field: string, filename: string, data: Buffer, boundary = `----obshell${randomBytes(16).toString("hex")}`): { bytes: Buffer; contentType: string } {
  // Quotes and line breaks would end the header early; Go's parser takes the base name anyway.
  const safeName = filename.replace(/["\r\n\\]/g, "_");
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${safeName}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  return { bytes: Buffer.concat([Buffer.from(head, "utf8"), data, Buffer.from(tail, "utf8")]), contentType: `multipart/form-data; boundary=${boundary}` };
}

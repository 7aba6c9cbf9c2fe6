/**
 * POST /api/v1/obproxy/package (§4.6): the encrypted multipart body (already decrypted by the server), field `file`.
 *
 * Known gap: the RPM itself is not parsed. Name, version, release and architecture come from the file name
 * (`obproxy-ce-<version>-<release>.<arch>.rpm`), and the `bin/obproxy` presence check is skipped.
 */
import { createHash } from "node:crypto";
import { UpgradePkgInfoSchema, compareVersions, type UpgradePkgInfo } from "../../obshell/schemas";
import { formatGoTime } from "../clock";
import type { HandlerResult, SimRequest } from "../routes";
import { E } from "../sim-errors";

interface FilePart {
  filename: string;
  data: Buffer;
}

/** Extracts the `file` part of a multipart/form-data body. */
export function parseMultipartFile(body: Buffer, contentType: string, field = "file"): FilePart | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) return undefined;
  const delim = Buffer.from(`--${b}`);
  let pos = body.indexOf(delim);
  for (let guard = 0; pos >= 0 && guard < 1000; guard++) {
    const start = pos + delim.length;
    const next = body.indexOf(delim, start);
    if (next < 0) break;
    const part = body.subarray(start, next);
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      // The part's content ends before the CRLF that precedes the next delimiter.
      if (name === field) return { filename: filename ?? "", data: part.subarray(headerEnd + 4, part.length - 2) };
    }
    pos = next;
  }
  return undefined;
}

/** The upload handler. */
export function uploadObproxyPackage(req: SimRequest): HandlerResult {
  const s = req.state;
  const file = parseMultipartFile(req.body, String(req.headers["content-type"] ?? ""));
  if (!file) throw E.fileMissing("file", "http: no such file");
  const m = /^(.+?)-(\d+\.\d+\.\d+\.\d+)-([^-]+)\.([a-z0-9_]+)\.rpm$/.exec(file.filename);
  const name = m?.[1] ?? file.filename;
  if (name !== "obproxy-ce") throw E.packageNameInvalid(name);
  const version = m![2]!;
  const releaseDist = m![3]!;
  if (!releaseDist.includes(".")) throw E.unexpected("runtime error: index out of range [1] with length 1");
  if (compareVersions(version, "4.0.0") < 0) throw E.versionNotSupported(version);
  const info: UpgradePkgInfo = UpgradePkgInfoSchema.parse({
    PkgId: s.packages.length + 1, Name: name, Version: version, ReleaseDistribution: releaseDist,
    Distribution: releaseDist.slice(releaseDist.lastIndexOf(".") + 1), Release: releaseDist.slice(0, releaseDist.indexOf(".")),
    Architecture: m![4]!, Size: file.data.length, PayloadSize: file.data.length, ChunkCount: Math.max(1, Math.ceil(file.data.length / (16 << 20))),
    Md5: createHash("md5").update(file.data).digest("hex"), GmtModify: formatGoTime(s.agentNow()),
  });
  s.packages.push(info);
  return { kind: "data", data: info };
}

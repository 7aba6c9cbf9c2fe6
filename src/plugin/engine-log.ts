/**
 * Where progress lines go. The engine passes its address as the plugin's first argument; lines are sent through
 * its `Log` RPC with the resource's URN, so `pulumi up` shows them under the resource. Without an engine (tests
 * that drive the plugin directly) they go to stderr: stdout carries only the port.
 */
import * as grpc from "@grpc/grpc-js";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as eng from "@pulumi/pulumi/proto/engine_pb";

/** Writes one line for a resource. */
export type ResourceLog = (urn: string, line: string, severity?: "info" | "warning") => void;

/** A logger to the engine at `address`, or to stderr when there is none or it cannot be reached. */
export function createResourceLog(address: string | undefined): { log: ResourceLog; close(): void } {
  const toStderr: ResourceLog = (_urn, line) => void process.stderr.write(`${line}\n`);
  if (!address) return { log: toStderr, close: () => undefined };
  const client = new engrpc.EngineClient(address, grpc.credentials.createInsecure());
  // One call at a time: concurrent unary calls may arrive out of order, and progress lines must not.
  let previous: Promise<void> = Promise.resolve();
  const log: ResourceLog = (urn, line, severity = "info") => {
    const req = new eng.LogRequest()
      .setSeverity(severity === "warning" ? eng.LogSeverity.WARNING : eng.LogSeverity.INFO)
      .setMessage(line)
      .setUrn(urn);
    previous = previous.then(
      () => new Promise<void>((resolve) => client.log(req, (err) => {
        if (err) toStderr(urn, line);
        resolve();
      })),
    );
  };
  return { log, close: () => client.close() };
}

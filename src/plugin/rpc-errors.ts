/**
 * Errors back to the engine. A create/update that failed after obshell accepted the work carries the engine's
 * "resource initialization failed" detail (`ErrorResourceInitFailed` in `grpc-status-details-bin`), so the
 * resource stays in state with the outputs known so far, exactly as the dynamic provider's partial failures do.
 */
import * as grpc from "@grpc/grpc-js";
import { Any } from "google-protobuf/google/protobuf/any_pb";
import * as prov from "@pulumi/pulumi/proto/provider_pb";
import * as status from "@pulumi/pulumi/proto/status_pb";
import { toStruct, type Props } from "./values";

/** A gRPC error the engine shows as the step's failure. */
export type RpcFailure = Partial<grpc.StatusObject> & { code: grpc.status; details: string };

/** The error as a gRPC status; a partial failure (id + properties) becomes ErrorResourceInitFailed. */
export function rpcFailure(e: unknown, clean: (props: Props) => Props): RpcFailure {
  const err = e instanceof Error ? e : new Error(String(e));
  const partial = err as Error & { id?: string; properties?: Props; reasons?: string[] };
  const metadata = new grpc.Metadata();
  if (partial.id) {
    const detail = new prov.ErrorResourceInitFailed();
    detail.setId(partial.id);
    detail.setProperties(toStruct(clean(partial.properties ?? {})));
    detail.setReasonsList(partial.reasons ?? [err.message]);
    const any = new Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const st = new status.Status();
    st.setCode(grpc.status.UNKNOWN);
    st.setMessage(err.message);
    st.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(st.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: err.message, metadata };
}

/** The answer for RPCs this provider does not serve; the engine falls back (DiffConfig, Invoke, …). */
export function unimplemented(what: string): RpcFailure {
  return { code: grpc.status.UNIMPLEMENTED, details: `${what} is not implemented by the obproxy provider` };
}

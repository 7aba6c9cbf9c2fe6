/**
 * The engine's side of the ResourceProvider gRPC protocol, for the dynamic-provider plugin: request building,
 * Struct conversion, and the partial-failure details the engine reads from `grpc-status-details-bin`.
 */
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as provgrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as prov from "@pulumi/pulumi/proto/provider_pb";
import * as status from "@pulumi/pulumi/proto/status_pb";

/** JSON property bag. */
export type Props = Record<string, any>;

/** The engine's view of an ErrorResourceInitFailed: the resource exists and is kept in state with these outputs. */
export interface InitFailure {
  id: string;
  properties: Props;
  reasons: string[];
}

/** A failed RPC: the message as the engine shows it, and the partial-failure details when present. */
export class RpcError extends Error {
  override readonly name = "RpcError";
  constructor(
    message: string,
    readonly code: number,
    readonly initFailure?: InitFailure,
  ) {
    super(message);
  }
}

function toStruct(value: Props): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
}

function fromStruct(value: Struct | undefined): Props {
  return (value?.toJavaScript() ?? {}) as Props;
}

/** A failed call as the engine sees it (message, code, partial-failure details). */
export function toRpcError(err: grpc.ServiceError): RpcError {
  let initFailure: InitFailure | undefined;
  const [details] = err.metadata?.get("grpc-status-details-bin") ?? [];
  if (details) {
    const st = status.Status.deserializeBinary(new Uint8Array(details as Buffer));
    for (const any of st.getDetailsList()) {
      const detail = any.unpack(prov.ErrorResourceInitFailed.deserializeBinary, "pulumirpc.ErrorResourceInitFailed");
      if (detail) initFailure = { id: detail.getId(), properties: fromStruct(detail.getProperties()), reasons: detail.getReasonsList() };
    }
  }
  return new RpcError(err.details || err.message, err.code, initFailure);
}

/** Typed calls to a dynamic-provider plugin, in the engine's shapes. */
export class ProviderRpc {
  readonly client: provgrpc.ResourceProviderClient;

  constructor(address: string) {
    this.client = new provgrpc.ResourceProviderClient(address, grpc.credentials.createInsecure());
  }

  private call<Req, Res>(method: string, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      const fn = (this.client as unknown as Record<string, Function>)[method].bind(this.client);
      fn(req, (err: grpc.ServiceError | null, res: Res) => (err ? reject(toRpcError(err)) : resolve(res)));
    });
  }

  /** Configure with the whole stack config (namespaced keys), as the engine does for dynamic providers. */
  async configure(config: Record<string, string>): Promise<{ acceptSecrets: boolean }> {
    const res = await this.call<prov.ConfigureRequest, prov.ConfigureResponse>("configure", new prov.ConfigureRequest().setArgs(toStruct(config)));
    return { acceptSecrets: res.getAcceptsecrets() };
  }

  async check(olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const res = await this.call<prov.CheckRequest, prov.CheckResponse>("check", new prov.CheckRequest().setOlds(toStruct(olds)).setNews(toStruct(news)));
    return { inputs: fromStruct(res.getInputs()), failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
  }

  async diff(id: string, olds: Props, news: Props, oldInputs: Props = {}): Promise<{ changes: "none" | "some" | "unknown"; replaces: string[]; deleteBeforeReplace: boolean }> {
    const req = new prov.DiffRequest().setId(id).setOlds(toStruct(olds)).setNews(toStruct(news)).setOldInputs(toStruct(oldInputs));
    const res = await this.call<prov.DiffRequest, prov.DiffResponse>("diff", req);
    const C = prov.DiffResponse.DiffChanges;
    const changes = res.getChanges() === C.DIFF_SOME ? "some" : res.getChanges() === C.DIFF_NONE ? "none" : "unknown";
    return { changes, replaces: res.getReplacesList(), deleteBeforeReplace: res.getDeletebeforereplace() };
  }

  async create(properties: Props): Promise<{ id: string; properties: Props }> {
    const res = await this.call<prov.CreateRequest, prov.CreateResponse>("create", new prov.CreateRequest().setProperties(toStruct(properties)));
    return { id: res.getId(), properties: fromStruct(res.getProperties()) };
  }

  async read(id: string, properties: Props, inputs: Props = {}): Promise<{ id: string; properties: Props }> {
    const req = new prov.ReadRequest().setId(id).setProperties(toStruct(properties)).setInputs(toStruct(inputs));
    const res = await this.call<prov.ReadRequest, prov.ReadResponse>("read", req);
    return { id: res.getId(), properties: fromStruct(res.getProperties()) };
  }

  async update(id: string, olds: Props, news: Props, oldInputs: Props = {}): Promise<{ properties: Props }> {
    const req = new prov.UpdateRequest().setId(id).setOlds(toStruct(olds)).setNews(toStruct(news)).setOldInputs(toStruct(oldInputs));
    const res = await this.call<prov.UpdateRequest, prov.UpdateResponse>("update", req);
    return { properties: fromStruct(res.getProperties()) };
  }

  /** Exactly what destroy sends: the old outputs as properties, the old inputs alongside. */
  async delete(id: string, properties: Props, oldInputs: Props = {}): Promise<void> {
    const req = new prov.DeleteRequest().setId(id).setProperties(toStruct(properties)).setOldInputs(toStruct(oldInputs));
    await this.call("delete", req);
  }

  close(): void {
    this.client.close();
  }
}

/**
 * The `ResourceProvider` gRPC service of `pulumi-resource-obproxy`, over the same src/provider lifecycle as the
 * dynamic resource: this file only translates the protocol (Structs, secrets, customTimeouts, Cancel, the URN).
 *
 * Why not `provider.main` from @pulumi/pulumi: it drops customTimeouts and provider config (see docs/plugin.md).
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as provgrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as prov from "@pulumi/pulumi/proto/provider_pb";
import * as plug from "@pulumi/pulumi/proto/plugin_pb";
import { sameValue } from "../provider/diff";
import { isObProxyError } from "../provider/errors";
import { PORT_KEYS } from "../provider/ports";
import { createLifecycle, type ObProxyLifecycle, type OperationOptions, type ProviderDeps } from "../provider/lifecycle";
import type { ConfigReader } from "../provider/config";
import { providerConfigReader, checkProviderConfig, readProviderConfig, withTlsDefaults, type ProviderConfig } from "./config";
import type { ResourceLog } from "./engine-log";
import { rpcFailure, unimplemented, type RpcFailure } from "./rpc-errors";
import { INPUT_PROPERTIES, OBPROXY_TOKEN, PACKAGE_NAME, packageSchema } from "./schema";
import { fromStruct, toStruct, type Props } from "./values";

/** What the service needs besides the requests. */
export interface ObProxyServiceOptions {
  version: string;
  log: ResourceLog;
  /** Injectable lifecycle parts (tests); the sink is always the resource log. */
  deps?: Omit<ProviderDeps, "sink">;
}

/** Said when Cancel stopped a wait: the DAG itself is not touched. */
export const CANCEL_REASON = "the Pulumi engine cancelled the operation (Ctrl-C)";

type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => void;

/** The resource name, last part of the URN: it labels progress lines and errors like the dynamic resource's name. */
function nameOf(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/** Seconds of a customTimeouts value as the lifecycle's override; 0 means "not set". */
function timeoutOf(seconds: number): number | undefined {
  return seconds > 0 ? Math.round(seconds * 1000) : undefined;
}

/** The inputs part of outputs (import: the engine stores these as the resource's inputs). */
function inputsFromOutputs(outputs: Props): Props {
  return Object.fromEntries(Object.keys(INPUT_PROPERTIES).filter((k) => outputs[k] !== undefined).map((k) => [k, outputs[k]]));
}

/** Outputs as stored: without the host-only keys the lifecycle carries through. */
function clean(props: Props): Props {
  const { resourceName: _name, __provider: _provider, ...rest } = props;
  return rest;
}

/** The service: one provider per plugin process, calls tracked so Cancel can abort their waits. */
export class ObProxyService {
  private config: ProviderConfig = {};
  /** The provider config as the lifecycles read it (agent password fallback); set by Configure. */
  private configReader: ConfigReader | undefined;
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly options: ObProxyServiceOptions) {}

  /** A lifecycle whose progress lines go to this resource's log. */
  private lifecycle(urn: string): ObProxyLifecycle {
    return createLifecycle({ ...this.options.deps, config: this.configReader, sink: (line) => this.options.log(urn, line) });
  }

  /** Runs one resource operation with its own AbortController; Cancel aborts only these waits. */
  private async operation<T>(timeoutSeconds: number, fn: (op: OperationOptions) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    try {
      const timeoutMs = timeoutOf(timeoutSeconds);
      return await fn({ signal: controller.signal, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    } catch (e) {
      if (controller.signal.aborted && e instanceof Error) e.message += ` [${CANCEL_REASON}; obshell's DAG was left running]`;
      // The lifecycle names the dynamic provider's config key; this provider's is obproxy:agentPassword.
      if (isObProxyError(e) && e.code === "NoPassword") e.message += `; with this provider: pulumi config set --secret ${PACKAGE_NAME}:agentPassword …`;
      throw e;
    } finally {
      this.inFlight.delete(controller);
    }
  }

  /** Wraps an async handler: errors become gRPC statuses (partial failures keep the resource in state). */
  private unary<Req, Res>(handler: (req: Req) => Promise<Res>): Unary<Req, Res> {
    return (call, callback) => {
      handler(call.request).then(
        (res) => callback(null, res),
        (e: unknown) => callback(rpcFailure(e, clean) as grpc.ServiceError),
      );
    };
  }

  private refuse(what: string): Unary<unknown, unknown> {
    return (_call, callback) => callback(unimplemented(what) as RpcFailure as grpc.ServiceError);
  }

  /** The gRPC implementation object. */
  implementation(): Partial<provgrpc.IResourceProviderServer> {
    return {
      getPluginInfo: this.unary(async () => new plug.PluginInfo().setVersion(this.options.version)),
      getSchema: this.unary(async () => new prov.GetSchemaResponse().setSchema(JSON.stringify(packageSchema(this.options.version)))),
      checkConfig: this.unary(async (req: prov.CheckRequest) => {
        const news = fromStruct(req.getNews());
        const { failures } = checkProviderConfig(news);
        const res = new prov.CheckResponse().setInputs(toStruct(news));
        return res.setFailuresList(failures.map((f) => new prov.CheckFailure().setProperty(f.property).setReason(f.reason)));
      }),
      diffConfig: this.refuse("DiffConfig") as never,
      configure: this.unary(async (req: prov.ConfigureRequest) => {
        const raw = readProviderConfig(fromStruct(req.getArgs()), req.getVariablesMap().toArray() as [string, string][]);
        const { config, failures } = checkProviderConfig(raw);
        if (failures.length > 0) throw new Error(`obproxy provider config: ${failures.map((f) => `${f.property} ${f.reason}`).join("; ")}`);
        this.config = config;
        this.configReader = providerConfigReader(config);
        // No preview Create (supportsPreview false): Create always acts.
        return new prov.ConfigureResponse().setAcceptsecrets(true).setSupportspreview(false);
      }),
      check: this.unary(async (req: prov.CheckRequest) => {
        this.assertType(req.getUrn());
        const news = withTlsDefaults(fromStruct(req.getNews()), this.config);
        const result = await this.lifecycle(req.getUrn()).check(fromStruct(req.getOlds()), news);
        const res = new prov.CheckResponse().setInputs(toStruct(result.inputs ?? news));
        return res.setFailuresList((result.failures ?? []).map((f) => new prov.CheckFailure().setProperty(f.property).setReason(f.reason)));
      }),
      diff: this.unary(async (req: prov.DiffRequest) => this.diff(req)),
      create: this.unary(async (req: prov.CreateRequest) => {
        const inputs = { ...fromStruct(req.getProperties()), resourceName: nameOf(req.getUrn()) };
        const created = await this.operation(req.getTimeout(), (op) => this.lifecycle(req.getUrn()).create(inputs, op));
        return new prov.CreateResponse().setId(created.id).setProperties(toStruct(clean(created.outs ?? {})));
      }),
      read: this.unary(async (req: prov.ReadRequest) => this.read(req)),
      update: this.unary(async (req: prov.UpdateRequest) => {
        const news = { ...fromStruct(req.getNews()), resourceName: nameOf(req.getUrn()) };
        const olds = fromStruct(req.getOlds());
        const updated = await this.operation(req.getTimeout(), (op) => this.lifecycle(req.getUrn()).update(req.getId(), olds, news, op));
        return new prov.UpdateResponse().setProperties(toStruct(clean(updated.outs ?? {})));
      }),
      delete: this.unary(async (req: prov.DeleteRequest) => {
        const props = { ...fromStruct(req.getProperties()), resourceName: nameOf(req.getUrn()) };
        await this.operation(req.getTimeout(), (op) => this.lifecycle(req.getUrn()).delete(req.getId(), props, op));
        return new Empty();
      }),
      cancel: this.unary(async () => {
        // Sent on Ctrl-C and at the end of every run: stop waiting, never act on obshell's DAGs.
        for (const controller of this.inFlight) controller.abort(CANCEL_REASON);
        return new Empty();
      }),
    };
  }

  private assertType(urn: string): void {
    const type = urn.split("::")[2]?.split("$").pop();
    if (type && type !== OBPROXY_TOKEN) throw new Error(`the obproxy provider has no resource type ${type} (only ${OBPROXY_TOKEN})`);
  }

  private async diff(req: prov.DiffRequest): Promise<prov.DiffResponse> {
    const olds = fromStruct(req.getOlds());
    const news = fromStruct(req.getNews());
    const outcome = await this.lifecycle(req.getUrn()).diff(req.getId(), olds, news);
    const C = prov.DiffResponse.DiffChanges;
    // Which properties changed is presentation only; what the change means (replace or not) is diffProps's.
    // Ports are compared resolved by diffProps (they are in `replaces` when they change); defaults count as unset.
    const dflt: Props = { running: true, adopt: false };
    const keys = Object.keys(INPUT_PROPERTIES)
      .filter((k) => !(PORT_KEYS as string[]).includes(k))
      .filter((k) => !sameValue(olds[k] ?? dflt[k], news[k] ?? dflt[k]));
    const res = new prov.DiffResponse().setChanges(outcome.changes ? C.DIFF_SOME : C.DIFF_NONE);
    res.setReplacesList(outcome.replaces ?? []).setDeletebeforereplace(outcome.deleteBeforeReplace === true);
    return res.setDiffsList(outcome.changes ? [...new Set([...(outcome.replaces ?? []), ...keys])] : []);
  }

  /** Refresh (old outputs given) or import (only the id: `<endpoint>#<homePath>`). */
  private async read(req: prov.ReadRequest): Promise<prov.ReadResponse> {
    const props = fromStruct(req.getProperties());
    const oldInputs = fromStruct(req.getInputs());
    const importing = Object.keys(props).length === 0 && Object.keys(oldInputs).length === 0;
    const given = importing ? {} : { ...(Object.keys(props).length > 0 ? props : oldInputs), resourceName: nameOf(req.getUrn()) };
    const result = await this.operation(0, (op) => this.lifecycle(req.getUrn()).read(req.getId(), given, op));
    const res = new prov.ReadResponse();
    if (!result.id) return res; // gone: the engine drops it from state (refresh) or reports nothing to import
    const outputs = clean(result.props ?? {});
    res.setId(result.id).setProperties(toStruct(outputs));
    return res.setInputs(toStruct(importing ? inputsFromOutputs(outputs) : oldInputs));
  }
}

/** Serves the provider on 127.0.0.1 (a free port); resolves with the port and a stop function. */
export async function serveObProxyProvider(options: ObProxyServiceOptions): Promise<{ port: number; stop(): Promise<void> }> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 1024 * 1024 * 400 });
  server.addService(provgrpc.ResourceProviderService, new ObProxyService(options).implementation() as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

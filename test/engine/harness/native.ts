/**
 * The engine's side of the protocol for the native plugin (`pulumi-resource-obproxy`): the calls carry the URN,
 * customTimeouts (seconds) and secret-wrapped values, as the engine sends them to a plugin that accepts secrets.
 * The plugin is started the way the engine starts it: the executable through npm's `.bin` symlink, cwd = a
 * directory that is not the package's (a consumer's program directory), the engine address as argument.
 */
import * as grpc from "@grpc/grpc-js";
import { spawn } from "node:child_process";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as provgrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as prov from "@pulumi/pulumi/proto/provider_pb";
import type * as plug from "@pulumi/pulumi/proto/plugin_pb";
import { toRpcError, type Props } from "./rpc";

export const SECRET_SIG = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };

/** A value wrapped as a secret, as the engine sends it. */
export function secret(value: unknown): Props {
  return { [SECRET_SIG.key]: SECRET_SIG.value, value };
}

/** True for a secret-wrapped value. */
export function isSecret(value: unknown): boolean {
  return value !== null && typeof value === "object" && (value as Props)[SECRET_SIG.key] === SECRET_SIG.value;
}

export const urnOf = (name: string) => `urn:pulumi:dev::plugin-test::obproxy:index:ObProxy::${name}`;

const toStruct = (v: Props) => Struct.fromJavaScript(JSON.parse(JSON.stringify(v)));
const fromStruct = (s: Struct | undefined) => (s?.toJavaScript() ?? {}) as Props;

/** Typed calls to the native plugin. */
export class NativeRpc {
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

  async pluginInfo(): Promise<string> {
    return (await this.call<Empty, plug.PluginInfo>("getPluginInfo", new Empty())).getVersion();
  }
  async schema(): Promise<Props> {
    return JSON.parse((await this.call<prov.GetSchemaRequest, prov.GetSchemaResponse>("getSchema", new prov.GetSchemaRequest())).getSchema());
  }
  async checkConfig(news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const res = await this.call<prov.CheckRequest, prov.CheckResponse>("checkConfig", new prov.CheckRequest().setUrn("urn:pulumi:dev::plugin-test::pulumi:providers:obproxy::default").setNews(toStruct(news)));
    return { inputs: fromStruct(res.getInputs()), failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
  }
  /** Configure with provider inputs (`args`, secrets wrapped) as a current engine sends them. */
  async configure(args: Props): Promise<{ acceptSecrets: boolean }> {
    const req = new prov.ConfigureRequest().setArgs(toStruct(args)).setAcceptsecrets(true);
    return { acceptSecrets: (await this.call<prov.ConfigureRequest, prov.ConfigureResponse>("configure", req)).getAcceptsecrets() };
  }
  async check(name: string, news: Props, olds: Props = {}): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const req = new prov.CheckRequest().setUrn(urnOf(name)).setOlds(toStruct(olds)).setNews(toStruct(news));
    const res = await this.call<prov.CheckRequest, prov.CheckResponse>("check", req);
    return { inputs: fromStruct(res.getInputs()), failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
  }
  async create(name: string, props: Props, timeoutSeconds = 0): Promise<{ id: string; properties: Props }> {
    const req = new prov.CreateRequest().setUrn(urnOf(name)).setProperties(toStruct(props)).setTimeout(timeoutSeconds);
    const res = await this.call<prov.CreateRequest, prov.CreateResponse>("create", req);
    return { id: res.getId(), properties: fromStruct(res.getProperties()) };
  }
  async read(name: string, id: string, props: Props = {}, inputs: Props = {}): Promise<{ id: string; properties: Props; inputs: Props }> {
    const req = new prov.ReadRequest().setUrn(urnOf(name)).setId(id).setProperties(toStruct(props)).setInputs(toStruct(inputs));
    const res = await this.call<prov.ReadRequest, prov.ReadResponse>("read", req);
    return { id: res.getId(), properties: fromStruct(res.getProperties()), inputs: fromStruct(res.getInputs()) };
  }
  async diff(name: string, id: string, olds: Props, news: Props): Promise<{ changes: boolean; replaces: string[]; diffs: string[] }> {
    const req = new prov.DiffRequest().setUrn(urnOf(name)).setId(id).setOlds(toStruct(olds)).setNews(toStruct(news));
    const res = await this.call<prov.DiffRequest, prov.DiffResponse>("diff", req);
    return { changes: res.getChanges() === prov.DiffResponse.DiffChanges.DIFF_SOME, replaces: res.getReplacesList(), diffs: res.getDiffsList() };
  }
  async update(name: string, id: string, olds: Props, news: Props, timeoutSeconds = 0): Promise<{ properties: Props }> {
    const req = new prov.UpdateRequest().setUrn(urnOf(name)).setId(id).setOlds(toStruct(olds)).setNews(toStruct(news)).setTimeout(timeoutSeconds);
    const res = await this.call<prov.UpdateRequest, prov.UpdateResponse>("update", req);
    return { properties: fromStruct(res.getProperties()) };
  }
  async delete(name: string, id: string, props: Props, timeoutSeconds = 0): Promise<void> {
    const req = new prov.DeleteRequest().setUrn(urnOf(name)).setId(id).setProperties(toStruct(props)).setTimeout(timeoutSeconds);
    await this.call("delete", req);
  }
  async cancel(): Promise<void> {
    await this.call("cancel", new Empty());
  }
  close(): void {
    this.client.close();
  }
}

/** A running native plugin. */
export interface NativePlugin {
  rpc: NativeRpc;
  /** Every stdout line (the first is the port) and stderr line. */
  stdout: string[];
  stderr: string[];
  /** ms from spawn to the port line. */
  startMs: number;
  /** The plugin's process id (the launcher execs node). */
  pid: number;
  stop(): Promise<void>;
}

/** Starts `command args…` in `cwd` and connects once it printed its port. */
export async function startNativePlugin(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<NativePlugin> {
  const baseEnv = { ...process.env };
  delete baseEnv.OBSHELL_AGENT_PASSWORD;
  const started = Date.now();
  const child = spawn(command, args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...baseEnv, ...env } });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const split = (stream: NodeJS.ReadableStream, into: string[], onLine?: (l: string) => void) => {
    let buf = "";
    stream.setEncoding("utf8");
    stream.on("data", (c: string) => {
      buf += c;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        into.push(line);
        onLine?.(line);
      }
    });
  };
  const port = await new Promise<number>((resolve, reject) => {
    split(child.stdout!, stdout, (line) => (stdout.length === 1 ? resolve(Number(line)) : undefined));
    split(child.stderr!, stderr);
    child.once("exit", (code) => reject(new Error(`plugin exited (${code}) before printing its port:\n${stderr.join("\n")}`)));
  });
  const startMs = Date.now() - started;
  const rpc = new NativeRpc(`127.0.0.1:${port}`);
  return {
    rpc,
    stdout,
    stderr,
    startMs,
    pid: child.pid!,
    async stop() {
      rpc.close();
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          /* gone */
        }
        await exited;
      }
    },
  };
}

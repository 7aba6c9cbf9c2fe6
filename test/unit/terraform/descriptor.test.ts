/**
 * Our tfplugin6 descriptor against the protocol's own definition, read from the Go module cache (never committed):
 * every message, field, enum value and RPC we declare must exist upstream with the same number, type and label.
 * Skipped, visibly, where Go is absent.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import protobuf from "protobufjs";
import { LOADER_OPTIONS, TFPLUGIN6_DESCRIPTOR } from "../../../src/terraform/descriptor";

const MODULE = "github.com/hashicorp/terraform-plugin-go@v0.31.0";
const PROTO = path.join("tfprotov6", "internal", "tfplugin6", "tfplugin6.proto");

/** The upstream tfplugin6.proto text, or a reason it is unavailable. */
function upstreamProto(): { text?: string; skip?: string } {
  const go = spawnSync("go", ["mod", "download", "-json", MODULE], { encoding: "utf8", env: { ...process.env, GOFLAGS: "-modcacherw" } });
  if (go.error) return { skip: "Go is not installed (go mod download gives the upstream tfplugin6.proto)" };
  if (go.status !== 0) throw new Error(`go mod download ${MODULE} failed: ${go.stderr || go.stdout}`);
  const dir = (JSON.parse(go.stdout) as { Dir: string }).Dir;
  return { text: readFileSync(path.join(dir, PROTO), "utf8") };
}

function typeName(field: protobuf.Field): string {
  return field.resolvedType ? field.resolvedType.fullName : field.type;
}

/** Every type and service under a namespace, recursively. */
function* walk(ns: protobuf.NamespaceBase): Generator<protobuf.ReflectionObject> {
  for (const obj of ns.nestedArray) {
    yield obj;
    if (obj instanceof protobuf.Namespace || obj instanceof protobuf.Type) yield* walk(obj as protobuf.NamespaceBase);
  }
}

describe("terraform: tfplugin6 descriptor", () => {
  const ours = protobuf.Root.fromJSON(TFPLUGIN6_DESCRIPTOR as protobuf.INamespace);
  ours.resolveAll();

  it("loads with @grpc/proto-loader and declares the Provider and GRPCController services", () => {
    const pkg = grpc.loadPackageDefinition(protoLoader.fromJSON(TFPLUGIN6_DESCRIPTOR as protobuf.INamespace, LOADER_OPTIONS)) as any;
    assert.ok(pkg.tfplugin6.Provider.service.ApplyResourceChange);
    assert.ok(pkg.tfplugin6.Provider.service.StopProvider);
    assert.ok(pkg.plugin.GRPCController.service.Shutdown);
  });

  it("matches the names, numbers and types of tfplugin6.proto from the Go module cache", function () {
    this.timeout(120_000);
    const { text, skip } = upstreamProto();
    if (!text) {
      console.log(`      (skipped: ${skip})`);
      return this.skip();
    }
    const upstream = new protobuf.Root();
    upstream.addJSON(protobuf.common.get("google/protobuf/timestamp.proto")!.nested!);
    protobuf.parse(text, upstream, { keepCase: true });
    upstream.resolveAll();
    let fields = 0;
    for (const obj of walk(ours.lookup("tfplugin6") as protobuf.Namespace)) {
      const theirs = upstream.lookup(obj.fullName);
      assert.ok(theirs, `${obj.fullName} exists upstream`);
      if (obj instanceof protobuf.Type) {
        assert.ok(theirs instanceof protobuf.Type, `${obj.fullName} is a message upstream`);
        for (const field of obj.fieldsArray) {
          const up: protobuf.Field | undefined = theirs.fields[field.name];
          assert.ok(up, `${obj.fullName}.${field.name} exists upstream`);
          assert.equal(field.id, up.id, `${obj.fullName}.${field.name} number`);
          assert.equal(typeName(field), typeName(up), `${obj.fullName}.${field.name} type`);
          assert.equal(field.repeated, up.repeated, `${obj.fullName}.${field.name} repeated`);
          assert.equal(field.map, up.map, `${obj.fullName}.${field.name} map`);
          fields++;
        }
      } else if (obj instanceof protobuf.Enum) {
        assert.ok(theirs instanceof protobuf.Enum, `${obj.fullName} is an enum upstream`);
        for (const [name, value] of Object.entries(obj.values)) assert.equal(theirs.values[name], value, `${obj.fullName}.${name}`);
      } else if (obj instanceof protobuf.Service) {
        assert.ok(theirs instanceof protobuf.Service, `${obj.fullName} is a service upstream`);
        for (const method of obj.methodsArray) {
          const up: protobuf.Method | undefined = theirs.methods[method.name];
          assert.ok(up, `rpc ${method.name} exists upstream`);
          method.resolve();
          up.resolve();
          assert.equal(method.resolvedRequestType!.fullName, up.resolvedRequestType!.fullName, `${method.name} request`);
          assert.equal(method.resolvedResponseType!.fullName, up.resolvedResponseType!.fullName, `${method.name} response`);
          assert.equal(Boolean(method.responseStream), Boolean(up.responseStream), `${method.name} streaming`);
        }
      }
    }
    assert.ok(fields > 60, `compared ${fields} fields`);
  });
});

/**
 * Our own protobufjs JSON descriptor of the part of Terraform's plugin protocol 6 (tfplugin6) this provider uses,
 * plus go-plugin's controller service. It is written from the protocol's names and field numbers, not copied: only
 * the messages, fields and enums read or written here. Fields we leave out are skipped on decode (protobuf keeps
 * unknown fields out of the way), and RPCs we leave out answer UNIMPLEMENTED, which Terraform tolerates for the
 * optional ones. test/unit/terraform-descriptor.test.ts compares every name, number and type with the upstream file.
 */

type Fields = Record<string, { type: string; id: number; rule?: "repeated"; keyType?: string }>;

const f = (type: string, id: number): { type: string; id: number } => ({ type, id });
const rep = (type: string, id: number) => ({ type, id, rule: "repeated" as const });
const map = (type: string, id: number) => ({ keyType: "string", type, id });
const msg = (fields: Fields, nested?: Record<string, unknown>) => (nested ? { fields, nested } : { fields });
/** A `message X { message Request {…} message Response {…} }` pair, the protocol's RPC convention. */
const rpcPair = (request: Fields, response: Fields, extra: Record<string, unknown> = {}) => ({
  nested: { Request: msg(request), Response: msg(response), ...extra },
});

const diagnostics = (id: number) => ({ diagnostics: rep("Diagnostic", id) });

const attribute: Fields = {
  name: f("string", 1),
  type: f("bytes", 2),
  description: f("string", 3),
  required: f("bool", 4),
  optional: f("bool", 5),
  computed: f("bool", 6),
  sensitive: f("bool", 7),
  description_kind: f("StringKind", 8),
  deprecated: f("bool", 9),
};

const tfplugin6 = {
  nested: {
    DynamicValue: msg({ msgpack: f("bytes", 1), json: f("bytes", 2) }),
    Diagnostic: msg(
      { severity: f("Severity", 1), summary: f("string", 2), detail: f("string", 3), attribute: f("AttributePath", 4) },
      { Severity: { values: { INVALID: 0, ERROR: 1, WARNING: 2 } } },
    ),
    AttributePath: msg(
      { steps: rep("Step", 1) },
      {
        Step: {
          oneofs: { selector: { oneof: ["attribute_name", "element_key_string", "element_key_int"] } },
          fields: { attribute_name: f("string", 1), element_key_string: f("string", 2), element_key_int: f("int64", 3) },
        },
      },
    ),
    StopProvider: rpcPair({}, { Error: f("string", 1) }),
    RawState: msg({ json: f("bytes", 1), flatmap: map("string", 2) }),
    StringKind: { values: { PLAIN: 0, MARKDOWN: 1 } },
    Schema: msg(
      { version: f("int64", 1), block: f("Block", 2) },
      {
        Block: msg({
          version: f("int64", 1),
          attributes: rep("Attribute", 2),
          block_types: rep("NestedBlock", 3),
          description: f("string", 4),
          description_kind: f("StringKind", 5),
          deprecated: f("bool", 6),
        }),
        Attribute: msg(attribute),
        NestedBlock: msg(
          { type_name: f("string", 1), block: f("Block", 2), nesting: f("NestingMode", 3), min_items: f("int64", 4), max_items: f("int64", 5) },
          { NestingMode: { values: { INVALID: 0, SINGLE: 1, LIST: 2, SET: 3, MAP: 4, GROUP: 5 } } },
        ),
      },
    ),
    ServerCapabilities: msg({ plan_destroy: f("bool", 1), get_provider_schema_optional: f("bool", 2) }),
    ClientCapabilities: msg({ deferral_allowed: f("bool", 1), write_only_attributes_allowed: f("bool", 2) }),
    GetProviderSchema: rpcPair(
      {},
      {
        provider: f("Schema", 1),
        resource_schemas: map("Schema", 2),
        data_source_schemas: map("Schema", 3),
        ...diagnostics(4),
        server_capabilities: f("ServerCapabilities", 6),
      },
    ),
    GetResourceIdentitySchemas: rpcPair({}, diagnostics(2)),
    ValidateProviderConfig: rpcPair({ config: f("DynamicValue", 1) }, diagnostics(2)),
    UpgradeResourceState: rpcPair(
      { type_name: f("string", 1), version: f("int64", 2), raw_state: f("RawState", 3) },
      { upgraded_state: f("DynamicValue", 1), ...diagnostics(2) },
    ),
    ValidateResourceConfig: rpcPair(
      { type_name: f("string", 1), config: f("DynamicValue", 2), client_capabilities: f("ClientCapabilities", 3) },
      diagnostics(1),
    ),
    ConfigureProvider: rpcPair(
      { terraform_version: f("string", 1), config: f("DynamicValue", 2), client_capabilities: f("ClientCapabilities", 3) },
      diagnostics(1),
    ),
    ReadResource: rpcPair(
      { type_name: f("string", 1), current_state: f("DynamicValue", 2), private: f("bytes", 3) },
      { new_state: f("DynamicValue", 1), ...diagnostics(2), private: f("bytes", 3) },
    ),
    PlanResourceChange: rpcPair(
      {
        type_name: f("string", 1),
        prior_state: f("DynamicValue", 2),
        proposed_new_state: f("DynamicValue", 3),
        config: f("DynamicValue", 4),
        prior_private: f("bytes", 5),
      },
      { planned_state: f("DynamicValue", 1), requires_replace: rep("AttributePath", 2), planned_private: f("bytes", 3), ...diagnostics(4) },
    ),
    ApplyResourceChange: rpcPair(
      {
        type_name: f("string", 1),
        prior_state: f("DynamicValue", 2),
        planned_state: f("DynamicValue", 3),
        config: f("DynamicValue", 4),
        planned_private: f("bytes", 5),
      },
      { new_state: f("DynamicValue", 1), private: f("bytes", 2), ...diagnostics(3) },
    ),
    ImportResourceState: rpcPair(
      { type_name: f("string", 1), id: f("string", 2) },
      { imported_resources: rep("ImportedResource", 1), ...diagnostics(2) },
      { ImportedResource: msg({ type_name: f("string", 1), state: f("DynamicValue", 2), private: f("bytes", 3) }) },
    ),
    Provider: {
      methods: Object.fromEntries(
        [
          "GetProviderSchema",
          "GetResourceIdentitySchemas",
          "ValidateProviderConfig",
          "ValidateResourceConfig",
          "UpgradeResourceState",
          "ConfigureProvider",
          "ReadResource",
          "PlanResourceChange",
          "ApplyResourceChange",
          "ImportResourceState",
          "StopProvider",
        ].map((name) => [name, { requestType: `${name}.Request`, responseType: `${name}.Response` }]),
      ),
    },
  },
};

/** go-plugin's controller: `Shutdown` ends the plugin process when Terraform is done with it. */
const plugin = {
  nested: {
    Empty: msg({}),
    GRPCController: { methods: { Shutdown: { requestType: "Empty", responseType: "Empty" } } },
  },
};

/** The descriptor for `@grpc/proto-loader`'s `fromJSON`. */
export const TFPLUGIN6_DESCRIPTOR = { nested: { tfplugin6, plugin } };

/** Loader options: proto field names as written, 64-bit integers as numbers, enums as numbers, bytes as Buffers. */
export const LOADER_OPTIONS = { keepCase: true, longs: Number, enums: Number, bytes: Buffer, defaults: false, oneofs: true } as const;

/**
 * The tfplugin6 Provider service over the lifecycle: one mapping layer, no behaviour of its own. Every RPC answers
 * with diagnostics instead of a gRPC error (Terraform shows those with the resource and attribute), and every
 * long operation gets the provider's AbortSignal, which StopProvider (Ctrl-C) fires.
 */
import type { ObProxyLifecycle } from "../provider/lifecycle";
import { AGENT_PASSWORD_CONFIG_KEY, PROVIDER_KEY, UNKNOWN } from "../provider/types";
import { httpUrlProblem } from "../provider/rules";
import { decodeValue, encodeValue, shapeObject, type TfObject, type TfValue } from "./cty";
import { errorDiagnostic, partialFailure, type Diagnostic } from "./diagnostics";
import { appliedState, COMPUTED_ONLY, inputsFromConfig, planChange } from "./plan";
import { blockMessage, PROVIDER_BLOCK, RESOURCE_BLOCK, RESOURCE_TYPE } from "./schema";
import { attributePath, fromProps, toProps } from "./values";

type Req = Record<string, any>;
type Props = Record<string, unknown>;
const dv = (value: TfValue) => ({ msgpack: encodeValue(value) });
/** Marks a state that came from an import until its first apply (see planChange). */
const IMPORTED = Buffer.from('{"imported":true}');

/** The provider's handlers, keyed by RPC name. */
export class TerraformProvider {
  private endpoint: string | undefined;
  private agentPassword: string | undefined;
  private stop = new AbortController();

  constructor(private readonly lifecycle: ObProxyLifecycle) {}

  /** The RPC implementations, in the shape `@grpc/grpc-js` `addService` takes (promise-returning, wrapped there). */
  handlers(): Record<string, (req: Req) => Promise<Req>> {
    return {
      GetProviderSchema: async () => ({
        provider: { version: 0, block: blockMessage(PROVIDER_BLOCK) },
        resource_schemas: { [RESOURCE_TYPE]: { version: 0, block: blockMessage(RESOURCE_BLOCK) } },
        data_source_schemas: {},
        server_capabilities: { plan_destroy: true },
      }),
      GetResourceIdentitySchemas: async () => ({}),
      ValidateProviderConfig: async (req) => ({ diagnostics: this.validateProvider(decodeValue(req.config?.msgpack)) }),
      ConfigureProvider: async (req) => this.configure(decodeValue(req.config?.msgpack)),
      ValidateResourceConfig: async (req) => ({ diagnostics: await this.validateResource(decodeValue(req.config?.msgpack)) }),
      UpgradeResourceState: async (req) => this.upgrade(req),
      ReadResource: async (req) => this.read(req),
      PlanResourceChange: async (req) => this.plan(req),
      ApplyResourceChange: async (req) => this.apply(req),
      ImportResourceState: async (req) => this.importState(String(req.id ?? "")),
      StopProvider: async () => {
        // Aborts every in-flight wait; later calls (if any) get a fresh signal.
        this.stop.abort(new Error("Terraform asked the provider to stop (Ctrl-C)"));
        this.stop = new AbortController();
        return {};
      },
    };
  }

  private validateProvider(config: TfValue): Diagnostic[] {
    const endpoint = (config as TfObject | null)?.endpoint;
    const problem = typeof endpoint === "string" ? httpUrlProblem(endpoint) : undefined;
    return problem ? [{ severity: 1, summary: `endpoint ${problem}`, attribute: { steps: [{ attribute_name: "endpoint" }] } }] : [];
  }

  private async configure(config: TfValue): Promise<Req> {
    const obj = (config ?? {}) as TfObject;
    const str = (v: TfValue | undefined) => (typeof v === "string" && v.length > 0 ? v : undefined);
    this.endpoint = str(obj.endpoint);
    this.agentPassword = str(obj.agent_password);
    // The provider block's password is the lifecycle's "stack config" fallback: used, never written to state.
    const reader = { get: (key: string) => (key === AGENT_PASSWORD_CONFIG_KEY ? this.agentPassword : undefined) };
    await this.lifecycle.configure({ config: reader } as never);
    return { diagnostics: [] };
  }

  private async validateResource(config: TfValue): Promise<Diagnostic[]> {
    const inputs = inputsFromConfig(config, undefined);
    // The provider block may supply the endpoint (not known yet here); planChange reports it when neither does.
    if (inputs.endpoint === undefined) inputs.endpoint = UNKNOWN;
    const { failures = [] } = await this.lifecycle.check({}, inputs);
    return failures.map((f) => ({
      severity: 1 as const,
      summary: `${f.property ? `${attributePath(RESOURCE_BLOCK, f.property).map((s) => s.attribute_name ?? s.element_key_string).join(".")} ` : ""}${f.reason}`,
      attribute: { steps: attributePath(RESOURCE_BLOCK, f.property) },
    }));
  }

  private upgrade(req: Req): Req {
    const json = req.raw_state?.json ? JSON.parse(Buffer.from(req.raw_state.json).toString("utf8")) : null;
    return { upgraded_state: dv(shapeObject(RESOURCE_BLOCK, json)) };
  }

  private op() {
    return { signal: this.stop.signal };
  }

  private async read(req: Req): Promise<Req> {
    const current = decodeValue(req.current_state?.msgpack);
    const props = toProps(RESOURCE_BLOCK, current);
    try {
      const result = await this.lifecycle.read(String(props.id ?? ""), props, this.op());
      if (!result.props) return { new_state: dv(null), private: req.private };
      // Settings only the configuration knows stay as they are in state; what obshell reports is refreshed.
      const fresh = fromProps(RESOURCE_BLOCK, { ...result.props, id: result.id ?? props.id });
      const state = { ...(current as TfObject) };
      for (const name of COMPUTED_ONLY) state[name] = fresh[name]!;
      return { new_state: dv(state), private: req.private };
    } catch (e) {
      return { new_state: req.current_state, private: req.private, diagnostics: [errorDiagnostic("Reading the OBProxy", e)] };
    }
  }

  private async plan(req: Req): Promise<Req> {
    try {
      const plan = await planChange(this.lifecycle, {
        prior: decodeValue(req.prior_state?.msgpack),
        proposed: decodeValue(req.proposed_new_state?.msgpack),
        config: decodeValue(req.config?.msgpack),
        imported: Buffer.from(req.prior_private ?? []).equals(IMPORTED),
        defaultEndpoint: this.endpoint,
      });
      const diagnostics: Diagnostic[] = plan.error ? [{ severity: 1, summary: plan.error, attribute: { steps: [{ attribute_name: "endpoint" }] } }] : [];
      return { planned_state: dv(plan.planned), requires_replace: plan.requiresReplace.map((steps) => ({ steps })), diagnostics };
    } catch (e) {
      return { diagnostics: [errorDiagnostic("Planning the OBProxy", e)] };
    }
  }

  private async apply(req: Req): Promise<Req> {
    const prior = decodeValue(req.prior_state?.msgpack);
    const planned = decodeValue(req.planned_state?.msgpack);
    const priorProps = toProps(RESOURCE_BLOCK, prior);
    const id = String(priorProps.id ?? "");
    if (planned === null) {
      try {
        await this.lifecycle.delete(id, priorProps, this.op());
        return { new_state: dv(null) };
      } catch (e) {
        return { new_state: req.prior_state, diagnostics: [errorDiagnostic("Deleting the OBProxy", e)] };
      }
    }
    const inputs = inputsFromConfig(decodeValue(req.config?.msgpack), undefined);
    const endpoint = (planned as TfObject).endpoint;
    if (inputs.endpoint === undefined && typeof endpoint === "string") inputs.endpoint = endpoint;
    const creating = prior === null;
    try {
      const result = creating
        ? await this.lifecycle.create(inputs, this.op())
        : { id, outs: (await this.lifecycle.update(id, priorProps, inputs, this.op())).outs };
      return { new_state: dv(appliedState(planned, { ...result.outs, id: result.id })) };
    } catch (e) {
      const diagnostics = [errorDiagnostic(creating ? "Creating the OBProxy" : "Updating the OBProxy", e)];
      // A create obshell accepted is kept in state (Terraform marks it tainted); an update keeps what it reached.
      const partial = partialFailure(e);
      if (partial) return { new_state: dv(appliedState(planned, stateProps(partial.properties, partial.id))), diagnostics };
      return { new_state: creating ? dv(null) : req.prior_state, diagnostics };
    }
  }

  private async importState(id: string): Promise<Req> {
    try {
      const result = await this.lifecycle.read(id, {}, this.op());
      if (!result.props) return { diagnostics: [{ severity: 1, summary: `Cannot import ${id}: obshell manages no OBProxy there` }] };
      // `adopt` is configuration only (the lifecycle reports its default, false): left unset, as in most configs.
      const { adopt: _adopt, ...props } = stateProps(result.props as Props, String(result.id));
      const state = fromProps(RESOURCE_BLOCK, props);
      return { imported_resources: [{ type_name: RESOURCE_TYPE, state: dv(state), private: IMPORTED }] };
    } catch (e) {
      return { diagnostics: [errorDiagnostic(`Importing ${id}`, e)] };
    }
  }
}

/** Lifecycle outputs as state props: the id added, the Pulumi-only key dropped. */
function stateProps(outs: Props, id: string): Props {
  const { [PROVIDER_KEY]: _provider, resourceName: _name, ...rest } = outs;
  return { ...rest, id };
}

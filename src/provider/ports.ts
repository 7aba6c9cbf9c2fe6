/**
 * Which ports obshell will give the OBProxy. obshell resolves them at add time (§4.1): the explicit port, else the
 * matching `parameters` entry, else its default. No endpoint reports them back, so the provider resolves the same way.
 */
import { DEFAULT_PORTS, PORT_PARAMETERS, UNKNOWN } from "./types";

/** The port inputs. */
export type PortKey = keyof typeof PORT_PARAMETERS;
export const PORT_KEYS = Object.keys(PORT_PARAMETERS) as PortKey[];

const DEFAULTS: Record<PortKey, number> = {
  sqlPort: DEFAULT_PORTS.sql,
  rpcPort: DEFAULT_PORTS.rpc,
  exporterPort: DEFAULT_PORTS.exporter,
};

/**
 * The port obshell will use for `key`, or undefined when it depends on a value unknown during preview or on a value
 * obshell would refuse.
 */
export function resolvePort(inputs: Record<string, unknown>, key: PortKey): number | undefined {
  const explicit = inputs[key];
  if (explicit !== undefined && explicit !== null) return Number.isInteger(explicit) ? (explicit as number) : undefined;
  const parameters = inputs.parameters;
  if (parameters === UNKNOWN) return undefined;
  const fromParameters =
    parameters !== null && typeof parameters === "object" ? (parameters as Record<string, unknown>)[PORT_PARAMETERS[key]] : undefined;
  if (fromParameters === undefined || fromParameters === null) return DEFAULTS[key];
  return typeof fromParameters === "string" && /^\d{1,5}$/.test(fromParameters) ? Number(fromParameters) : undefined;
}

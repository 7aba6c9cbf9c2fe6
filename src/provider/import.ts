/**
 * Import by id (`pulumi import obproxy:index:ObProxy <name> <id>`, Terraform `import`). obshell reports no home path,
 * ports or name of the OBProxy it manages, so the id carries what obshell cannot tell us: `<endpoint>#<homePath>`,
 * e.g. `http://10.0.0.5:2886#/home/admin/obproxy`. Credentials come from provider config or the environment.
 * The resulting inputs are complete; ports are obshell's defaults unless the program declares others.
 */
import type { OpContext } from "./context";
import { requireAgentPassword } from "./steps";
import { ObProxyError } from "./errors";
import { agentFacts, agentId, buildOutputs } from "./outputs";
import type { ObProxyInputs, ObProxyOutputs } from "./types";

/** What an import id names. */
export interface ImportId {
  endpoint: string;
  homePath: string;
}

/** The id format, for messages and docs. */
export const IMPORT_ID_FORMAT = "<endpoint>#<homePath>, e.g. http://10.0.0.5:2886#/home/admin/obproxy";

/** Parses `<endpoint>#<homePath>`; undefined when `id` is not of that form. */
export function parseImportId(id: string): ImportId | undefined {
  const hash = id.indexOf("#");
  if (hash <= 0) return undefined;
  const endpoint = id.slice(0, hash).trim();
  const homePath = id.slice(hash + 1).trim();
  if (!/^https?:\/\//i.test(endpoint) || !homePath.startsWith("/")) return undefined;
  return { endpoint, homePath };
}

/**
 * Reads the OBProxy named by an import id. Gone (`{}`) when the agent manages none, so the engine reports that
 * nothing exists to import rather than recording a resource obshell does not have.
 */
export async function importObproxy(ctx: OpContext, where: ImportId): Promise<{ id?: string; props?: ObProxyOutputs }> {
  const inputs: ObProxyInputs = { endpoint: where.endpoint, homePath: where.homePath };
  requireAgentPassword(ctx, inputs);
  const info = await ctx.client.getInfo();
  if (info.isObproxyAgent !== true) {
    throw new ObProxyError("NotManaged", `${ctx.label}: obshell at ${where.endpoint} manages no OBProxy: nothing to import`);
  }
  ctx.progress.info(`importing the OBProxy obshell manages at ${where.endpoint} (homePath ${where.homePath})`);
  const outs = buildOutputs(inputs, { agent: agentFacts(info, where.endpoint), running: true, adopted: true });
  return { id: agentId(info, where.endpoint), props: outs };
}

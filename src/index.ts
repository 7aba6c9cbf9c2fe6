/**
 * `pulumi-obproxy`: the ObProxy Pulumi resource and its types. The obshell client is `pulumi-obproxy/obshell`, the
 * simulator `pulumi-obproxy/simulator`; neither is loaded by importing this entry (the resource reaches the client
 * only inside the provider, at call time). test/unit/api-exports.test.ts pins this list.
 */
export { ObProxy, type ObProxyArgs, type ObProxyTlsArgs, type ObProxyTimeouts } from "./provider/resource";
export type { ObProxyInputs, ObProxyOutputs, ObProxyState, LastDag } from "./provider/types";
export { ObProxyError, isObProxyError, type ObProxyErrorCode } from "./provider/errors";

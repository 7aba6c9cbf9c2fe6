export { ObProxy, type ObProxyArgs, type ObProxyTlsArgs, type ObProxyTimeouts } from "./provider/resource";
export type { ObProxyInputs, ObProxyOutputs, ObProxyState, LastDag } from "./provider/types";
export { ObProxyError, isObProxyError, type ObProxyErrorCode } from "./provider/errors";
export * from "./obshell";
export { startSimulator, createFakeObproxyHome, type Simulator, type SimulatorOptions } from "./simulator";

export * from "./host";
export * from "./door";
export type { EngineLogLine } from "./engine-log";
export * from "./program";
export * from "./engine";
export { unwrapSecrets, secretValue, isSecretValue, type PropertyMap } from "./wire";
export * from "./program-dir";
export * from "./cli";
export * from "./wait-until";

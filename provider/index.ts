/**
 * pulumi-greenapi: Green API instances as Pulumi resources, and a typed client for scripts.
 */
export { GreenApiInstance, type GreenApiInstanceArgs, type Flag } from "./resource";
export type { InstanceOutputs } from "./lifecycle/outputs";
export { CONFIG_KEYS, ConfigurationError } from "./lifecycle/config";
export { PartnerClient, type PartnerClientOptions, type InstanceRef, type CreateInstanceRequest } from "./greenapi/client";
export { GreenApiError, isGreenApiError, type GreenApiErrorCode } from "./greenapi/errors";
export type { Settings } from "./greenapi/settings";
export type { Deadlines } from "./greenapi/deadlines";

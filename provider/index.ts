/**
 * pulumi-greenapi: Green API instances as Pulumi resources, and a typed client for scripts.
 *
 * A program that only declares resources loads GreenApiInstance and nothing of the provider's HTTP
 * client, zod or undici (the provider runs in its own process); the client's exports below are
 * loaded on first use.
 */
import type * as config from "./lifecycle/config";
import type * as client from "./greenapi/client";

export { GreenApiInstance, type GreenApiInstanceArgs, type Flag } from "./resource";
export type { InstanceOutputs } from "./lifecycle/outputs";
export type { PartnerClientOptions, InstanceRef, CreateInstanceRequest } from "./greenapi/client";
export { GreenApiError, isGreenApiError, type GreenApiErrorCode } from "./greenapi/errors";
export type { Settings } from "./greenapi/settings";
export type { Deadlines } from "./greenapi/deadlines";

export declare const CONFIG_KEYS: typeof config.CONFIG_KEYS;
export declare const ConfigurationError: typeof config.ConfigurationError;
export type ConfigurationError = config.ConfigurationError;
export declare const PartnerClient: typeof client.PartnerClient;
export type PartnerClient = client.PartnerClient;

const lazy = (name: string, load: () => unknown) => Object.defineProperty(exports, name, { enumerable: true, get: load });
lazy("CONFIG_KEYS", () => require("./lifecycle/config").CONFIG_KEYS);
lazy("ConfigurationError", () => require("./lifecycle/config").ConfigurationError);
lazy("PartnerClient", () => require("./greenapi/client").PartnerClient);

/**
 * `pulumi-greenapi/client`: the Green API client on its own, for scripts that are not Pulumi programs.
 *
 * Unlike the package root, this entry point loads neither @pulumi/pulumi nor the resource, so a
 * script that uses only the client does not need Pulumi installed.
 */
export {
  PartnerClient,
  PARTNER_CLIENT_ENV,
  DEFAULT_API_URL,
  type PartnerClientOptions,
  type InstanceRef,
  type CreateInstanceRequest,
  type InstanceProduct,
  type CreatedInstance,
  type InstanceListItem,
  type QrCode,
} from "./greenapi/client";
export { ConfigurationError } from "./greenapi/client-settings";
export { GreenApiError, isGreenApiError, type GreenApiErrorCode, type GreenApiErrorDetails } from "./greenapi/errors";
export type { RetryPolicy } from "./greenapi/retry";
export type { Settings } from "./greenapi/settings";
export type { Deadlines } from "./greenapi/deadlines";

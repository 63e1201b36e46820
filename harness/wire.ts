/**
 * The gRPC and protobuf plumbing shared by the harness: the exact library copies the Pulumi SDK uses,
 * conversions between plain objects and `google.protobuf.Struct`, and the wire spelling of secrets.
 */
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as providerPbTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as providerGrpcTypes from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as statusPbTypes from "@pulumi/pulumi/proto/status_pb";
import { isSecret, reveal, secret } from "../provider/plugin/wire";

export const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));

/** The dynamic-provider host the Pulumi CLI starts for `pulumi-nodejs:dynamic:*` resources. */
export const hostScript = path.join(pulumiDir, "cmd", "dynamic-provider", "index.js");

// The generated protobuf classes only interoperate with the grpc-js and google-protobuf copies they
// were built against, so load those from the SDK's folder rather than whatever this package resolves.
export function fromPulumi<T>(id: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved at run time, from another folder
  return require(require.resolve(id, { paths: [pulumiDir] })) as T;
}

export const grpc = fromPulumi<typeof grpcTypes>("@grpc/grpc-js");
export const { Struct } = fromPulumi<typeof structTypes>("google-protobuf/google/protobuf/struct_pb");
export const pb = fromPulumi<typeof providerPbTypes>("@pulumi/pulumi/proto/provider_pb");
export const { ResourceProviderClient } = fromPulumi<typeof providerGrpcTypes>("@pulumi/pulumi/proto/provider_grpc_pb");
export const { Status } = fromPulumi<typeof statusPbTypes>("@pulumi/pulumi/proto/status_pb");

export type ResourceProviderClient = providerGrpcTypes.ResourceProviderClient;
export type ServiceError = grpcTypes.ServiceError;
export type Metadata = grpcTypes.Metadata;
export type StructMessage = structTypes.Struct;

export type PropertyMap = Record<string, unknown>;

// The JSON round trip drops `undefined` (which Struct.fromJavaScript rejects) exactly as the engine
// never sends absent properties.
export function toStruct(value: PropertyMap | undefined): StructMessage {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(value ?? {})));
}

export function fromStruct(struct: StructMessage | undefined): PropertyMap {
  return struct ? (struct.toJavaScript() as PropertyMap) : {};
}

/** A value as the engine sends a secret (provider/plugin/wire.ts has the one spelling of it). */
export function secretValue(value: unknown): PropertyMap {
  return secret(value) as PropertyMap;
}

export { isSecret as isSecretValue };

/** Replaces every wire-encoded secret with its plain value, as the engine does for providers that refuse secrets. */
export const unwrapSecrets = reveal;

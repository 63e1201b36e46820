/**
 * The gRPC library the protocol stubs were generated against: @pulumi/pulumi's own copy, wherever
 * npm put it. A module of its own so that the plugin archive's bundler can resolve it to that same
 * copy (scripts/plugin-pack.ts), which it cannot read off this createRequire call.
 */
import { createRequire } from "node:module";
import type * as grpcTypes from "@grpc/grpc-js";

export const grpc: typeof grpcTypes = createRequire(require.resolve("@pulumi/pulumi"))("@grpc/grpc-js");

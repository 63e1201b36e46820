/**
 * The `greenapi` resource provider plugin's gRPC server: Pulumi's ResourceProvider service, each
 * call decoded and handed to adapter.ts.
 *
 * Not `@pulumi/pulumi/provider`'s `main()`: its Configure drops the request (the provider never
 * sees its config) and CheckConfig is unimplemented, so a plugin built on it could not read its
 * partner token or reject a malformed URL at preview. Its generated protocol stubs and gRPC library
 * are used as they are.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { ConfigurationError, InputError, LookupArgumentError, ResourceInitError } from "../lifecycle";
import { GreenApiError, type GreenApiErrorCode } from "../greenapi/errors";
import { GreenApiPlugin, type CheckFailure, type DiffResult } from "./adapter";
import { EngineLog } from "./engine-log";
import { grpc } from "./grpc";
import type { Properties } from "./wire";

/** The package root: package.json's directory, from the sources (provider/plugin) or the build (dist/provider/plugin). */
const PACKAGE_ROOT = [join(__dirname, "..", ".."), join(__dirname, "..", "..", "..")].find((dir) => {
  try {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name === "pulumi-greenapi";
  } catch {
    return false;
  }
});

/**
 * The schema, kept in one file (provider/plugin/schema.json): beside the code in the sources and in a
 * plugin archive (npm run plugin:pack), in the package root for the build.
 */
const SCHEMA_FILE = [
  join(__dirname, "schema.json"),
  ...(PACKAGE_ROOT ? [join(PACKAGE_ROOT, "provider", "plugin", "schema.json")] : []),
].find((file) => existsSync(file));

export function schemaText(): string {
  if (!SCHEMA_FILE)
    throw new Error(`pulumi-resource-greenapi: no schema.json beside ${__dirname} nor in a pulumi-greenapi package above it`);
  return readFileSync(SCHEMA_FILE, "utf8");
}

/** The schema's version is the package's (test/unit/plugin-schema.test.ts); an archive has no package.json. */
function packageVersion(): string {
  return JSON.parse(schemaText()).version;
}

type Call<Req> = { request: Req };
type Callback<Res> = (
  error: grpcTypes.ServiceError | Partial<grpcTypes.StatusObject> | null,
  value?: Res | null,
  trailer?: grpcTypes.Metadata,
) => void;

const toJs = (struct: structproto.Struct | undefined): Properties => (struct?.toJavaScript() ?? {}) as Properties;
const toStruct = (value: Properties): structproto.Struct => structproto.Struct.fromJavaScript(value as never);

/** Whose fault a Green API error is, as gRPC says it: Green API's (unavailable, …) or the input's. */
const GREEN_API_STATUS: Record<GreenApiErrorCode, grpcTypes.status> = {
  unauthorized: grpc.status.UNAUTHENTICATED,
  not_found: grpc.status.NOT_FOUND,
  instance_deleted: grpc.status.NOT_FOUND,
  rate_limited: grpc.status.RESOURCE_EXHAUSTED,
  no_free_instances: grpc.status.RESOURCE_EXHAUSTED,
  invalid_request: grpc.status.INVALID_ARGUMENT,
  timeout: grpc.status.DEADLINE_EXCEEDED,
  server_error: grpc.status.UNAVAILABLE,
  connection_failed: grpc.status.UNAVAILABLE,
  malformed_response: grpc.status.UNAVAILABLE,
};

/**
 * The gRPC status of a failed call: the program's input or the configuration at fault
 * (INVALID_ARGUMENT), Green API (by its error's code), or anything else (UNKNOWN). The engine shows
 * the message either way; the code tells tools and logs which side to look at.
 */
export function statusOf(error: unknown): grpcTypes.status {
  if (error instanceof InputError || error instanceof ConfigurationError || error instanceof LookupArgumentError) {
    return grpc.status.INVALID_ARGUMENT;
  }
  if (error instanceof GreenApiError) return GREEN_API_STATUS[error.code];
  return grpc.status.UNKNOWN;
}

/** A failed call: its message (already redacted by the lifecycle); created-but-failed instances carry their record. */
function failure(error: unknown): Partial<grpcTypes.StatusObject> {
  const message = error instanceof Error ? error.message : String(error);
  const metadata = new grpc.Metadata();
  if (error instanceof ResourceInitError) {
    const detail = new provproto.ErrorResourceInitFailed();
    detail.setId(error.id);
    detail.setProperties(toStruct(error.properties));
    detail.setReasonsList(error.reasons);
    const any = new anyproto.Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusproto.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(message);
    status.addDetails(any);
    // grpc-js sends structured details only through this trailer.
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return { code: error instanceof ResourceInitError ? grpc.status.UNKNOWN : statusOf(error), details: message, metadata };
}

function checkFailures(failures: CheckFailure[]): provproto.CheckFailure[] {
  return failures.map(({ property, reason }) => {
    const failure = new provproto.CheckFailure();
    failure.setProperty(property);
    failure.setReason(reason);
    return failure;
  });
}

function diffResponse({ changes, replaces, deleteBeforeReplace }: DiffResult): provproto.DiffResponse {
  const response = new provproto.DiffResponse();
  response.setChanges(changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
  response.setReplacesList(replaces);
  response.setDeletebeforereplace(deleteBeforeReplace);
  return response;
}

const unimplemented = (what: string) => (_call: unknown, callback: Callback<never>) =>
  callback({ code: grpc.status.UNIMPLEMENTED, details: `greenapi: ${what} is not implemented` });

/** The ResourceProvider service over one plugin; every answer waits until the lines it logged reached the engine. */
function service(plugin: GreenApiPlugin, log: EngineLog) {
  /** Runs one call: its answer, or its failure as a gRPC status. */
  const serve =
    <Req, Res>(work: (request: Req) => Promise<Res>) =>
    (call: Call<Req>, callback: Callback<Res>) => {
      work(call.request)
        .then(
          (response) => ({ response }),
          (error: unknown) => ({ error }),
        )
        .then(async (result) => {
          await log.flushed();
          if ("response" in result) return callback(null, result.response);
          const status = failure(result.error);
          callback(status, null, status.metadata);
        });
    };
  return {
    getPluginInfo: serve(async () => {
      const info = new plugproto.PluginInfo();
      info.setVersion(packageVersion());
      return info;
    }),
    getSchema: serve(async (request: provproto.GetSchemaRequest) => {
      if (request.getVersion() !== 0) throw new Error(`unsupported schema version ${request.getVersion()}`);
      const response = new provproto.GetSchemaResponse();
      response.setSchema(schemaText());
      return response;
    }),
    checkConfig: serve(async (request: provproto.CheckRequest) => {
      const { inputs, failures } = plugin.checkConfig(request.getUrn(), toJs(request.getNews()));
      const response = new provproto.CheckResponse();
      response.setInputs(toStruct(inputs));
      response.setFailuresList(checkFailures(failures));
      return response;
    }),
    // Every config change is applied in place: the next process reads the new values.
    diffConfig: serve(async () => {
      const response = new provproto.DiffResponse();
      response.setChanges(provproto.DiffResponse.DiffChanges.DIFF_UNKNOWN);
      return response;
    }),
    configure: serve(async (request: provproto.ConfigureRequest) => {
      const args = request.hasArgs() ? toJs(request.getArgs()) : undefined;
      await plugin.configure(request.getUrn() ?? "", args, new Map(request.getVariablesMap().toArray()));
      const response = new provproto.ConfigureResponse();
      response.setAcceptsecrets(true);
      response.setSupportspreview(false);
      return response;
    }),
    check: serve(async (request: provproto.CheckRequest) => {
      const { inputs, failures } = plugin.check(request.getUrn(), toJs(request.getOlds()), toJs(request.getNews()));
      const response = new provproto.CheckResponse();
      response.setInputs(toStruct(inputs));
      response.setFailuresList(checkFailures(failures));
      return response;
    }),
    diff: serve(async (request: provproto.DiffRequest) =>
      diffResponse(plugin.diff(request.getUrn(), toJs(request.getOlds()), toJs(request.getNews()))),
    ),
    create: serve(async (request: provproto.CreateRequest) => {
      if (request.getPreview()) throw new Error("greenapi: create is never previewed (Configure says so)");
      const { id, outs } = await plugin.create(request.getUrn(), toJs(request.getProperties()));
      const response = new provproto.CreateResponse();
      response.setId(id);
      response.setProperties(toStruct(outs));
      return response;
    }),
    read: serve(async (request: provproto.ReadRequest) => {
      const result = await plugin.read(request.getId(), request.getUrn(), toJs(request.getProperties()), toJs(request.getInputs()));
      const response = new provproto.ReadResponse();
      response.setId(result.id);
      response.setProperties(toStruct(result.props));
      if (result.inputs) response.setInputs(toStruct(result.inputs));
      return response;
    }),
    update: serve(async (request: provproto.UpdateRequest) => {
      if (request.getPreview()) throw new Error("greenapi: update is never previewed (Configure says so)");
      const { outs } = await plugin.update(request.getId(), request.getUrn(), toJs(request.getOlds()), toJs(request.getNews()));
      const response = new provproto.UpdateResponse();
      response.setProperties(toStruct(outs));
      return response;
    }),
    delete: serve(async (request: provproto.DeleteRequest) => {
      await plugin.delete(request.getId(), request.getUrn(), toJs(request.getProperties()));
      return new emptyproto.Empty();
    }),
    cancel: serve(async () => new emptyproto.Empty()),
    attach: serve(async () => new emptyproto.Empty()),
    invoke: serve(async (request: provproto.InvokeRequest) => {
      const { outputs, failures } = await plugin.invoke(request.getTok(), toJs(request.getArgs()));
      const response = new provproto.InvokeResponse();
      response.setReturn(toStruct(outputs));
      response.setFailuresList(checkFailures(failures));
      return response;
    }),
    construct: unimplemented("Construct"),
    call: unimplemented("Call"),
  };
}

/**
 * Serves the provider on a loopback port and prints the port, the plugin protocol's first line on
 * stdout. `engineAddress` is the engine's, as the CLI passes it: lines about resources go to its Log
 * service.
 */
export async function serveProvider(engineAddress: string | undefined): Promise<grpcTypes.Server> {
  const log = new EngineLog(engineAddress);
  const plugin = new GreenApiPlugin((urn) => log.reportFor(urn));
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, service(plugin, log) as never);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  console.log(String(port));
  return server;
}

/**
 * The benchmark's no-op provider plugin (`noop:index:Thing`): the same door as the greenapi plugin —
 * a Node process serving Pulumi's ResourceProvider service over gRPC with @pulumi/pulumi's stubs —
 * but every call answers at once (create returns its inputs and an instance's outputs, read the state
 * it was given). A refresh through it costs what the CLI, the engine and the plugin protocol cost
 * for resources of an instance's size, and nothing of ours.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import { secret } from "../provider/plugin/wire";

const grpc: typeof grpcTypes = createRequire(require.resolve("@pulumi/pulumi"))("@grpc/grpc-js");

export const NOOP_TYPE = "noop:index:Thing";

/** Where the no-op resources' state is: a JSON file of a NoopState. */
export const NOOP_STATE_ENV = "GREENAPI_BENCH_NOOP_STATE";

/** What each no-op resource is created with besides its inputs: an instance's outputs, and which are secret. */
export interface NoopState {
  outputs: Record<string, unknown>;
  secrets: string[];
}
const VERSION = "0.0.1";
const SCHEMA = {
  name: "noop",
  version: VERSION,
  resources: {
    [NOOP_TYPE]: {
      properties: { value: { type: "string" } },
      inputProperties: { value: { type: "string" } },
    },
  },
};

/** Writes `pulumi-resource-noop` into `dir` (for a YAML program's plugins.providers path); returns dir. */
export function installNoopPlugin(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "pulumi-resource-noop");
  writeFileSync(path, `#!/bin/sh\nexec node ${JSON.stringify(__filename)} "$@"\n`);
  chmodSync(path, 0o755);
  return dir;
}

type Callback<Res> = (error: Partial<grpcTypes.StatusObject> | null, value?: Res) => void;
const answer =
  <Req, Res>(work: (request: Req) => Res) =>
  (call: { request: Req }, callback: Callback<Res>) =>
    callback(null, work(call.request));

let next = 0;

let state: NoopState | undefined;
const noopState = (): NoopState => (state ??= JSON.parse(readFileSync(process.env[NOOP_STATE_ENV]!, "utf8")) as NoopState);

const service = {
  getPluginInfo: answer(() => {
    const info = new plugproto.PluginInfo();
    info.setVersion(VERSION);
    return info;
  }),
  getSchema: answer(() => {
    const response = new provproto.GetSchemaResponse();
    response.setSchema(JSON.stringify(SCHEMA));
    return response;
  }),
  checkConfig: answer((request: provproto.CheckRequest) => {
    const response = new provproto.CheckResponse();
    response.setInputs(request.getNews());
    return response;
  }),
  diffConfig: answer(() => new provproto.DiffResponse()),
  configure: answer(() => {
    const response = new provproto.ConfigureResponse();
    response.setAcceptsecrets(true);
    return response;
  }),
  check: answer((request: provproto.CheckRequest) => {
    const response = new provproto.CheckResponse();
    response.setInputs(request.getNews());
    return response;
  }),
  diff: answer(() => {
    const response = new provproto.DiffResponse();
    response.setChanges(provproto.DiffResponse.DiffChanges.DIFF_NONE);
    return response;
  }),
  create: answer((request: provproto.CreateRequest) => {
    const response = new provproto.CreateResponse();
    response.setId(`${process.pid}-${next++}`);
    const { outputs, secrets } = noopState();
    const marked = Object.entries(outputs).map(([key, value]) => [key, secrets.includes(key) ? secret(value) : value]);
    response.setProperties(
      structproto.Struct.fromJavaScript({ ...Object.fromEntries(marked), ...request.getProperties()!.toJavaScript() }),
    );
    return response;
  }),
  read: answer((request: provproto.ReadRequest) => {
    const response = new provproto.ReadResponse();
    response.setId(request.getId());
    response.setProperties(request.getProperties());
    response.setInputs(request.getInputs());
    return response;
  }),
  update: answer((request: provproto.UpdateRequest) => {
    const response = new provproto.UpdateResponse();
    response.setProperties(request.getNews());
    return response;
  }),
  delete: answer(() => new emptyproto.Empty()),
  cancel: answer(() => new emptyproto.Empty()),
  attach: answer(() => new emptyproto.Empty()),
};

async function serve(): Promise<void> {
  const server = new grpc.Server();
  server.addService(provrpc.ResourceProviderService, service as never);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  console.log(String(port));
}

if (require.main === module) {
  serve().catch((error: unknown) => {
    console.error(`pulumi-resource-noop: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}

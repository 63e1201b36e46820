/**
 * The engine's Log service, as the CLI serves it to plugins: the `greenapi` plugin sends its lines
 * about resources here, each with a severity and the resource's URN.
 */
import type * as engineGrpcTypes from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as enginePbTypes from "@pulumi/pulumi/proto/engine_pb";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import { fromPulumi, grpc } from "./wire";

const { EngineService } = fromPulumi<typeof engineGrpcTypes>("@pulumi/pulumi/proto/engine_grpc_pb");
const { LogSeverity } = fromPulumi<typeof enginePbTypes>("@pulumi/pulumi/proto/engine_pb");
const { Empty } = fromPulumi<typeof emptyTypes>("google-protobuf/google/protobuf/empty_pb");

export interface EngineLogLine {
  severity: "debug" | "info" | "warning" | "error";
  urn: string;
  message: string;
}

const SEVERITIES: Record<number, EngineLogLine["severity"]> = {
  [LogSeverity.DEBUG]: "debug",
  [LogSeverity.INFO]: "info",
  [LogSeverity.WARNING]: "warning",
  [LogSeverity.ERROR]: "error",
};

export class EngineLogServer {
  private constructor(
    private readonly server: InstanceType<typeof grpc.Server>,
    readonly address: string,
    /** Every line so far, in arrival order. */
    readonly lines: readonly EngineLogLine[],
  ) {}

  /** Listens on a loopback port; `onLine` sees each line as it arrives. */
  static async start(onLine: (line: EngineLogLine) => void): Promise<EngineLogServer> {
    const server = new grpc.Server();
    const lines: EngineLogLine[] = [];
    server.addService(EngineService, {
      log: (call: { request: enginePbTypes.LogRequest }, callback: (error: null, response: emptyTypes.Empty) => void) => {
        const line = { severity: SEVERITIES[call.request.getSeverity()], urn: call.request.getUrn(), message: call.request.getMessage() };
        lines.push(line);
        onLine(line);
        callback(null, new Empty());
      },
    } as never);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    return new EngineLogServer(server, `127.0.0.1:${port}`, lines);
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

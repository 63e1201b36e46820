/**
 * The plugin's lines to the user, through the engine's Log service: each under the resource it
 * concerns (its URN) and with a severity, as the CLI shows any provider's diagnostics — not as bare
 * lines of output on the stack's row. Without an engine to talk to (the address missing or not
 * answering), a line goes to stderr instead, which the CLI also shows.
 */
import * as enginepb from "@pulumi/pulumi/proto/engine_pb";
import * as enginerpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type { Report, Severity } from "../lifecycle";
import { grpc } from "./grpc";

const SEVERITY: Record<Severity, enginepb.LogSeverity> = {
  debug: enginepb.LogSeverity.DEBUG,
  info: enginepb.LogSeverity.INFO,
  warning: enginepb.LogSeverity.WARNING,
  error: enginepb.LogSeverity.ERROR,
};

export class EngineLog {
  private readonly client?: enginerpc.EngineClient;
  /** Lines sent and not yet acknowledged: a call's answer waits for them, so they show before its step ends. */
  private readonly pending = new Set<Promise<void>>();

  /** `address`: the engine's, as the CLI passes it to every plugin (its first argument). */
  constructor(address: string | undefined) {
    if (address) this.client = new enginerpc.EngineClient(address, grpc.credentials.createInsecure());
  }

  /** How the lifecycle reports about the resource `urn` (empty for lookups and the provider itself). */
  reportFor(urn: string): Report {
    return (severity, message) => this.log(severity, message, urn);
  }

  log(severity: Severity, message: string, urn = ""): void {
    if (!this.client) return fallback(severity, message);
    const request = new enginepb.LogRequest();
    request.setSeverity(SEVERITY[severity]);
    request.setMessage(message);
    request.setUrn(urn);
    const sent = new Promise<void>((resolve) => {
      this.client!.log(request, (error) => {
        if (error) fallback(severity, message);
        resolve();
      });
    });
    this.pending.add(sent);
    void sent.then(() => this.pending.delete(sent));
  }

  /** Resolves once every line sent so far has reached the engine (or stderr). */
  async flushed(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  close(): void {
    this.client?.close();
  }
}

function fallback(severity: Severity, message: string): void {
  console.error(`greenapi: ${severity === "info" ? "" : `${severity}: `}${message}`);
}

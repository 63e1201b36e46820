/**
 * What the user reads when an operation fails: Green API errors re-worded to name the setting that
 * fixes them. Messages are already redacted by the transport.
 */
import { GreenApiError } from "../greenapi/errors";
import type { PartnerClient } from "../greenapi/client";
import { CONFIG_KEYS, partnerClient, type ProviderConfig } from "./config";

const PARTNER_METHODS: ReadonlySet<string> = new Set(["createInstance", "getInstances", "deleteInstanceAccount"]);

function explain(error: unknown): unknown {
  if (!(error instanceof GreenApiError)) return error;
  const details = { code: error.code, method: error.method, status: error.status };
  if (error.code === "invalid_request" && /instance is deleted/i.test(error.message)) {
    return new GreenApiError(
      details,
      "the instance has been deleted outside Pulumi",
      "Run `pulumi refresh` to drop it from the stack, then `pulumi up` to create it again.",
    );
  }
  if (error.code !== "unauthorized") return error;
  if (PARTNER_METHODS.has(error.method)) {
    const { key, env } = CONFIG_KEYS.partnerToken;
    return new GreenApiError(
      details,
      "the partner token was rejected",
      `Set the token from the partner console with \`pulumi config set --secret ${key} <token>\` or the ${env} environment variable.`,
    );
  }
  return new GreenApiError(
    details,
    "this instance's token was rejected",
    "The instance may have been deleted or its token reset in the console; run `pulumi refresh` to pick up the change.",
  );
}

/**
 * Runs one provider operation (create, read, update, delete): with the configured client, within one
 * deadline for all its Green API calls, and with its failure worded for the user (see explain).
 */
export async function operation<T>(work: (client: PartnerClient, config: ProviderConfig) => Promise<T>): Promise<T> {
  try {
    const { client, config } = partnerClient();
    return await client.operation(() => work(client, config));
  } catch (error) {
    throw explain(error);
  }
}

/** One line on the provider's output, which Pulumi shows in the CLI. */
export function log(message: string): void {
  console.log(`greenapi: ${message}`);
}

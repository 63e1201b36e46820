/**
 * What the user reads when an operation fails: Green API errors re-worded for Pulumi users, naming
 * the stack config that fixes them (the client's own words name its options and GREEN_API_*
 * variables). The client's error stays the cause. Messages are already redacted by the transport.
 */
import { ADVICE, GreenApiError, type GreenApiErrorCode } from "../greenapi/errors";
import type { PartnerClient } from "../greenapi/client";
import { NO_TIME_TO_WRITE_ADVICE, WRONG_URL_ADVICE } from "../greenapi/transport";
import { CONFIG_KEYS, partnerClient, type ProviderConfig } from "./config";

const PARTNER_METHODS: ReadonlySet<string> = new Set(["createInstance", "getInstances", "deleteInstanceAccount"]);

const { partnerApiUrl, apiUrl, requestTimeoutSeconds, operationTimeoutSeconds } = CONFIG_KEYS;

/** The client's default advice for these codes, in stack-config terms. */
const PULUMI_ADVICE: Partial<Record<GreenApiErrorCode, string>> = {
  timeout:
    `Green API did not answer in time; run again, or raise ${requestTimeoutSeconds.key} (each request, default 30) ` +
    `or ${operationTimeoutSeconds.key} (each create, read, update or delete, default 120).`,
  connection_failed: `Check the network and the API URL (${partnerApiUrl.key} / ${apiUrl.key}), then run again.`,
  malformed_response:
    "Green API answered something that is not its documented JSON (an HTML page, a cut-off or empty body); " +
    `check that ${partnerApiUrl.key} / ${apiUrl.key} point at Green API, then run again.`,
};

/** Other advice of the client's, by its text (constants of our own, not Green API's words). */
const PULUMI_FOR_CLIENT_ADVICE: ReadonlyMap<string, string> = new Map([
  [
    WRONG_URL_ADVICE,
    `Green API has no such page: check ${partnerApiUrl.key} / ${apiUrl.key} (or the resource's apiUrl) against the partner console.`,
  ],
  [
    NO_TIME_TO_WRITE_ADVICE,
    `Run again; if this happens on the first request of an operation, raise ${operationTimeoutSeconds.key} to at least 3 × ${requestTimeoutSeconds.key} + 2.`,
  ],
]);

export function forPulumi(error: unknown): unknown {
  if (!(error instanceof GreenApiError)) return error;
  if (error.code === "instance_deleted") {
    return error.withAdvice(
      "Run `pulumi refresh` to drop it from the stack, then `pulumi up` to create it again.",
      "the instance has been deleted outside Pulumi",
    );
  }
  if (error.code === "unauthorized") {
    if (PARTNER_METHODS.has(error.method)) {
      const { key, env } = CONFIG_KEYS.partnerToken;
      return error.withAdvice(
        `Set the token from the partner console with \`pulumi config set --secret ${key} <token>\` or the ${env} environment variable.`,
        "the partner token was rejected",
      );
    }
    return error.withAdvice(
      "The instance may have been deleted or its token reset in the console; run `pulumi refresh` to pick up the change.",
      "this instance's token was rejected",
    );
  }
  const reworded =
    PULUMI_FOR_CLIENT_ADVICE.get(error.advice) ?? (error.advice === ADVICE[error.code] ? PULUMI_ADVICE[error.code] : undefined);
  return reworded ? error.withAdvice(reworded) : error;
}

/**
 * Runs one provider operation (create, read, update, delete): with the configured client, within one
 * deadline for all its Green API calls, and with its failure worded for the user (see forPulumi).
 */
export async function operation<T>(work: (client: PartnerClient, config: ProviderConfig) => Promise<T>): Promise<T> {
  try {
    const { client, config } = partnerClient();
    return await client.operation(() => work(client, config));
  } catch (error) {
    throw forPulumi(error);
  }
}

/** One line on the provider's output, which Pulumi shows in the CLI. */
export function log(message: string): void {
  console.log(`greenapi: ${message}`);
}

/**
 * What the user reads when an operation fails: Green API errors re-worded to name the setting that
 * fixes them. Messages are already redacted by the transport.
 */
import { GreenApiError } from "../greenapi/errors";
import { CONFIG_KEYS } from "./config";

const PARTNER_METHODS: ReadonlySet<string> = new Set(["createInstance", "getInstances", "deleteInstanceAccount"]);

export function explain(error: unknown): unknown {
  if (!(error instanceof GreenApiError) || error.code !== "unauthorized") return error;
  const details = { code: error.code, method: error.method, status: error.status };
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

/** Runs an operation and re-words its failure (see explain). */
export async function explained<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw explain(error);
  }
}

/** One line on the provider's output, which Pulumi shows in the CLI. */
export function log(message: string): void {
  console.log(`greenapi: ${message}`);
}

/**
 * What the user reads when an operation fails.
 *
 * Green API errors are re-worded for Pulumi users, naming the setting that fixes them where the user
 * of this provider sets it (see SettingNames: the stack config, or an explicit provider's property);
 * the client's own words name its options and GREEN_API_* variables. The client's error stays the
 * cause. Messages are already redacted by the transport.
 */
import { minimumOperationRule } from "../greenapi/deadlines";
import { GreenApiError, type AdviceId } from "../greenapi/errors";
import { STACK_CONFIG, type SettingNames } from "./config";

const PARTNER_METHODS: ReadonlySet<string> = new Set(["createInstance", "getInstances", "deleteInstanceAccount"]);

/**
 * A problem with what the program declared — a name already taken, an adoptIdInstance not in the
 * account, a setting the instance's product refuses — found by looking at Green API: the input is
 * at fault, not Green API, and running again without changing it fails the same way.
 */
export class InputError extends Error {
  constructor(
    readonly property: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "InputError";
  }
}

/** The client's standard advice, in this provider's setting names, where it names a setting. */
function adviceFor(id: AdviceId, names: SettingNames): string | undefined {
  const [partnerApiUrl, apiUrl, requestTimeout, operationTimeout] = (
    ["partnerApiUrl", "apiUrl", "requestTimeoutSeconds", "operationTimeoutSeconds"] as const
  ).map((setting) => names.name(setting));
  switch (id) {
    case "timeout":
      return (
        `Green API did not answer in time; run again, or raise ${requestTimeout} (each request, default 30) ` +
        `or ${operationTimeout} (each create, read, update or delete, default 120).`
      );
    case "connection_failed":
      return `Check the network and the API URL (${partnerApiUrl} / ${apiUrl}), then run again.`;
    case "malformed_response":
      return (
        "Green API answered something that is not its documented JSON (an HTML page, a cut-off or empty body); " +
        `check that ${partnerApiUrl} / ${apiUrl} point at Green API, then run again.`
      );
    case "wrong_url":
      return `Green API has no such page: check ${partnerApiUrl} / ${apiUrl} (or the resource's apiUrl) against the partner console.`;
    case "no_time_to_write":
      return `Run again; if this happens on the first request of an operation, raise ${operationTimeout} to at least ${minimumOperationRule(requestTimeout)}.`;
    default:
      return undefined;
  }
}

/** A Green API error in the words of this provider's user; other errors pass unchanged. */
export function forPulumi(error: unknown, names: SettingNames = STACK_CONFIG): unknown {
  if (!(error instanceof GreenApiError)) return error;
  if (error.code === "instance_deleted") {
    return error.withAdvice(
      "Run `pulumi refresh` to drop it from the stack, then `pulumi up` to create it again.",
      "the instance has been deleted outside Pulumi",
    );
  }
  if (error.code === "unauthorized") {
    if (PARTNER_METHODS.has(error.method)) return error.withAdvice(names.setPartnerToken, "the partner token was rejected");
    return error.withAdvice(
      "The instance may have been deleted or its token reset in the console; run `pulumi refresh` to pick up the change.",
      "this instance's token was rejected",
    );
  }
  const reworded = error.adviceId && adviceFor(error.adviceId, names);
  return reworded ? error.withAdvice(reworded) : error;
}

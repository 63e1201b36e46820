/**
 * One error family for everything Green API can do wrong, each with a stable `code` that callers
 * branch on and a message that tells the user what to do. Messages are redacted before they are
 * built into an error (see transport.ts), so an error can always be printed.
 */

export type GreenApiErrorCode =
  | "unauthorized" // the partner or instance token was rejected
  | "not_found" // the instance does not exist (or no longer does)
  | "rate_limited" // HTTP 429, retried until the time budget ran out
  | "invalid_request" // HTTP 400: Green API rejected what we sent
  | "server_error" // HTTP 5xx, retried until the time budget ran out
  | "timeout" // a deadline passed before Green API answered
  | "connection_failed" // the connection was refused or dropped
  | "malformed_response"; // an answer we cannot understand (HTML, truncated JSON, wrong shape)

export interface GreenApiErrorDetails {
  code: GreenApiErrorCode;
  /** Green API method, e.g. "createInstance". */
  method: string;
  /** HTTP status when there was an HTTP answer; Green API's body code for errors inside HTTP 200. */
  status?: number;
  /**
   * True when the request may have been performed even though no success answer arrived
   * (lost response, timeout after sending, 5xx). Matters for createInstance, which is not idempotent.
   */
  outcomeUnknown?: boolean;
  /** Server's Retry-After, in milliseconds, when it sent one. */
  retryAfterMs?: number;
}

const ADVICE: Record<GreenApiErrorCode, string> = {
  unauthorized: "Check the token: Green API rejected it.",
  not_found: "The instance does not exist in this account (deleted, or a wrong idInstance).",
  rate_limited: "Green API is rate limiting this account or instance; wait a minute and run again.",
  invalid_request: "Green API rejected the request; check the value it names.",
  server_error: "Green API is failing; run again later. If it persists, check https://green-api.com status.",
  timeout: "Green API did not answer in time; run again, or raise greenapi:requestTimeoutSeconds.",
  connection_failed: "Check the network and the API URL (greenapi:partnerApiUrl / greenapi:apiUrl).",
  malformed_response: "Green API answered something that is not the documented JSON; check the API URL points at Green API.",
};

export class GreenApiError extends Error {
  readonly code: GreenApiErrorCode;
  readonly method: string;
  readonly status?: number;
  readonly outcomeUnknown: boolean;
  readonly retryAfterMs?: number;

  constructor(details: GreenApiErrorDetails, what: string, advice: string = ADVICE[details.code]) {
    super(`Green API ${details.method}: ${what}. ${advice}`);
    this.name = "GreenApiError";
    this.code = details.code;
    this.method = details.method;
    this.status = details.status;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export function isGreenApiError(error: unknown, code?: GreenApiErrorCode): error is GreenApiError {
  return error instanceof GreenApiError && (code === undefined || error.code === code);
}

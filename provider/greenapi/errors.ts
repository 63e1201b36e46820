/**
 * One error family for everything Green API can do wrong, each with a stable `code` that callers
 * branch on and a message that tells the user what to do. Messages are redacted before they are
 * built into an error (see transport.ts), so an error can always be printed.
 */
import { minimumOperationRule } from "./deadlines";

export type GreenApiErrorCode =
  | "unauthorized" // the partner or instance token was rejected
  | "not_found" // the instance does not exist (or no longer does)
  | "rate_limited" // HTTP 429, retried until the time budget ran out
  | "invalid_request" // HTTP 400: Green API rejected what we sent
  | "instance_deleted" // the instance API says the instance has been deleted (HTTP 400 "Instance is deleted")
  | "server_error" // HTTP 5xx, retried until the time budget ran out
  | "no_free_instances" // createInstance code 100: nothing was created, try later
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
  /** True when the request never left (refused connection, no time left): nothing can have happened. */
  notSent?: boolean;
  /**
   * For a write whose outcome is unknown: the time (epoch ms) by which Green API will have performed
   * it, if it ever does (see settleWindowMs). A lookup sent after it is conclusive.
   */
  settlesAt?: number;
  /**
   * Which of the client's standard advices (ADVICE) the error carries when it is not its code's own
   * (a page that does not exist is an invalid_request with "wrong_url" advice). Front doors re-word
   * advice by this id, never by its text.
   */
  adviceId?: AdviceId;
}

/** The client's standard advices: one per code, and a few for conditions a code alone does not say. */
export type AdviceId = GreenApiErrorCode | "wrong_url" | "no_time_to_write" | "plan_quota";

// Each says what to do next, in the client's own terms (its options and GREEN_API_* variables; the
// Pulumi provider re-words them for stack config). Retryable failures were already retried within the
// deadlines by the time a user reads one, so "run again" is advice for later, not a retry we skipped.
export const ADVICE: Record<AdviceId, string> = {
  unauthorized: "Check the token: Green API rejected it.",
  not_found: "The instance does not exist in this account (deleted, or a wrong idInstance); check the idInstance in the partner console.",
  rate_limited: "Green API is rate limiting this account or instance; wait a minute and run again.",
  invalid_request: "Green API rejected the request; check the value it names.",
  instance_deleted: "The instance has been deleted; check the idInstance in the partner console.",
  server_error: "Green API is failing; run again later. If it persists, check https://green-api.com status.",
  no_free_instances: "Green API has no free instances right now and created nothing; run again in a few minutes.",
  timeout:
    "Green API did not answer in time; run again, or raise the deadlines (the deadlines option, or " +
    "GREEN_API_REQUEST_TIMEOUT_SECONDS, default 30, and GREEN_API_OPERATION_TIMEOUT_SECONDS, default 120).",
  connection_failed:
    "Check the network and the API URL (the partnerApiUrl / apiUrl options, or GREEN_API_PARTNER_API_URL / GREEN_API_URL), then run again.",
  malformed_response:
    "Green API answered something that is not its documented JSON (an HTML page, a cut-off or empty body); " +
    "check that the partnerApiUrl / apiUrl options (GREEN_API_PARTNER_API_URL / GREEN_API_URL) point at Green API, then run again.",
  wrong_url:
    "Green API has no such page: check the partnerApiUrl / apiUrl options (GREEN_API_PARTNER_API_URL / GREEN_API_URL) against the partner console.",
  no_time_to_write:
    "Run again; if this happens on the first request of an operation, raise the operation deadline " +
    `(the deadlines.operationMs option or GREEN_API_OPERATION_TIMEOUT_SECONDS) to at least ${minimumOperationRule("the request deadline")} s.`,
  plan_quota: "The instance's plan quota is used up; check its tariff in the Green API console.",
};

/**
 * Green API reports some conditions only as text in an HTTP 400 (instance API). Each known text is
 * mapped to a code here, once, so nothing else branches on message text.
 */
const TEXT_CODES: ReadonlyArray<[RegExp, GreenApiErrorCode]> = [[/instance is deleted/i, "instance_deleted"]];

/** The code for an HTTP 400's text: a known condition's, or invalid_request. */
export function codeForRejection(text: string): GreenApiErrorCode {
  return TEXT_CODES.find(([pattern]) => pattern.test(text))?.[1] ?? "invalid_request";
}

export class GreenApiError extends Error {
  readonly code: GreenApiErrorCode;
  readonly method: string;
  readonly status?: number;
  readonly outcomeUnknown: boolean;
  readonly retryAfterMs?: number;
  readonly notSent: boolean;
  readonly settlesAt?: number;
  /** What went wrong, without the method and the advice (the message has all three). */
  readonly detail: string;
  readonly advice: string;
  /** The standard advice this error carries (see ADVICE), or undefined when its advice is its own words. */
  readonly adviceId?: AdviceId;

  /** Without `advice`, the standard one for `details.adviceId`, else for the code. */
  constructor(details: GreenApiErrorDetails, what: string, advice?: string, options?: { cause?: unknown }) {
    const adviceId = advice === undefined ? (details.adviceId ?? details.code) : undefined;
    advice ??= ADVICE[adviceId!];
    super(`Green API ${details.method}: ${what}. ${advice}`, options);
    this.name = "GreenApiError";
    this.code = details.code;
    this.method = details.method;
    this.status = details.status;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    this.retryAfterMs = details.retryAfterMs;
    this.notSent = details.notSent ?? false;
    this.settlesAt = details.settlesAt;
    this.detail = what;
    this.advice = advice;
    this.adviceId = adviceId;
  }

  /**
   * The same error, saying that it is the last of several attempts (so nobody retries by hand at
   * once), or why there was no further attempt.
   */
  afterAttempts(attempts: number, elapsedMs: number, why?: string): GreenApiError {
    const seconds = (elapsedMs / 1000).toFixed(1);
    const tried = attempts === 1 ? `1 attempt in ${seconds} s` : `${attempts} attempts in ${seconds} s`;
    const advice = this.adviceId === undefined ? this.advice : undefined;
    return new GreenApiError(this.details, `${this.detail}; gave up after ${tried}${why ? ` (${why})` : ""}`, advice, { cause: this });
  }

  /** The same error with other advice (the provider words it for Pulumi users); the original is its cause. */
  withAdvice(advice: string, detail = this.detail): GreenApiError {
    return new GreenApiError(this.details, detail, advice, { cause: this });
  }

  /** Everything but the words. */
  get details(): GreenApiErrorDetails {
    const { code, method, status, outcomeUnknown, retryAfterMs, notSent, settlesAt, adviceId } = this;
    return { code, method, status, outcomeUnknown, retryAfterMs, notSent, settlesAt, adviceId };
  }
}

export function isGreenApiError(error: unknown, code?: GreenApiErrorCode): error is GreenApiError {
  return error instanceof GreenApiError && (code === undefined || error.code === code);
}

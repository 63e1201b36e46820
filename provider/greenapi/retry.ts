/**
 * When to try a request again, and how long to wait — one pure function, so the policy can be read
 * (and tested) in one place.
 */
import type { GreenApiError } from "./errors";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** First backoff; doubles each attempt (full jitter), capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 10_000 };

/**
 * Whether repeating the request could change anything on Green API's side.
 * - "safe": reads, deleteInstanceAccount (a repeat answers 404, which the caller takes as success) and
 *   setSettings with the same body. Retried on any transient failure.
 * - "once": createInstance. A repeat after a lost answer creates (and bills) a second instance, so it
 *   is retried only when the request provably never left (connection refused); everything else goes
 *   back to the caller, which reconciles by name before creating again.
 */
export type Repeatability = "safe" | "once";

const TRANSIENT: ReadonlySet<string> = new Set(["rate_limited", "server_error", "timeout", "connection_failed", "malformed_response"]);

/**
 * Milliseconds to wait before the next attempt, or undefined to give up.
 * `attempt` counts the attempts made so far (1 after the first failure).
 */
export function retryDelay(
  error: GreenApiError,
  attempt: number,
  repeatability: Repeatability,
  remainingMs: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  if (!TRANSIENT.has(error.code)) return undefined;
  if (repeatability === "once" && error.outcomeUnknown) return undefined;
  if (repeatability === "once" && error.code !== "connection_failed") return undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Full jitter spreads many resources retrying at once; Retry-After is a floor the server asked for.
  const delay = Math.max(error.retryAfterMs ?? 0, Math.floor(random() * backoff));
  return delay < remainingMs ? delay : undefined;
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

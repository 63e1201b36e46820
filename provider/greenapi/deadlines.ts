/**
 * The two deadlines every Green API call lives within, and what they imply for writes Green API may
 * perform after the request timed out. The config check, the transport and every advice that names a
 * minimum take their numbers from here.
 */

export interface Deadlines {
  /** Longest a single HTTP request may take, connect to last byte. */
  requestMs: number;
  /** Longest one operation may take, retries and their waits included. */
  operationMs: number;
}

export const DEFAULT_DEADLINES: Deadlines = { requestMs: 30_000, operationMs: 120_000 };

/**
 * How long after sending a write we allow Green API to still perform it: a slow backend can finish a
 * request well after the client gave up on it. Three request deadlines (90 s by default), plus a
 * second so that a lookup sent at the window's end comes after a performance right at 3×.
 */
export function settleWindowMs(requestMs: number): number {
  return 3 * requestMs + 1_000;
}

/**
 * The shortest operation deadline in which `writes` writes can each wait out their settle window,
 * with a second for the lookup before the first: 3 × request + 2 s for one write.
 */
export function minimumOperationMs(requestMs: number, writes = 1): number {
  return writes * settleWindowMs(requestMs) + 1_000;
}

/** minimumOperationMs as a rule in the reader's words for the request deadline, in seconds: "3 × <request> + 2". */
export function minimumOperationRule(request: string, writes = 1): string {
  return `${3 * writes} × ${request} + ${writes + 1}`;
}

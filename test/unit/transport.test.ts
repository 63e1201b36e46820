/** Retry policy, Retry-After and redaction: the pure parts of the transport. */
import { GreenApiError, type GreenApiErrorCode } from "../../provider/greenapi/errors";
import { redact } from "../../provider/greenapi/redact";
import { parseRetryAfter, retryDelay } from "../../provider/greenapi/retry";

const error = (code: GreenApiErrorCode, extra: { outcomeUnknown?: boolean; retryAfterMs?: number } = {}) =>
  new GreenApiError({ code, method: "test", ...extra }, "failed");
const noJitter = () => 0.999;

describe("retryDelay", () => {
  it("retries transient failures of safe requests with growing backoff", () => {
    const first = retryDelay(error("server_error"), 1, "safe", 60_000, undefined, noJitter)!;
    const third = retryDelay(error("server_error"), 3, "safe", 60_000, undefined, noJitter)!;
    expect(first).toBeGreaterThan(0);
    expect(third).toBeGreaterThan(first);
  });

  it("never retries what cannot get better by repeating", () => {
    for (const code of ["unauthorized", "not_found", "invalid_request"] as const) {
      expect(retryDelay(error(code), 1, "safe", 60_000)).toBeUndefined();
    }
  });

  it("honours Retry-After as a floor", () => {
    expect(retryDelay(error("rate_limited", { retryAfterMs: 3_000 }), 1, "safe", 60_000, undefined, () => 0)).toBe(3_000);
  });

  it("gives up when the wait would pass the operation deadline or attempts run out", () => {
    expect(retryDelay(error("rate_limited", { retryAfterMs: 30_000 }), 1, "safe", 10_000)).toBeUndefined();
    expect(retryDelay(error("server_error"), 6, "safe", 60_000)).toBeUndefined();
  });

  it("repeats a createInstance only when it provably never left", () => {
    expect(retryDelay(error("connection_failed", { outcomeUnknown: false }), 1, "once", 60_000)).toBeDefined();
    expect(retryDelay(error("connection_failed", { outcomeUnknown: true }), 1, "once", 60_000)).toBeUndefined();
    expect(retryDelay(error("timeout", { outcomeUnknown: true }), 1, "once", 60_000)).toBeUndefined();
    expect(retryDelay(error("server_error", { outcomeUnknown: true }), 1, "once", 60_000)).toBeUndefined();
    expect(retryDelay(error("rate_limited"), 1, "once", 60_000)).toBeUndefined();
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("2")).toBe(2_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("redact", () => {
  it("removes every credential, plain and percent-encoded", () => {
    const text = "GET https://h/partner/getInstances/p@rt+tok and p%40rt%2Btok and 0123abcd";
    expect(redact(text, ["p@rt+tok", "0123abcd", undefined])).toBe("GET https://h/partner/getInstances/*** and *** and ***");
  });
});

// Green API limits each method of each instance separately (docs/greenapi.md §2 and Green API's rate limiter
// table): 1 request/second for getSettings, setSettings, getStateInstance, logout and reboot,
// 3/second for qr.

import type { InstanceMethod } from "./types";

const WINDOW_MS = 1000;
const PER_WINDOW = { qr: 3, other: 1 } as const;

export class RateLimiter {
  // Admission times within the last window, per instance and method.
  private recent = new Map<string, number[]>();
  private on: boolean;

  constructor(enabled: boolean) {
    this.on = enabled;
  }

  setEnabled(enabled: boolean): void {
    this.on = enabled;
    this.recent.clear();
  }

  /** Whether the request may go through; rejected requests do not use up the budget. */
  admit(idInstance: number, method: InstanceMethod, now = Date.now()): boolean {
    if (!this.on) return true;
    const budget = method === "qr" ? "qr" : "other";
    const key = `${idInstance}:${method}`;
    const times = (this.recent.get(key) ?? []).filter((at) => now - at < WINDOW_MS);
    const admitted = times.length < PER_WINDOW[budget];
    if (admitted) times.push(now);
    this.recent.set(key, times);
    return admitted;
  }
}

/** The partner gateway's token bucket: `ratePerSecond` tokens a second, holding at most `burst`. */
export interface PartnerRateLimit {
  ratePerSecond: number;
  burst: number;
}

/** What Green API's partner Postman collection records on every partner answer (docs/greenapi.md §1.3). */
export const GREEN_API_PARTNER_RATE_LIMIT: PartnerRateLimit = { ratePerSecond: 10, burst: 20 };

/**
 * Green API's partner gateway: one token bucket per account, shared by createInstance, getInstances
 * and deleteInstanceAccount. A call takes one token; without one it is refused (HTTP 429) before it
 * is performed. Every partner answer carries the bucket's X-RateLimit-* headers, as the collection
 * shows (a Spring Cloud Gateway limiter: Remaining is the whole tokens left, no Retry-After).
 */
export class PartnerGateway {
  private limit: PartnerRateLimit | undefined;
  private tokens = 0;
  private refilledAt = 0;

  constructor(limit: PartnerRateLimit | undefined) {
    this.set(limit);
  }

  /** A new limit (undefined: none) starts with a full bucket. */
  set(limit: PartnerRateLimit | undefined): void {
    if (limit && !(limit.ratePerSecond > 0 && Number.isInteger(limit.burst) && limit.burst >= 1)) {
      throw new Error(`GreenApiEmulator: a partner rate limit needs ratePerSecond > 0 and a whole burst ≥ 1, got ${JSON.stringify(limit)}`);
    }
    this.limit = limit && { ...limit };
    this.tokens = limit?.burst ?? 0;
    this.refilledAt = Date.now();
  }

  /** Takes a token if there is one; the headers go on the answer either way (none without a limit). */
  admit(now = Date.now()): { admitted: boolean; headers: Record<string, string> } {
    const limit = this.limit;
    if (!limit) return { admitted: true, headers: {} };
    this.tokens = Math.min(limit.burst, this.tokens + ((now - this.refilledAt) * limit.ratePerSecond) / 1000);
    this.refilledAt = now;
    // A token that is back but for a rounding error is back.
    const admitted = this.tokens >= 1 - 1e-9;
    if (admitted) this.tokens = Math.max(0, this.tokens - 1);
    return {
      admitted,
      headers: {
        "x-ratelimit-replenish-rate": String(limit.ratePerSecond),
        "x-ratelimit-burst-capacity": String(limit.burst),
        "x-ratelimit-requested-tokens": "1",
        "x-ratelimit-remaining": String(Math.floor(this.tokens)),
      },
    };
  }
}

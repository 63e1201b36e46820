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

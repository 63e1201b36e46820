// Injected faults: the ways a real network path to Green API misbehaves, queued per method.

import { STATUS_CODES } from "node:http";
import { htmlReply, textReply, type Reply } from "./reply";
import type { Fault, FaultTarget, Method } from "./types";

export class FaultBook {
  private faults: Array<{ fault: Fault; remaining: number }> = [];

  inject(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!(times >= 1)) throw new Error(`GreenApiEmulator: fault times must be at least 1, got ${times}`);
    if (fault.kind === "status" && !(fault.status >= 100 && fault.status <= 599)) {
      throw new Error(`GreenApiEmulator: fault status must be an HTTP status, got ${fault.status}`);
    }
    if (fault.kind === "late" && !(Number.isFinite(fault.delayMs) && fault.delayMs >= 0)) {
      throw new Error(`GreenApiEmulator: a late fault's delayMs must be a number of milliseconds, got ${fault.delayMs}`);
    }
    this.faults.push({ fault: { ...fault }, remaining: times });
  }

  /** Drops the faults aimed at `target` (all of them without one). */
  clear(target: FaultTarget = {}): void {
    this.faults = this.faults.filter(
      ({ fault }) =>
        !(
          (target.method === undefined || fault.method === target.method) &&
          (target.idInstance === undefined || fault.idInstance === target.idInstance) &&
          (target.name === undefined || fault.name === target.name)
        ),
    );
  }

  /** The first fault matching this request, counted as used; faults are consumed in injection order. */
  take(method: Method, request: { idInstance?: number; name?: string }): Fault | undefined {
    const index = this.faults.findIndex(
      ({ fault }) =>
        fault.method === method &&
        (fault.idInstance === undefined || fault.idInstance === request.idInstance) &&
        (fault.name === undefined || fault.name === request.name),
    );
    if (index < 0) return undefined;
    const entry = this.faults[index];
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.faults.splice(index, 1);
    return entry.fault;
  }
}

/** The answer a fault sends instead of performing, or undefined for those that send none or perform (drop, hang, performThenDrop, late). */
export function faultReply(fault: Fault): Reply | undefined {
  switch (fault.kind) {
    case "status": {
      const headers: Record<string, string> =
        fault.retryAfterSeconds !== undefined ? { "retry-after": String(fault.retryAfterSeconds) } : {};
      return textReply(fault.status, fault.body ?? STATUS_CODES[fault.status] ?? "Error", headers);
    }
    case "malformed":
      // Cut off mid-way, as when a connection dies during the response.
      return { status: 200, contentType: "application/json; charset=utf-8", body: '{"idInstance": 11017', headers: {} };
    case "html":
      return htmlReply(502, NGINX_502);
    default:
      return undefined;
  }
}

const NGINX_502 = [
  "<html>",
  "<head><title>502 Bad Gateway</title></head>",
  "<body>",
  "<center><h1>502 Bad Gateway</h1></center>",
  "<hr><center>nginx</center>",
  "</body>",
  "</html>",
  "",
].join("\r\n");

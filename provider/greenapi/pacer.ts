/**
 * Green API limits the instance API per instance and method (1 request/second for most methods).
 * The pacer spaces calls that share a key so that several calls of one method to one instance queue
 * politely instead of collecting 429s.
 */
import { pauseFor } from "./waiting";

export class Pacer {
  private readonly nextFree = new Map<string, number>();

  /** Waits for this key's next slot and reserves it; slots are intervalMs apart. */
  async wait(key: string, intervalMs: number): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextFree.get(key) ?? 0);
    this.nextFree.set(key, slot + intervalMs);
    if (slot > now) await pauseFor(slot - now);
  }

  /** Pushes the key's next slot back, e.g. after the server sent Retry-After. */
  delay(key: string, untilMs: number): void {
    this.nextFree.set(key, Math.max(this.nextFree.get(key) ?? 0, untilMs));
  }
}

/** A partner account's call budget: `ratePerSecond` calls a second, in bursts of up to `burst`. */
export interface PartnerLimit {
  ratePerSecond: number;
  burst: number;
}

/**
 * Until Green API's headers say otherwise, what its partner Postman collection records on every
 * partner answer (X-RateLimit-Replenish-Rate 10, X-RateLimit-Burst-Capacity 20). The docs name no
 * partner limit, but a gateway that sends those headers enforces them; starting from them costs a
 * few seconds on a large `up` if the account's real limit is higher (the first answer corrects it),
 * while starting higher would collect a 429 for every call over 20 in a burst.
 */
export const DEFAULT_PARTNER_LIMIT: PartnerLimit = { ratePerSecond: 10, burst: 20 };

type Headers = Record<string, string | string[] | undefined>;

/** A call's turn in the bucket; `fromFull` when the bucket was full (unused for a while) before it. */
export interface Turn {
  fromFull: boolean;
}

/**
 * The mirror of Green API's partner gateway bucket for one account: every partner call of this
 * process takes a turn here first, so that a bulk `up` sends its creates, lists and deletes at the
 * rate the gateway admits instead of collecting 429s. Turns are handed out first come, first
 * served. The gateway's X-RateLimit-* headers correct the mirror: its rate and burst, and its
 * remaining tokens (other processes may share the account). Kept as the time at which the bucket
 * would be full again (GCRA): a call may go when that is at most `burst - 1` intervals ahead.
 */
export class PartnerBucket {
  private limit: PartnerLimit;
  /** When the bucket would hold all `burst` tokens again, counting every turn handed out. */
  private fullAt = 0;
  private readonly queue: Array<{ go: (turn: Turn | undefined) => void; timer?: NodeJS.Timeout }> = [];
  private timer?: NodeJS.Timeout;

  constructor(limit: PartnerLimit = DEFAULT_PARTNER_LIMIT) {
    this.limit = { ...limit };
  }

  /** The limit in force: the default until Green API's headers named one. */
  get current(): PartnerLimit {
    return { ...this.limit };
  }

  /** Resolves with this call's turn, or undefined if that would come after `deadline` (epoch ms). */
  take(deadline: number): Promise<Turn | undefined> {
    return new Promise((resolve) => {
      const waiter: (typeof this.queue)[number] = { go: resolve };
      const leftMs = deadline - Date.now();
      if (leftMs <= 0) return resolve(undefined);
      waiter.timer = setTimeout(() => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        resolve(undefined);
      }, leftMs);
      this.queue.push(waiter);
      this.pump();
    });
  }

  /**
   * Reads the gateway's X-RateLimit-* headers from a partner answer (429 included) to a call sent at
   * `sentAt` in `turn`. Its Remaining is taken as of the sending: the gateway counted it between
   * sending and answer, and dating it at the answer would hold every next call back by a round trip.
   */
  observe(headers: Headers, turn: Turn, sentAt: number): void {
    // A full bucket stays full until a call reaches it: the gateway's refill started up to a round
    // trip after the mirror's. Counting from the answer keeps the mirror from running ahead.
    if (turn.fromFull) this.fullAt += Math.max(0, Date.now() - sentAt);
    const rate = numberHeader(headers, "x-ratelimit-replenish-rate");
    const burst = numberHeader(headers, "x-ratelimit-burst-capacity");
    if (rate !== undefined && rate > 0) this.limit.ratePerSecond = rate;
    if (burst !== undefined && burst >= 1) this.limit.burst = Math.floor(burst);
    const remaining = numberHeader(headers, "x-ratelimit-remaining");
    // The gateway had `remaining` whole tokens (it may share them with other processes): never count on more.
    if (remaining !== undefined && remaining >= 0) {
      this.fullAt = Math.max(this.fullAt, sentAt + (this.limit.burst - remaining) * this.intervalMs);
    }
    this.pump();
  }

  /**
   * A 429: the gateway had no token for this call (and did not perform it). The next turn comes when
   * one has come back, or after the server's Retry-After if it sent one.
   */
  refused(retryAfterMs: number | undefined, now = Date.now()): void {
    const empty = now + this.limit.burst * this.intervalMs;
    const after = retryAfterMs === undefined ? 0 : now + retryAfterMs + this.toleranceMs;
    this.fullAt = Math.max(this.fullAt, empty, after);
    this.pump();
  }

  private get intervalMs(): number {
    return 1000 / this.limit.ratePerSecond;
  }

  /** How far ahead of now `fullAt` may be for a call to go: burst − 1 intervals. */
  private get toleranceMs(): number {
    return (this.limit.burst - 1) * this.intervalMs;
  }

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const now = Date.now();
      const goesAt = this.fullAt - this.toleranceMs;
      if (goesAt > now) {
        this.timer = setTimeout(() => this.pump(), Math.ceil(goesAt - now));
        return;
      }
      const fromFull = this.fullAt <= now;
      this.fullAt = Math.max(this.fullAt, now) + this.intervalMs;
      const waiter = this.queue.shift()!;
      clearTimeout(waiter.timer);
      waiter.go({ fromFull });
    }
  }
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === "") return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/** One bucket per account (partner API URL and token) in this process, whichever client calls it. */
const partnerBuckets = new Map<string, PartnerBucket>();

export function partnerBucketOf(partnerApiUrl: string, partnerToken: string): PartnerBucket {
  const key = `${partnerApiUrl}\n${partnerToken}`;
  let bucket = partnerBuckets.get(key);
  if (!bucket) partnerBuckets.set(key, (bucket = new PartnerBucket()));
  return bucket;
}

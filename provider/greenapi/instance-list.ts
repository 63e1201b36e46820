/**
 * The account's instance list, fetched once and shared. Green API has no single-instance read, so
 * every refresh of every resource needs getInstances — the whole account, unpaginated. The engine
 * runs those reads concurrently inside one provider process, so they can all share one answer:
 * callers that arrive while a request is in flight join it, and callers that arrive shortly after
 * it was sent reuse its answer. Whatever this process creates or deletes invalidates the list.
 */

/**
 * How long an answer is reused, counted from when its request was sent (so it bounds the age of the
 * data, not of the download). Long enough to cover one refresh's burst of reads, which the engine
 * issues within milliseconds of each other; short enough that a list is never older than a human
 * could notice — console changes made during a refresh are a race no window avoids.
 */
export const INSTANCE_LIST_FRESHNESS_MS = 2_000;

export interface InstanceListOptions {
  freshnessMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface ListRequest {
  /**
   * Send a request of our own, never reuse an answer or join one in flight: the list then reflects
   * the account as it is after this call began (a create whose answer was lost looks itself up so).
   */
  fresh?: boolean;
}

interface Fetch<T> {
  /** Increases with every request sent: a later request's answer is never replaced by an earlier one's. */
  seq: number;
  /** Invalidations before it was sent; an answer from before an invalidation is never kept. */
  generation: number;
  sentAt: number;
  answer: Promise<readonly T[]>;
}

export class InstanceListCache<T extends object> {
  private readonly freshnessMs: number;
  private readonly now: () => number;
  private generation = 0;
  private seq = 0;
  private inFlight?: Fetch<T>;
  private latest?: { seq: number; sentAt: number; items: readonly T[] };

  constructor(
    private readonly fetchList: () => Promise<T[]>,
    options: InstanceListOptions = {},
  ) {
    this.freshnessMs = options.freshnessMs ?? INSTANCE_LIST_FRESHNESS_MS;
    this.now = options.now ?? Date.now;
  }

  /** The list; each caller gets its own array (the items are shared, hence frozen). */
  async get(request: ListRequest = {}): Promise<Array<Readonly<T>>> {
    if (!request.fresh) {
      const latest = this.latest;
      if (latest && this.now() - latest.sentAt < this.freshnessMs) return latest.items.slice();
      if (this.inFlight) return (await this.inFlight.answer).slice();
    }
    return (await this.send().answer).slice();
  }

  /** After a change to the account: later callers get a list fetched from now on. */
  invalidate(): void {
    this.generation++;
    this.latest = undefined;
    this.inFlight = undefined;
  }

  private send(): Fetch<T> {
    const fetch: Fetch<T> = {
      seq: ++this.seq,
      generation: this.generation,
      sentAt: this.now(),
      answer: this.fetchList().then((items) => Object.freeze(items.map((item) => Object.freeze(item)))),
    };
    this.inFlight = fetch;
    fetch.answer.then(
      (items) => {
        if (this.inFlight === fetch) this.inFlight = undefined;
        const current = fetch.generation === this.generation;
        if (current && (!this.latest || this.latest.seq < fetch.seq)) {
          this.latest = { seq: fetch.seq, sentAt: fetch.sentAt, items };
        }
      },
      // A failure is never kept: the callers sharing this request get it, the next caller tries again.
      () => {
        if (this.inFlight === fetch) this.inFlight = undefined;
      },
    );
    return fetch;
  }
}

/**
 * The account's instance list, fetched once and shared. Green API has no single-instance read, so
 * every refresh of every resource needs getInstances — the whole account, unpaginated. The engine
 * runs those reads concurrently inside one provider process, so they can all share one answer:
 * callers that arrive while a request is in flight join it, and callers that keep arriving reuse its
 * answer. Whatever this process creates or deletes invalidates the list.
 */

/**
 * An answer is reused while callers keep coming: each use extends its life by this much. The engine
 * runs a refresh's reads a few at a time (`--parallel`, 4 × CPUs by default), each starting as another
 * ends, so the gaps between them are short however long the whole refresh takes; a pause this long
 * means the burst is over, and the next caller gets a new list.
 */
export const INSTANCE_LIST_FRESHNESS_MS = 2_000;

/**
 * …but never past this age, counted from when its request was sent (so it bounds the age of the
 * data, not of the download): one operation's deadline. A provider process lives for one `pulumi`
 * command, and console changes made during a refresh are a race no window avoids.
 */
export const INSTANCE_LIST_MAX_AGE_MS = 120_000;

export interface InstanceListOptions {
  freshnessMs?: number;
  maxAgeMs?: number;
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
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private generation = 0;
  private seq = 0;
  private inFlight?: Fetch<T>;
  private latest?: { seq: number; sentAt: number; lastUsedAt: number; items: readonly T[] };

  constructor(
    private readonly fetchList: () => Promise<T[]>,
    options: InstanceListOptions = {},
  ) {
    this.freshnessMs = options.freshnessMs ?? INSTANCE_LIST_FRESHNESS_MS;
    this.maxAgeMs = options.maxAgeMs ?? INSTANCE_LIST_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  /** The list; each caller gets its own array (the items are shared, hence frozen). */
  async get(request: ListRequest = {}): Promise<Array<Readonly<T>>> {
    if (!request.fresh) {
      const latest = this.latest;
      const now = this.now();
      if (latest && now - latest.lastUsedAt < this.freshnessMs && now - latest.sentAt < this.maxAgeMs) {
        latest.lastUsedAt = now;
        return latest.items.slice();
      }
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
          this.latest = { seq: fetch.seq, sentAt: fetch.sentAt, lastUsedAt: this.now(), items };
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

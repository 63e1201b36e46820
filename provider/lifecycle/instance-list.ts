/**
 * The account's instance list, fetched once and shared. Green API has no single-instance read, so
 * every refresh of every resource needs getInstances — the whole account, unpaginated. The engine
 * runs those reads concurrently inside one provider process, so they can all share one answer:
 * callers that arrive while a request is in flight join it, and callers that keep arriving reuse its
 * answer. Whatever this process creates or deletes invalidates the list.
 */
import { pauseFor } from "../greenapi/waiting";

/**
 * An answer is reused while callers keep coming: each use, and the end of each operation that used
 * it, extends its life by this much. The engine runs a refresh's reads a few at a time (`--parallel`,
 * 4 × CPUs by default), each starting as another ends, so the gaps between them are short however
 * long the whole refresh or each read takes; a pause this long means the burst is over, and the next
 * caller gets a new list.
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
  /**
   * Accept any list requested at or after this time (epoch ms), within the maximum age, even from
   * before this process's own later creates and deletes: e.g. the time a createInstance answered,
   * to find that instance. `0` accepts any list still within the maximum age.
   */
  sentAfter?: number;
  /**
   * With `sentAfter`: when no such list is at hand, wait this long for another caller's request
   * before sending one, so that callers with nearby `sentAfter` times share one list.
   */
  lingerMs?: number;
}

/** A request sent (in flight) or answered. */
interface Fetch {
  /** Increases with every request sent: a later request's answer is never replaced by an earlier one's. */
  seq: number;
  /** Invalidations before it was sent: callers without `sentAfter` take nothing from before the latest one. */
  generation: number;
  sentAt: number;
  /**
   * Still waiting for its turn (the account's partner rate limit): it will be sent later than any
   * caller that joins it now, so it reflects everything that caller needs. Once sent, `sentAt` and
   * `generation` are those of its (last) sending.
   */
  waiting: boolean;
}

/** Fetches the list; calls `sent` when (each attempt of) its request goes out. */
export type FetchList<T> = (sent: (at: number) => void) => Promise<T[]>;

export class InstanceListCache<T extends object> {
  private readonly freshnessMs: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private generation = 0;
  private seq = 0;
  private readonly inFlight: Array<Fetch & { answer: Promise<readonly T[]> }> = [];
  private latest?: Fetch & { lastUsedAt: number; items: readonly T[] };

  constructor(
    private readonly fetchList: FetchList<T>,
    options: InstanceListOptions = {},
  ) {
    this.freshnessMs = options.freshnessMs ?? INSTANCE_LIST_FRESHNESS_MS;
    this.maxAgeMs = options.maxAgeMs ?? INSTANCE_LIST_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * The list. Callers share one answer, so the array and its items are frozen: a thousand reads of a
   * refresh each copying a thousand-item list was a measurable share of their CPU.
   */
  async get(request: ListRequest = {}): Promise<ReadonlyArray<Readonly<T>>> {
    if (!request.fresh) {
      const shared = this.shared(request);
      if (shared) return shared;
      if (request.sentAfter !== undefined && request.lingerMs) {
        await pauseFor(request.lingerMs);
        const later = this.shared(request);
        if (later) return later;
      }
    }
    return this.send();
  }

  /** A kept answer this caller may reuse, or the most recently sent request it may join. */
  private shared(request: ListRequest): Promise<readonly T[]> | undefined {
    const kept = this.reusable(request);
    if (kept) return Promise.resolve(kept);
    return [...this.inFlight].reverse().find((fetch) => this.accepts(request, fetch))?.answer;
  }

  /** After a change to the account: later callers (without `sentAfter`) get a list requested from now on. */
  invalidate(): void {
    this.generation++;
  }

  /**
   * An operation that began at `startedAt` (epoch ms) has ended. If it used the kept answer, that
   * answer was in use until now: a read slowed by its own instance calls does not end the burst,
   * only a pause with no read in progress does.
   */
  operationEnded(startedAt: number): void {
    const latest = this.latest;
    if (latest && latest.lastUsedAt >= startedAt) latest.lastUsedAt = Math.max(latest.lastUsedAt, this.now());
  }

  private accepts(request: ListRequest, fetch: Fetch): boolean {
    if (fetch.waiting) return request.sentAfter === undefined || request.sentAfter <= this.now();
    return request.sentAfter === undefined ? fetch.generation === this.generation : fetch.sentAt >= request.sentAfter;
  }

  private reusable(request: ListRequest): readonly T[] | undefined {
    const latest = this.latest;
    const now = this.now();
    if (!latest || now - latest.sentAt >= this.maxAgeMs || !this.accepts(request, latest)) return undefined;
    // The idle window ends a burst of reads; a caller naming `sentAfter` says itself what is recent enough.
    if (request.sentAfter === undefined && now - latest.lastUsedAt >= this.freshnessMs) return undefined;
    latest.lastUsedAt = now;
    return latest.items;
  }

  private send(): Promise<readonly T[]> {
    const fetch: Fetch = { seq: ++this.seq, generation: this.generation, sentAt: this.now(), waiting: true };
    const sent = (at: number) => Object.assign(fetch, { sentAt: at, generation: this.generation, waiting: false });
    const answer = this.fetchList(sent).then((items) => Object.freeze(items.map((item) => Object.freeze(item))));
    const entry = Object.assign(fetch, { answer });
    this.inFlight.push(entry);
    const settle = () => this.inFlight.splice(this.inFlight.indexOf(entry), 1);
    answer.then(
      (items) => {
        settle();
        const { seq, generation, sentAt } = fetch;
        if (!this.latest || this.latest.seq < seq) this.latest = { seq, generation, sentAt, waiting: false, lastUsedAt: this.now(), items };
      },
      // A failure is never kept: the callers sharing this request get it, the next caller tries again.
      settle,
    );
    return answer;
  }
}

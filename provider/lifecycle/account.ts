/**
 * The partner account as one provider process sees it. The engine runs a refresh's reads and an
 * `up`'s creates many at a time (`--parallel`), and Green API has no single-instance read, so every
 * operation here shares one getInstances list (InstanceListCache, tuned for that), kept honest by
 * this process's own creates and deletes. Scripts use PartnerClient directly: there, each
 * getInstances is one request.
 */
import type { CreatedInstance, CreateInstanceRequest, InstanceListItem, PartnerClient } from "../greenapi/client";
import { isGreenApiError } from "../greenapi/errors";
import { InstanceListCache, type ListRequest } from "./instance-list";

export class SharedAccount {
  private readonly list: InstanceListCache<InstanceListItem>;
  /** See createsSettledAt. */
  private unsettledCreatesUntil = 0;

  constructor(readonly client: PartnerClient) {
    this.list = new InstanceListCache((sent) => client.getInstances({ onSend: sent }));
  }

  /**
   * Every instance of the account, deleted ones included. Concurrent and near-simultaneous callers
   * share one request (see instance-list.ts); `{ fresh: true }` asks for a list requested after this
   * call began.
   */
  instances(request: ListRequest = {}): Promise<ReadonlyArray<Readonly<InstanceListItem>>> {
    return this.list.get(request);
  }

  /** The listed instance with this idInstance (deleted or not), from the same shared list. */
  async instance(idInstance: number): Promise<Readonly<InstanceListItem> | undefined> {
    return indexOf(await this.list.get()).get(idInstance);
  }

  /** Runs one operation of this provider (see lifecycle/operation.ts) as a user of the shared list. */
  async operation<T>(work: () => Promise<T>): Promise<T> {
    const startedAt = Date.now();
    try {
      return await this.client.operation(work);
    } finally {
      this.list.operationEnded(startedAt);
    }
  }

  /** PartnerClient.createInstance; the list is stale afterwards, also on failure (a lost answer may have created it). */
  async createInstance(request: CreateInstanceRequest): Promise<CreatedInstance> {
    try {
      return await this.client.createInstance(request);
    } catch (error) {
      if (isGreenApiError(error) && error.settlesAt !== undefined) {
        this.unsettledCreatesUntil = Math.max(this.unsettledCreatesUntil, error.settlesAt);
      }
      throw error;
    } finally {
      this.list.invalidate();
    }
  }

  /** PartnerClient.deleteInstanceAccount; the list is stale afterwards. */
  async deleteInstanceAccount(idInstance: number): Promise<"deleted" | "alreadyGone"> {
    try {
      return await this.client.deleteInstanceAccount(idInstance);
    } finally {
      this.list.invalidate();
    }
  }

  /**
   * From this time on (epoch ms), a list shows every instance this process's createInstance calls
   * may have created: an attempt whose outcome is unknown may be performed until its `settlesAt`.
   * Pass it as `sentAfter` to look a name up in any list recent enough.
   */
  get createsSettledAt(): number {
    return this.unsettledCreatesUntil;
  }
}

/**
 * Each shared answer indexed by idInstance, once: every read of a refresh looks its instance up in
 * the same list of the whole account.
 */
const indexes = new WeakMap<ReadonlyArray<Readonly<InstanceListItem>>, Map<number, Readonly<InstanceListItem>>>();

function indexOf(items: ReadonlyArray<Readonly<InstanceListItem>>): Map<number, Readonly<InstanceListItem>> {
  let index = indexes.get(items);
  if (!index) {
    index = new Map();
    // The first of an id, as find() gave.
    for (const item of items) if (!index.has(item.idInstance)) index.set(item.idInstance, item);
    indexes.set(items, index);
  }
  return index;
}

/**
 * The shared instance list: one request for concurrent callers, a short freshness window, and
 * invalidation on account changes. First the cache alone (controlled answers and clock), then a
 * provider's SharedAccount over HTTP against the emulator.
 */
import { GreenApiEmulator } from "../../emulator";
import { PartnerClient } from "../../provider/greenapi/client";
import { isGreenApiError } from "../../provider/greenapi/errors";
import { SharedAccount } from "../../provider/lifecycle/account";
import { INSTANCE_LIST_FRESHNESS_MS, INSTANCE_LIST_MAX_AGE_MS, InstanceListCache } from "../../provider/lifecycle/instance-list";

interface Item {
  idInstance: number;
}

/**
 * A fetch whose answers the test settles one by one, and a clock the test moves. Requests go out at
 * once, or, with `queued`, when the test says (as when they wait for the account's partner rate limit).
 */
function harness({ queued = false } = {}) {
  const pending: Array<{ resolve: (items: Item[]) => void; reject: (error: Error) => void; send: () => void }> = [];
  let clock = 1_000_000;
  const cache = new InstanceListCache<Item>(
    (sent) =>
      new Promise<Item[]>((resolve, reject) => {
        const send = () => sent(clock);
        pending.push({ resolve, reject, send });
        if (!queued) send();
      }),
    { now: () => clock },
  );
  return {
    cache,
    requests: () => pending.length,
    send: (index: number) => pending[index].send(),
    answer: (index: number, ...ids: number[]) => pending[index].resolve(ids.map((idInstance) => ({ idInstance }))),
    fail: (index: number) => pending[index].reject(new Error("boom")),
    advance: (ms: number) => {
      clock += ms;
    },
    now: () => clock,
  };
}

const ids = (items: ReadonlyArray<Item>) => items.map((item) => item.idInstance);

describe("InstanceListCache", () => {
  it("gives concurrent callers one shared request and one answer, frozen", async () => {
    const h = harness();
    const callers = Array.from({ length: 50 }, () => h.cache.get());
    expect(h.requests()).toBe(1);
    h.answer(0, 1, 2, 3);
    const lists = await Promise.all(callers);
    expect(lists.map(ids)).toEqual(Array(50).fill([1, 2, 3]));
    // The answer is shared between callers, so nobody may change it or its items.
    expect(Object.isFrozen(lists[0])).toBe(true);
    expect(Object.isFrozen(lists[0][0])).toBe(true);
    expect(() => (lists[0] as Item[]).push(lists[0][0])).toThrow(TypeError);
    expect(lists[1].length).toBe(3);
  });

  it("reuses an answer while callers keep coming, and asks again after a pause", async () => {
    const h = harness();
    const first = h.cache.get();
    h.advance(INSTANCE_LIST_FRESHNESS_MS * 3); // a slow download does not use up the window
    h.answer(0, 1);
    await first;
    // A long refresh at bounded parallelism: reads keep arriving, each within the window of the last.
    for (let i = 0; i < 10; i++) {
      h.advance(INSTANCE_LIST_FRESHNESS_MS - 1);
      expect(ids(await h.cache.get())).toEqual([1]);
    }
    expect(h.requests()).toBe(1);

    h.advance(INSTANCE_LIST_FRESHNESS_MS); // the burst is over
    const second = h.cache.get();
    expect(h.requests()).toBe(2);
    h.answer(1, 1, 2);
    expect(ids(await second)).toEqual([1, 2]);
  });

  it("counts a read slowed by its own calls as still using the answer, until its operation ends", async () => {
    const h = harness();
    const startedAt = h.now();
    const first = h.cache.get();
    h.answer(0, 1);
    await first;
    // The read's instance calls take far longer than the window (a loaded machine, a slow Green API)…
    h.advance(INSTANCE_LIST_FRESHNESS_MS * 5);
    h.cache.operationEnded(startedAt);
    // …and the next read, started as it ended, still shares its answer.
    h.advance(INSTANCE_LIST_FRESHNESS_MS - 1);
    expect(ids(await h.cache.get())).toEqual([1]);
    expect(h.requests()).toBe(1);
    // An operation that began after the answer was last used did not use it: it extends nothing.
    h.advance(INSTANCE_LIST_FRESHNESS_MS - 1);
    h.cache.operationEnded(h.now());
    h.advance(1);
    const second = h.cache.get();
    expect(h.requests()).toBe(2);
    h.answer(1, 1, 2);
    expect(ids(await second)).toEqual([1, 2]);
  });

  it("sentAfter takes any list requested since then, across invalidations, and joins such a request in flight", async () => {
    const h = harness();
    const createdAt = h.now(); // e.g. when a createInstance answered
    const first = h.cache.get();
    h.cache.invalidate(); // another resource's create finishes meanwhile
    expect(ids(await Promise.all([h.cache.get({ sentAfter: createdAt }), Promise.resolve(h.answer(0, 1))]).then(([list]) => list))).toEqual(
      [1],
    );
    await first;
    expect(h.requests()).toBe(1);

    h.advance(INSTANCE_LIST_FRESHNESS_MS * 5); // past the idle window: sentAfter decides alone
    expect(ids(await h.cache.get({ sentAfter: createdAt }))).toEqual([1]);
    expect(h.requests()).toBe(1);
    void h.cache.get({ sentAfter: h.now() }); // a list from before this moment will not do
    expect(h.requests()).toBe(2);
    void h.cache.get(); // after the invalidation, the default caller joins that newer request
    expect(h.requests()).toBe(2);
  });

  it("lingerMs waits for another caller's request before sending one, so nearby callers share it", async () => {
    const h = harness();
    const since = h.now();
    const first = h.cache.get({ sentAfter: since, lingerMs: 30 });
    const second = h.cache.get({ sentAfter: since, lingerMs: 30 });
    expect(h.requests()).toBe(0); // both linger
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(h.requests()).toBe(1); // the first to wake sent one; the second joined it
    h.answer(0, 7);
    expect((await Promise.all([first, second])).map(ids)).toEqual([[7], [7]]);
    void h.cache.get({ sentAfter: h.now() + 1 }); // no linger: sent at once
    expect(h.requests()).toBe(2);
  });

  it("sentAfter 0 takes any list within the maximum age", async () => {
    const h = harness();
    await Promise.all([h.cache.get(), Promise.resolve(h.answer(0, 1))]);
    h.cache.invalidate();
    h.advance(INSTANCE_LIST_MAX_AGE_MS - 1);
    expect(ids(await h.cache.get({ sentAfter: 0 }))).toEqual([1]);
    expect(h.requests()).toBe(1);
    h.advance(1);
    void h.cache.get({ sentAfter: 0 });
    expect(h.requests()).toBe(2);
  });

  it("never reuses an answer past its maximum age, however busy", async () => {
    const h = harness();
    await Promise.all([h.cache.get(), Promise.resolve(h.answer(0, 1))]);
    let elapsed = 0;
    while (elapsed + INSTANCE_LIST_FRESHNESS_MS - 1 < INSTANCE_LIST_MAX_AGE_MS) {
      h.advance(INSTANCE_LIST_FRESHNESS_MS - 1);
      elapsed += INSTANCE_LIST_FRESHNESS_MS - 1;
      await h.cache.get();
    }
    expect(h.requests()).toBe(1);
    h.advance(INSTANCE_LIST_MAX_AGE_MS - elapsed);
    void h.cache.get();
    expect(h.requests()).toBe(2);
  });

  it("after invalidate, neither reuses the answer nor joins the request in flight, and drops that request's answer", async () => {
    const h = harness();
    await Promise.all([h.cache.get(), Promise.resolve(h.answer(0, 1))]);
    const before = h.cache.get(); // within the window: no request
    expect(h.requests()).toBe(1);
    h.cache.invalidate();
    const after = h.cache.get();
    expect(h.requests()).toBe(2);

    const inFlight = h.cache.get(); // joins request 2
    h.cache.invalidate(); // e.g. a delete finished while request 2 was on its way
    const later = h.cache.get();
    expect(h.requests()).toBe(3);

    h.answer(1, 1, 2);
    h.answer(2, 1, 2, 3);
    expect(ids(await before)).toEqual([1]);
    expect(ids(await after)).toEqual([1, 2]);
    expect(ids(await inFlight)).toEqual([1, 2]);
    expect(ids(await later)).toEqual([1, 2, 3]);
    // Request 2 predates the last invalidation: only request 3's answer is kept.
    expect(ids(await h.cache.get())).toEqual([1, 2, 3]);
    expect(h.requests()).toBe(3);
  });

  it("a request still waiting for its turn is joined by every caller, even after an invalidation or a later sentAfter; it counts as sent when it went out", async () => {
    const h = harness({ queued: true });
    const first = h.cache.get();
    h.advance(500);
    h.cache.invalidate(); // a create finished while the list waited for its turn
    const afterChange = h.cache.get();
    const afterCreate = h.cache.get({ sentAfter: h.now() });
    expect(h.requests()).toBe(1);
    h.advance(500);
    const sentAt = h.now();
    h.send(0);
    h.answer(0, 1);
    for (const caller of [first, afterChange, afterCreate]) expect(ids(await caller)).toEqual([1]);
    // Kept as sent when it went out, a second after it was asked for.
    expect(ids(await h.cache.get({ sentAfter: sentAt }))).toEqual([1]);
    expect(h.requests()).toBe(1);
    const newer = h.cache.get({ sentAfter: sentAt + 1 });
    expect(h.requests()).toBe(2);
    h.send(1);
    h.answer(1, 1, 2);
    expect(ids(await newer)).toEqual([1, 2]);
  });

  it("does not keep an answer whose request was sent before an invalidation", async () => {
    const h = harness();
    const early = h.cache.get();
    h.cache.invalidate(); // a create finished while the list was on its way
    h.answer(0, 1);
    expect(ids(await early)).toEqual([1]);
    const next = h.cache.get();
    expect(h.requests()).toBe(2);
    h.answer(1, 1, 2);
    expect(ids(await next)).toEqual([1, 2]);
  });

  it("never keeps a failure: everyone sharing the request gets it, the next caller asks again", async () => {
    const h = harness();
    const shared = [h.cache.get(), h.cache.get()];
    h.fail(0);
    for (const caller of shared) await expect(caller).rejects.toThrow("boom");

    const retry = h.cache.get();
    expect(h.requests()).toBe(2);
    h.answer(1, 7);
    expect(ids(await retry)).toEqual([7]);
  });

  it("fresh sends its own request even within the window or with one in flight; later callers share its answer", async () => {
    const h = harness();
    const cached = h.cache.get();
    h.answer(0, 1);
    await cached;

    const fresh = h.cache.get({ fresh: true });
    expect(h.requests()).toBe(2);
    const joiner = h.cache.get(); // a cached answer within the window still serves ordinary callers
    const freshAgain = h.cache.get({ fresh: true });
    expect(h.requests()).toBe(3);

    // The later fresh request answers first; the earlier one's (older) answer must not replace it.
    h.answer(2, 1, 2, 3);
    h.answer(1, 1, 2);
    expect(ids(await joiner)).toEqual([1]);
    expect(ids(await freshAgain)).toEqual([1, 2, 3]);
    expect(ids(await fresh)).toEqual([1, 2]);
    expect(ids(await h.cache.get())).toEqual([1, 2, 3]);
    expect(h.requests()).toBe(3);
  });
});

describe("a provider's shared account against the emulator", () => {
  let emulator: GreenApiEmulator;
  let client: PartnerClient;
  let account: SharedAccount;
  beforeEach(async () => {
    emulator = await GreenApiEmulator.start({ latencyMs: 20 });
    emulator.seedAccount({ alive: 20, deleted: 5 });
    client = new PartnerClient({
      partnerToken: emulator.partnerToken,
      partnerApiUrl: emulator.url,
      deadlines: { requestMs: 2_000, operationMs: 8_000 },
    });
    account = new SharedAccount(client);
  });
  afterEach(async () => {
    await client.close();
    await emulator.close();
  });

  it("answers 100 concurrent callers with one HTTP request", async () => {
    const lists = await Promise.all(Array.from({ length: 100 }, () => account.instances()));
    expect(emulator.count("getInstances")).toBe(1);
    expect(lists.every((list) => list.length === 25)).toBe(true);
  });

  it("sees its own createInstance and deleteInstanceAccount at once", async () => {
    const before = await account.instances();
    const { idInstance } = await account.createInstance({ name: "fresh-one" });
    const afterCreate = await account.instances();
    expect(afterCreate.length).toBe(before.length + 1);

    await account.deleteInstanceAccount(idInstance);
    const afterDelete = await account.instances();
    expect(afterDelete.find((item) => item.idInstance === idInstance)?.deleted).toBe(true);
    expect(emulator.count("getInstances")).toBe(3);
  });

  it("after a createInstance whose answer was lost, the next list includes the instance it created", async () => {
    await account.instances();
    emulator.injectFault({ method: "createInstance", kind: "performThenDrop" });
    const error = await account.createInstance({ name: "lost-answer" }).catch((e) => e);
    expect(isGreenApiError(error) && error.outcomeUnknown).toBe(true);
    // The failed attempt invalidated the list: even an ordinary call asks Green API again.
    const list = await account.instances();
    expect(list.some((item) => item.name === "lost-answer" && !item.deleted)).toBe(true);
    expect(emulator.count("getInstances")).toBe(2);
  });

  it("finds an instance by idInstance in the shared list, deleted ones too", async () => {
    const listed = await account.instances();
    const [alive] = listed.filter((item) => !item.deleted);
    await account.deleteInstanceAccount(alive.idInstance);
    const found = await Promise.all([account.instance(alive.idInstance), account.instance(listed[1].idInstance)]);
    expect(found.map((item) => item?.idInstance)).toEqual([alive.idInstance, listed[1].idInstance]);
    expect(found[0]?.deleted).toBe(true);
    expect(await account.instance(-1)).toBeUndefined();
    // The first list, and one after the delete, shared by every lookup since.
    expect(emulator.count("getInstances")).toBe(2);
  });

  it("fresh: true always makes a request", async () => {
    await account.instances();
    await account.instances({ fresh: true });
    await account.instances();
    expect(emulator.count("getInstances")).toBe(2);
  });

  it("leaves a script's PartnerClient alone: each getInstances there is one request", async () => {
    await Promise.all([client.getInstances(), client.getInstances()]);
    await client.getInstances();
    expect(emulator.count("getInstances")).toBe(3);
  });
});

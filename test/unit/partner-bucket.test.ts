/**
 * PartnerBucket, the mirror of Green API's partner gateway bucket: turns in order, the burst at once
 * and then one per interval, a deadline that gives up the turn, and the gateway's headers and 429s
 * correcting it. Only lower bounds on waits are asserted: a busy machine may add to any of them.
 */
import { DEFAULT_PARTNER_LIMIT, PartnerBucket } from "../../provider/greenapi/pacer";

const FAR = () => Date.now() + 60_000;

async function grantTimes(bucket: PartnerBucket, count: number): Promise<{ order: number[]; after: number[] }> {
  const started = Date.now();
  const order: number[] = [];
  const after: number[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      expect(await bucket.take(FAR())).toBeDefined();
      order.push(i);
      after[i] = Date.now() - started;
    }),
  );
  return { order, after };
}

describe("PartnerBucket", () => {
  it("starts at Green API's 10 a second, bursts of 20", () => {
    expect(new PartnerBucket().current).toEqual({ ratePerSecond: 10, burst: 20 });
    expect(DEFAULT_PARTNER_LIMIT).toEqual({ ratePerSecond: 10, burst: 20 });
  });

  it("hands out the burst at once, then one turn per interval, first come first served", async () => {
    const bucket = new PartnerBucket({ ratePerSecond: 20, burst: 3 });
    const { order, after } = await grantTimes(bucket, 6);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    // Turns 4, 5 and 6 come one interval (50 ms) apart after the burst.
    expect(after[3]).toBeGreaterThanOrEqual(45);
    expect(after[5]).toBeGreaterThanOrEqual(145);
    // A turn taken from a full bucket says so (the transport then allows for the gateway's later start).
    const quiet = new PartnerBucket({ ratePerSecond: 20, burst: 3 });
    expect(await quiet.take(FAR())).toEqual({ fromFull: true });
    expect(await quiet.take(FAR())).toEqual({ fromFull: false });
  });

  it("gives up a turn that would come after the deadline, and the queue moves on without it", async () => {
    const bucket = new PartnerBucket({ ratePerSecond: 5, burst: 1 });
    await bucket.take(FAR());
    const started = Date.now();
    const [late, next] = await Promise.all([bucket.take(Date.now() + 50), bucket.take(FAR())]);
    expect(late).toBeUndefined();
    expect(next).toBeDefined();
    // The next turn is the one the late call gave up: one interval (200 ms) after the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(await bucket.take(Date.now() - 1)).toBeUndefined();
  });

  it("takes rate and burst from the gateway's headers, and never counts on more tokens than its Remaining", async () => {
    const bucket = new PartnerBucket();
    const turn = (await bucket.take(FAR()))!;
    const sentAt = Date.now();
    bucket.observe(
      {
        "x-ratelimit-replenish-rate": "10",
        "x-ratelimit-burst-capacity": "5",
        "x-ratelimit-requested-tokens": "1",
        "x-ratelimit-remaining": "0",
      },
      turn,
      sentAt,
    );
    expect(bucket.current).toEqual({ ratePerSecond: 10, burst: 5 });
    // Empty at the gateway (other processes spent the rest): the next turn is one interval (100 ms) away.
    const started = Date.now();
    await bucket.take(FAR());
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    // Headers that say nothing usable change nothing.
    bucket.observe({ "x-ratelimit-replenish-rate": "zero", "x-ratelimit-burst-capacity": "" }, { fromFull: false }, Date.now());
    expect(bucket.current).toEqual({ ratePerSecond: 10, burst: 5 });
  });

  it("after a 429, waits for a token to come back, or for the Retry-After the gateway sent", async () => {
    const bucket = new PartnerBucket({ ratePerSecond: 20, burst: 20 });
    bucket.refused(undefined);
    let started = Date.now();
    await bucket.take(FAR());
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    bucket.refused(300);
    started = Date.now();
    await bucket.take(FAR());
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });
});

/**
 * The one place for waiting: an operation's deadline bounds every poll, a window's end gets a look
 * of its own, and an operation ends only once the writes it sent can no longer land — also when it
 * fails. Assertions are on order (which look, before or after which time), never on durations.
 */
import { fitsInOperation, Pauses, poll, withinDeadline, writeMayLandUntil } from "../../provider/greenapi/waiting";

describe("waiting", () => {
  it("polls until a look is done", async () => {
    let looks = 0;
    const polled = await withinDeadline(Date.now() + 60_000, () =>
      poll({ firstPauseMs: 1, maxPauseMs: 2 }, async () => ({ done: ++looks === 3, value: looks })),
    );
    expect(polled).toMatchObject({ done: true, value: 3 });
  });

  it("stops by itself, not done, when another pause and the reserve no longer fit in the operation", async () => {
    const lookedAt: number[] = [];
    const reserveMs = 1_000;
    const deadline = Date.now() + 2_000;
    const polled = await withinDeadline(deadline, () =>
      poll(
        { firstPauseMs: 50, maxPauseMs: 50 },
        async () => {
          lookedAt.push(Date.now());
          return { done: false, value: lookedAt.length };
        },
        { reserveMs },
      ),
    );
    expect(polled.done).toBe(false);
    expect(polled.value).toBe(lookedAt.length);
    expect(lookedAt.length).toBeGreaterThanOrEqual(2);
  });

  it("looks once more right at a window's end, however long the pauses have grown", async () => {
    const windowEnd = Date.now() + 150;
    const lookedAt: number[] = [];
    const polled = await withinDeadline(Date.now() + 60_000, () =>
      poll(
        { firstPauseMs: 10_000, maxPauseMs: 10_000 },
        async () => {
          const at = Date.now();
          lookedAt.push(at);
          return { done: at >= windowEnd, value: at };
        },
        { lookAt: windowEnd },
      ),
    );
    expect(polled.done).toBe(true);
    expect(lookedAt.at(-1)).toBeGreaterThanOrEqual(windowEnd);
    // The 10 s pause was cut to the window's end (a timer firing a millisecond early may add a look).
    expect(polled.elapsedMs).toBeLessThan(10_000);
  });

  it("ends an operation only once its late writes can no longer land, also when it fails", async () => {
    const until = Date.now() + 120;
    await expect(
      withinDeadline(Date.now() + 60_000, async () => {
        writeMayLandUntil(until);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(Date.now()).toBeGreaterThanOrEqual(until);
  });

  it("keeps an outer operation's earlier deadline", async () => {
    await withinDeadline(Date.now() + 1_000, () =>
      withinDeadline(Date.now() + 60_000, async () => {
        expect(fitsInOperation(5_000)).toBe(false);
      }),
    );
    expect(fitsInOperation(5_000)).toBe(true); // outside any operation
  });

  it("doubles pauses up to the longest, each shortened by at most the jitter", () => {
    const pauses = new Pauses({ firstPauseMs: 1_000, maxPauseMs: 3_000, jitter: 0.5 });
    const nominal = [1_000, 2_000, 3_000, 3_000];
    for (const ms of nominal) {
      const pause = pauses.next();
      expect(pause).toBeGreaterThanOrEqual(ms / 2);
      expect(pause).toBeLessThanOrEqual(ms);
    }
  });
});

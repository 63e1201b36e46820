/**
 * Green API limits the instance API per instance and method (1 request/second for most methods).
 * The pacer spaces calls that share a key so that several calls of one method to one instance queue
 * politely instead of collecting 429s.
 */
export class Pacer {
  private readonly nextFree = new Map<string, number>();

  /** Waits for this key's next slot and reserves it; slots are intervalMs apart. */
  async wait(key: string, intervalMs: number): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextFree.get(key) ?? 0);
    this.nextFree.set(key, slot + intervalMs);
    if (slot > now) await sleep(slot - now);
  }

  /** Pushes the key's next slot back, e.g. after the server sent Retry-After. */
  delay(key: string, untilMs: number): void {
    this.nextFree.set(key, Math.max(this.nextFree.get(key) ?? 0, untilMs));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Every wait the provider does, in one place: the operation and its deadline, pauses, and polling.
 *
 * An operation is what a provider operation (or a script's `client.operation`) does as one: all its
 * calls, retries and waits end by one deadline, and it ends only once no repeatable write it sent
 * can still land. Callers describe how they wait as data (a WaitPolicy); this module decides when
 * the next look would no longer fit in the operation.
 */
import { AsyncLocalStorage } from "node:async_hooks";

interface Operation {
  /** Epoch ms by which every call in the operation ends. */
  deadline: number;
  /** Until when a repeatable write sent in this operation may still be performed (epoch ms). */
  unsettledUntil: number;
}

const currentOperation = new AsyncLocalStorage<Operation>();

/**
 * Runs `work` as one operation ending by `deadline`; an operation inside another keeps the earlier
 * deadline. Whether `work` succeeds or fails, the operation then waits until no repeatable write it
 * sent can land (see writeMayLandUntil): a late setSettings would overwrite a later operation's values.
 */
export async function withinDeadline<T>(deadline: number, work: () => Promise<T>): Promise<T> {
  const outer = currentOperation.getStore();
  const operation: Operation = { deadline: Math.min(deadline, outer?.deadline ?? Infinity), unsettledUntil: 0 };
  const outcome = await currentOperation.run(operation, work).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  await pauseUntil(operation.unsettledUntil);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** True inside an operation (see withinDeadline). */
export function inOperation(): boolean {
  return currentOperation.getStore() !== undefined;
}

/** Epoch ms by which the current operation ends (Infinity outside one). */
export function operationDeadline(): number {
  return currentOperation.getStore()?.deadline ?? Infinity;
}

/** Milliseconds left in the current operation (Infinity outside one). */
export function operationTimeLeftMs(): number {
  return operationDeadline() - Date.now();
}

/** The current operation must not end before `at` (epoch ms): a repeatable write it sent may land until then. */
export function writeMayLandUntil(at: number): void {
  const operation = currentOperation.getStore();
  if (operation) operation.unsettledUntil = Math.max(operation.unsettledUntil, at);
}

export function pauseFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Pauses until the wall clock has passed `at` (epoch ms); a timer may fire a millisecond early. */
export async function pauseUntil(at: number): Promise<void> {
  for (let left = at - Date.now(); left > 0; left = at - Date.now()) await pauseFor(left);
}

/** How a caller waits between looks: pauses that double from the first up to the longest. */
export interface WaitPolicy {
  firstPauseMs: number;
  maxPauseMs: number;
  /** Each pause is shortened by a random share of up to this much (0–1), so concurrent waiters spread out. */
  jitter?: number;
}

/** The pauses of one wait, in order (see WaitPolicy). */
export class Pauses {
  private nominalMs: number;

  constructor(private readonly policy: WaitPolicy) {
    this.nominalMs = policy.firstPauseMs;
  }

  /** The next pause's length; the one after is twice as long, up to the policy's longest. */
  next(): number {
    const pauseMs = this.nominalMs * (1 - (this.policy.jitter ?? 0) * Math.random());
    this.nominalMs = Math.min(this.nominalMs * 2, this.policy.maxPauseMs);
    return pauseMs;
  }
}

/** True when `ms` from now, and `reserveMs` more after it, still fit in the current operation. */
export function fitsInOperation(ms: number, reserveMs = 0): boolean {
  return ms + reserveMs <= operationTimeLeftMs();
}

export interface Look<T> {
  /** The condition holds: stop looking. */
  done: boolean;
  value: T;
}

export interface Polled<T> {
  /** The last look's value. */
  value: T;
  /** False when the operation's time ran out first. */
  done: boolean;
  elapsedMs: number;
}

export interface PollOptions<T> {
  /** Time the operation needs after a pause: the next look, and what follows the wait. */
  reserveMs?: number;
  /** Epoch ms: pauses are cut short so that one look happens right at this time (a window's end). */
  lookAt?: number;
  /** Told before each pause (progress lines). */
  beforePause?: (last: T, elapsedMs: number) => void;
}

/**
 * Looks until a look is done, pausing per the policy in between, for as long as another pause and
 * the reserve fit in the current operation.
 */
export async function poll<T>(policy: WaitPolicy, look: () => Promise<Look<T>>, options: PollOptions<T> = {}): Promise<Polled<T>> {
  const started = Date.now();
  const pauses = new Pauses(policy);
  for (;;) {
    const lookedAt = Date.now();
    const { done, value } = await look();
    const now = Date.now();
    if (done) return { value, done, elapsedMs: now - started };
    const next = pauses.next();
    const pauseMs = options.lookAt !== undefined && lookedAt < options.lookAt ? Math.min(next, options.lookAt - now) : next;
    const leftMs = operationTimeLeftMs();
    if (pauseMs >= leftMs || pauseMs + (options.reserveMs ?? 0) > leftMs) return { value, done: false, elapsedMs: now - started };
    options.beforePause?.(value, now - started);
    await pauseFor(pauseMs);
  }
}

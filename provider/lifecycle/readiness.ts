/**
 * `waitForReady`: a new instance is not usable when createInstance answers — Green API builds it for
 * up to ~5 minutes (getStateInstance answers `null`, then "starting"; docs/greenapi.md §2) and its
 * QR page works only after that. The docs' recommended flow polls getStateInstance until
 * "notAuthorized"; this does so within the operation's deadline, with a progress line every ~15 s.
 */
import type { InstanceRef } from "../greenapi/client";
import { poll, type WaitPolicy } from "../greenapi/waiting";
import type { SettingNames } from "./config";
import type { Context } from "./operation";
import { observeState, STARTING, type LiveInstance } from "./live";

/** Green API's docs poll every 5 s; the first looks come sooner, as short start-ups are common. */
const READINESS: WaitPolicy = { firstPauseMs: 1_000, maxPauseMs: 5_000 };
const PROGRESS_EVERY_MS = 15_000;
/** Left for what follows the wait (outputs, a settings read) in the same operation. */
const RESERVE_MS = 1_000;

/** Still being built, or its state could not be read: waiting may help. */
export function stillStarting(stateInstance: string | undefined): boolean {
  return stateInstance === undefined || stateInstance === STARTING;
}

export interface Readiness {
  live: LiveInstance;
  ready: boolean;
  waitedMs: number;
}

/**
 * Polls the instance's state until Green API has built it: "notAuthorized" (QR page works) or
 * "authorized", or any other state it reports once built (blocked, yellowCard, Telegram's
 * pendingPassword, …), which waiting would not change. `ready: false` when the operation's time
 * ran out first.
 */
export async function waitUntilBuilt({ client, config, report }: Context, ref: InstanceRef, name: string): Promise<Readiness> {
  let nextProgressMs = PROGRESS_EVERY_MS;
  const polled = await poll(
    READINESS,
    async () => {
      const live = await observeState(client, ref);
      return { done: !stillStarting(live.stateInstance), value: live };
    },
    {
      // The next look, and what follows the wait in the same operation.
      reserveMs: config.deadlines.requestMs + RESERVE_MS,
      beforePause: (live, waitedMs) => {
        if (waitedMs < nextProgressMs) return;
        report(
          "info",
          `waiting for instance ${ref.idInstance} "${name}" to be ready: ${live.stateInstance ?? "state unknown"}, ${seconds(waitedMs)} so far.`,
        );
        nextProgressMs += PROGRESS_EVERY_MS;
      },
    },
  );
  const { value: live, done: ready, elapsedMs: waitedMs } = polled;
  if (ready && waitedMs >= READINESS.firstPauseMs) {
    report("info", `instance ${ref.idInstance} "${name}" is ready (${live.stateInstance}) after ${seconds(waitedMs)}.`);
  }
  return { live, ready, waitedMs };
}

/** Why a wait ran out, and what the user can do: the instance exists and is kept either way. */
export function notReadyReason(idInstance: number, name: string, readiness: Readiness, names: SettingNames): string {
  const key = names.name("operationTimeoutSeconds");
  const state = readiness.live.stateInstance ?? "its state could not be read";
  return (
    `waitForReady: instance ${idInstance} "${name}" was still not ready after ${seconds(readiness.waitedMs)} (${state}); ` +
    "Green API takes up to about 5 minutes to build a new instance, and its QR page works only after that. " +
    `The next \`pulumi up\` waits again; raise ${key} to wait longer in one run`
  );
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

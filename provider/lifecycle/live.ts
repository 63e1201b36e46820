/**
 * What the instance API says about one instance right now: its state and its settings. Green API
 * needs up to ~5 minutes to build a new instance and answers 401, `null` or "starting" meanwhile,
 * so nothing here fails an operation: an unreadable instance yields what could be read and a note
 * saying why the rest is missing, and callers keep their last known values.
 */
import { isGreenApiError } from "../greenapi/errors";
import type { InstanceRef } from "../greenapi/client";
import type { InstanceCalls } from "./operation";
import type { Settings } from "../greenapi/settings";

/**
 * An instance as its own API reports it at one moment (getStateInstance, getSettings): the live
 * truth a create, refresh or import folds into the outputs. Which instance: see InstanceRef.
 */
export interface LiveInstance {
  stateInstance?: string;
  settings?: Settings;
  /** As getSettings reports it ("" when unset). */
  countryInstance?: string;
  /** The linked account (getSettings' `wid`), when authorized. */
  wid?: string;
  /** Why settings (or state) could not be read, for one log line. */
  note?: string;
}

/** Shown while Green API builds the instance (getStateInstance answers null, or 401). */
export const STARTING = "starting";

export async function observeState(client: InstanceCalls, ref: InstanceRef): Promise<LiveInstance> {
  try {
    const state = await client.getStateInstance(ref);
    return state === null ? { stateInstance: STARTING, note: "Green API is still building the instance" } : { stateInstance: state };
  } catch (error) {
    if (isGreenApiError(error, "unauthorized")) {
      return { stateInstance: STARTING, note: "the instance API does not accept the instance yet (it answers 401 while being built)" };
    }
    return { note: `its state could not be read (${describe(error)})` };
  }
}

/**
 * State and settings at once: Green API limits each method of an instance on its own, so the two
 * calls need not wait for each other (a refresh of N instances then takes about one round trip
 * per instance, not two). Settings read while the instance is starting are not trusted.
 */
export async function observe(client: InstanceCalls, ref: InstanceRef): Promise<LiveInstance> {
  const [state, read] = await Promise.all([
    observeState(client, ref),
    client.getSettings(ref).then(
      ({ settings, countryInstance, wid }) => ({ settings, countryInstance, wid }),
      (error: unknown) => ({ error }),
    ),
  ]);
  if (state.stateInstance === undefined || state.stateInstance === STARTING) {
    return { ...state, note: state.note ?? "the instance is starting" };
  }
  if ("error" in read) return { ...state, note: `its settings could not be read (${describe(read.error)})` };
  return { ...state, settings: read.settings, countryInstance: read.countryInstance, wid: read.wid };
}

/** An authorized instance's linked account, read once when the state alone was observed (best effort). */
export async function withWid(client: InstanceCalls, ref: InstanceRef, live: LiveInstance): Promise<LiveInstance> {
  if (live.stateInstance !== "authorized" || live.wid !== undefined) return live;
  const read = await client.getSettings(ref).catch(() => undefined);
  return read?.wid ? { ...live, wid: read.wid } : live;
}

function describe(error: unknown): string {
  return isGreenApiError(error) ? error.code : error instanceof Error ? error.message : String(error);
}

/**
 * Instance settings in Green API's own names, and the one place where the wire's "yes"/"no" flags
 * become booleans (and back). Everything above the wire speaks booleans only.
 */

/** yes/no flags accepted by createInstance and setSettings (docs/greenapi.md §1.1). */
export const SETTING_FLAGS = [
  "markIncomingMessagesReaded",
  "markIncomingMessagesReadedOnReply",
  "outgoingWebhook",
  "outgoingMessageWebhook",
  "outgoingAPIMessageWebhook",
  "incomingWebhook",
  "deviceWebhook",
  "stateWebhook",
  "keepOnlineStatus",
  "pollMessageWebhook",
  "incomingBlockWebhook",
  "incomingCallWebhook",
  "editedMessageWebhook",
  "deletedMessageWebhook",
] as const;

export type SettingFlag = (typeof SETTING_FLAGS)[number];

/** Every setting the provider manages, in the order Green API documents them. */
export const SETTING_NAMES = ["webhookUrl", "webhookUrlToken", "delaySendMessagesMilliseconds", ...SETTING_FLAGS] as const;

export type SettingName = (typeof SETTING_NAMES)[number];

/** Settings as the provider sees them: flags are booleans. */
export type Settings = {
  webhookUrl?: string;
  webhookUrlToken?: string;
  delaySendMessagesMilliseconds?: number;
} & { [K in SettingFlag]?: boolean };

/** Settings as they travel on the wire: flags are "yes" / "no". */
export type WireSettings = {
  webhookUrl?: string;
  webhookUrlToken?: string;
  delaySendMessagesMilliseconds?: number;
} & { [K in SettingFlag]?: "yes" | "no" };

/** Green API's minimum and documented maximum sending delay. */
export const DELAY_MIN_MS = 500;
export const DELAY_MAX_MS = 600_000;

const FLAG_SET: ReadonlySet<string> = new Set(SETTING_FLAGS);

export function isSettingFlag(name: string): name is SettingFlag {
  return FLAG_SET.has(name);
}

/** true/"yes" → true, false/"no" → false; anything else → undefined (the caller reports it). */
export function flagToBoolean(value: unknown): boolean | undefined {
  if (value === true || value === "yes") return true;
  if (value === false || value === "no") return false;
  return undefined;
}

export function flagToWire(value: boolean): "yes" | "no" {
  return value ? "yes" : "no";
}

/** Provider settings → request body; undefined fields are left out so Green API keeps its defaults. */
export function settingsToWire(settings: Settings): WireSettings {
  const wire: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const value = settings[name];
    if (value === undefined) continue;
    wire[name] = isSettingFlag(name) ? flagToWire(value as boolean) : value;
  }
  return wire as WireSettings;
}

/**
 * A getSettings body → provider settings. Fields Green API did not send (older accounts lack the
 * newer flags) stay undefined rather than being guessed.
 */
export function settingsFromWire(wire: Record<string, unknown>): Settings {
  const settings: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const value = wire[name];
    if (value === undefined || value === null) continue;
    settings[name] = isSettingFlag(name) ? flagToBoolean(value) : value;
  }
  return settings as Settings;
}

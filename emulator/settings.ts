// Instance settings: defaults, the getSettings body layout, and validation of createInstance/setSettings
// bodies (docs/greenapi.md §1.1). One place, so both methods reject the same things the same way.

import type { Settings } from "./types";

/** The yes/no settings a client may send (docs/greenapi.md §1.1). */
export const SETTABLE_FLAGS = [
  "markIncomingMessagesReaded",
  "markIncomingMessagesReadedOnReply",
  "outgoingWebhook",
  "outgoingMessageWebhook",
  "outgoingAPIMessageWebhook",
  "incomingWebhook",
  "stateWebhook",
  "deviceWebhook",
  "keepOnlineStatus",
  "pollMessageWebhook",
  "incomingBlockWebhook",
  "incomingCallWebhook",
  "editedMessageWebhook",
  "deletedMessageWebhook",
] as const;

const SETTABLE_STRINGS = ["webhookUrl", "webhookUrlToken"] as const;
const DELAY = "delaySendMessagesMilliseconds";
const DELAY_MIN = 500;
const DELAY_MAX = 600_000;

/** A fresh instance's getSettings body, keys in the order Green API documents them. Everything starts off. */
export function defaultSettings(): Settings {
  return {
    wid: "",
    countryInstance: "",
    typeAccount: "",
    webhookUrl: "",
    webhookUrlToken: "",
    delaySendMessagesMilliseconds: 5000,
    markIncomingMessagesReaded: "no",
    markIncomingMessagesReadedOnReply: "no",
    sharedSession: "no",
    outgoingWebhook: "no",
    outgoingMessageWebhook: "no",
    outgoingAPIMessageWebhook: "no",
    incomingWebhook: "no",
    deviceWebhook: "no",
    statusInstanceWebhook: "no",
    stateWebhook: "no",
    enableMessagesHistory: "no",
    keepOnlineStatus: "no",
    pollMessageWebhook: "no",
    incomingBlockWebhook: "no",
    incomingCallWebhook: "no",
    editedMessageWebhook: "no",
    deletedMessageWebhook: "no",
  };
}

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

/** Picks the settable fields out of a request body, or names the first bad one. Unknown fields are ignored. */
export function validateSettings(body: Record<string, unknown>): Validated<Settings> {
  const patch: Settings = {};
  for (const field of SETTABLE_STRINGS) {
    if (!(field in body)) continue;
    const value = body[field];
    if (typeof value !== "string") return invalid(field, "must be a string");
    patch[field] = value;
  }
  if (DELAY in body) {
    const value = body[DELAY];
    if (typeof value !== "number" || !Number.isInteger(value) || value < DELAY_MIN || value > DELAY_MAX) {
      return invalid(DELAY, `must be an integer from ${DELAY_MIN} to ${DELAY_MAX}`);
    }
    patch[DELAY] = value;
  }
  for (const field of SETTABLE_FLAGS) {
    if (!(field in body)) continue;
    const value = body[field];
    if (value !== "yes" && value !== "no") return invalid(field, 'must be "yes" or "no"');
    patch[field] = value;
  }
  return { ok: true, value: patch };
}

function invalid(field: string, rule: string): { ok: false; error: string } {
  return { ok: false, error: `Validation failed: ${field} ${rule}` };
}

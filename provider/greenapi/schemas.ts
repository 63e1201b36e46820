/**
 * The wire formats, as zod schemas that accept every documented response
 * (test/fixtures/greenapi/) and tolerate what Green API adds over time: unknown fields pass,
 * fields older accounts lack are optional. Only what the provider relies on is required.
 */
import { z } from "zod";

const yesNo = z.enum(["yes", "no"]);

export const createInstanceResponse = z.looseObject({
  idInstance: z.number().int().positive(),
  apiTokenInstance: z.string().min(1),
  typeInstance: z.string().optional(),
  /** The instance's own API host (Postman collection, docs/greenapi.md §1.2). */
  apiUrlInstance: z.string().optional(),
});
export type CreateInstanceResponse = z.infer<typeof createInstanceResponse>;

/** createInstance's documented failure codes inside HTTP 200 (§1.3): 100 "no free instances, try later". */
export const createInstanceFailure = z.looseObject({ code: z.number().int(), description: z.string().nullish() });

export const createInstanceAnswer = z.union([createInstanceResponse, createInstanceFailure]);

export const instanceListItem = z.looseObject({
  idInstance: z.number().int(),
  name: z.string().nullish(),
  typeInstance: z.string().nullish(),
  apiUrlInstance: z.string().nullish(),
  partnerUserUiid: z.string().nullish(),
  countryInstance: z.string().nullish(),
  timeCreated: z.string().nullish(),
  timeDeleted: z.string().nullish(),
  // An open Green API proposal would stop returning it; the provider keeps the create response's copy.
  apiTokenInstance: z.string().nullish(),
  deleted: z.boolean().nullish(),
  tariff: z.string().nullish(),
  isFree: z.boolean().nullish(),
  isPartner: z.boolean().nullish(),
  expirationDate: z.string().nullish(),
  isExpired: z.boolean().nullish(),
});
export type InstanceListItem = z.infer<typeof instanceListItem>;

export const getInstancesResponse = z.array(instanceListItem);

/** `false` is documented too: the instance was not deleted (§1.3). */
export const deleteInstanceAccountResponse = z.looseObject({ deleteInstanceAccount: z.boolean() });

export const getSettingsResponse = z.looseObject({
  wid: z.string().nullish(),
  countryInstance: z.string().nullish(),
  webhookUrl: z.string().nullish(),
  webhookUrlToken: z.string().nullish(),
  delaySendMessagesMilliseconds: z.number().nullish(),
  markIncomingMessagesReaded: yesNo.optional(),
  markIncomingMessagesReadedOnReply: yesNo.optional(),
  outgoingWebhook: yesNo.optional(),
  outgoingMessageWebhook: yesNo.optional(),
  outgoingAPIMessageWebhook: yesNo.optional(),
  incomingWebhook: yesNo.optional(),
  deviceWebhook: yesNo.optional(),
  stateWebhook: yesNo.optional(),
  keepOnlineStatus: yesNo.optional(),
  pollMessageWebhook: yesNo.optional(),
  incomingBlockWebhook: yesNo.optional(),
  incomingCallWebhook: yesNo.optional(),
  editedMessageWebhook: yesNo.optional(),
  deletedMessageWebhook: yesNo.optional(),
});
export type GetSettingsResponse = z.infer<typeof getSettingsResponse>;

export const setSettingsResponse = z.looseObject({ saveSettings: z.boolean() });

/** `null` while the instance is still being built (documented). Unknown future states pass as strings. */
export const getStateInstanceResponse = z.looseObject({ stateInstance: z.string() }).nullable();

export const qrResponse = z.looseObject({ type: z.string(), message: z.string() });
export type QrResponse = z.infer<typeof qrResponse>;

export const logoutResponse = z.looseObject({ isLogout: z.boolean() });
export const rebootResponse = z.looseObject({ isReboot: z.boolean() });

/** Validation failures as one line naming the fields, never their values (they may be tokens). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.code === "invalid_type" ? `expected ${issue.expected}` : issue.code}`)
    .join("; ");
}

/**
 * The resource's outputs, built from what Green API answered. Everything a user or a later step
 * needs is here; credentials among them are listed in SECRET_OUTPUTS (marked secret by the
 * resource class, since a dynamic provider cannot return secrets itself).
 */
import type { InstanceListItem } from "../greenapi/schemas";
import type { Settings } from "../greenapi/settings";
import { AUTO_NAME_KEY, type InstanceInputs } from "./inputs";

export interface InstanceOutputs extends Settings {
  idInstance: number;
  apiTokenInstance: string;
  qrUrl: string;
  typeInstance?: string;
  name: string;
  timeCreated?: string;
  expirationDate?: string;
  isExpired?: boolean;
  tariff?: string;
  /** Instance API host used for this instance. */
  apiUrl: string;
}

export const SECRET_OUTPUTS = ["apiTokenInstance", "qrUrl", "webhookUrlToken"] as const;

/** Green API's QR page; it embeds the instance token, hence secret. */
export function qrUrl(idInstance: number, apiTokenInstance: string): string {
  return `https://qr.green-api.com/waInstance${idInstance}/${apiTokenInstance}`;
}

export interface InstanceFacts {
  idInstance: number;
  apiTokenInstance: string;
  typeInstance?: string | null;
}

/**
 * Outputs = the checked inputs (settings as declared; engine-internal keys dropped) + what Green API
 * reports about the instance. `previous` carries fields a partial answer does not include.
 */
export function buildOutputs(
  inputs: InstanceInputs,
  facts: InstanceFacts,
  apiUrl: string,
  listed?: InstanceListItem,
  previous: Partial<InstanceOutputs> = {},
): InstanceOutputs {
  const { [AUTO_NAME_KEY]: _autoName, ...declared } = inputs;
  // Green API may stop returning tokens in getInstances; the one from create is authoritative.
  const apiTokenInstance = facts.apiTokenInstance || listed?.apiTokenInstance || "";
  return dropUndefined({
    ...previous,
    ...declared,
    idInstance: facts.idInstance,
    apiTokenInstance,
    qrUrl: qrUrl(facts.idInstance, apiTokenInstance),
    typeInstance: facts.typeInstance ?? listed?.typeInstance ?? previous.typeInstance,
    name: listed?.name ?? inputs.name,
    timeCreated: listed?.timeCreated ?? previous.timeCreated,
    expirationDate: listed?.expirationDate ?? previous.expirationDate,
    isExpired: listed?.isExpired ?? previous.isExpired,
    tariff: listed?.tariff ?? previous.tariff,
    apiUrl,
  });
}

/** The engine's Struct conversion rejects undefined; absent is the honest encoding. */
export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

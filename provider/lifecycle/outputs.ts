/**
 * The resource's outputs, built from what Green API answered. Everything a user or a later step
 * needs is here (the property table lists them); credentials among them are listed in SECRET_OUTPUTS
 * (marked secret by the resource class, since a dynamic provider cannot return secrets itself).
 */
import type { InstanceListItem } from "../greenapi/client";
import { SETTING_NAMES, type Settings } from "../greenapi/settings";
import { dropAbsent } from "../greenapi/absent";
import { settingsOf, type InstanceInputs } from "./inputs";
import { SECRET_OUTPUTS, type InstanceOutputs } from "./properties";
import type { LiveInstance } from "./live";

export { SECRET_OUTPUTS, type InstanceOutputs };

/** Green API's QR page; it embeds the instance token, hence secret. */
export function qrUrl(idInstance: number, apiTokenInstance: string): string {
  return `https://qr.green-api.com/waInstance${idInstance}/${apiTokenInstance}`;
}

/**
 * What an operation knows for certain about the instance it works on — id, token, product, own host
 * — from createInstance's answer or the instance's list row, before anything is read from the
 * instance itself; the outputs are built from these facts and what is read after.
 */
export interface InstanceFacts {
  idInstance: number;
  apiTokenInstance: string;
  /** As Green API names it ("v3" for MAX). */
  typeInstance?: string | null;
  apiUrlInstance?: string | null;
}

export interface OutputParts {
  /**
   * Checked inputs as declared (create, update); for a refresh, what the previous outputs say was
   * declared. Only the settings named here are in the outputs (see buildOutputs).
   */
  inputs: InstanceInputs;
  facts: InstanceFacts;
  apiUrl: string;
  /** The instance's getInstances row, when one was read. */
  listed?: InstanceListItem;
  /** State and settings read from the instance API; settings read there are the truth. */
  live?: LiveInstance;
  /** Outputs so far: they keep whatever this answer does not cover. */
  previous?: Partial<InstanceOutputs>;
}

/**
 * The outputs carry only the settings the program declares: Green API's defaults for the others are
 * documented inconsistently (flags "off" or "yes", a delay of 500, 3000 or 5000 ms) and a new
 * instance may report stale values for a while, so showing them would make the first refresh after
 * `up` report changes nobody made. Undeclared settings are Green API's (or the console's) to keep.
 */
export function buildOutputs({ inputs, facts, apiUrl, listed, live, previous = {} }: OutputParts): InstanceOutputs {
  const declared = inputs;
  const managed = new Set(Object.keys(settingsOf(declared)));
  const only = (settings: object) =>
    Object.fromEntries(Object.entries(settings).filter(([name]) => !SETTING_NAMES.includes(name as never) || managed.has(name)));
  // Live values are the truth for what is managed; an undeclared setting is dropped from the outputs.
  const settings: Settings = only(live?.settings ?? {});
  // Green API may stop returning tokens in getInstances; the one from create is authoritative.
  const apiTokenInstance = facts.apiTokenInstance || listed?.apiTokenInstance || "";
  // Partner fields, when declared: as listed (getSettings for the country), else as declared. An
  // empty value counts as not reported: Green API's documents disagree on whether create takes them.
  const partner = {
    countryInstance: declared.countryInstance && (listed?.countryInstance || live?.countryInstance || declared.countryInstance),
    partnerUserUiid: declared.partnerUserUiid && (listed?.partnerUserUiid || declared.partnerUserUiid),
  };
  return dropAbsent({
    ...only(previous),
    ...declared,
    ...settings,
    ...partner,
    idInstance: facts.idInstance,
    apiTokenInstance,
    qrUrl: qrUrl(facts.idInstance, apiTokenInstance),
    // The wire value ("v3" for MAX), as released versions wrote it.
    typeInstance: facts.typeInstance || listed?.typeInstance || previous.typeInstance,
    name: listed?.name ?? declared.name ?? previous.name,
    timeCreated: listed?.timeCreated ?? previous.timeCreated,
    expirationDate: listed?.expirationDate ?? previous.expirationDate,
    isExpired: listed?.isExpired ?? previous.isExpired,
    tariff: listed?.tariff ?? previous.tariff,
    apiUrl,
    apiUrlInstance: facts.apiUrlInstance || listed?.apiUrlInstance || previous.apiUrlInstance,
    stateInstance: live?.stateInstance ?? previous.stateInstance,
    wid: linkedAccount(live, previous),
  });
}

/** Only an authorized instance has a linked account; without a known state the last one stands. */
function linkedAccount(live: LiveInstance | undefined, previous: Partial<InstanceOutputs>): string | undefined {
  if (live?.stateInstance === undefined) return previous.wid;
  return live.stateInstance === "authorized" ? (live.wid ?? previous.wid) : undefined;
}

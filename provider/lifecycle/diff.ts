/**
 * What changed between the stored outputs and the new checked inputs, and which of those changes
 * need a new instance. Only what the user declares is compared: a setting left out of the program
 * is not managed, so its live value is never a change.
 */
import { wireTypeInstance } from "../greenapi/client";
import { flagToBoolean, isSettingFlag, type Settings } from "../greenapi/settings";
import { isUnknown, settingsOf, type InstanceInputs } from "./inputs";
import { CREATE_ONLY_FIELDS, INPUT_NAMES, INSTANCE_PROPERTIES, REPLACE_ON_CHANGE } from "./properties";
import { STARTING } from "./live";

/** Every input whose change does something: waitForReady steers a create only (see awaitsReadiness). */
const COMPARED = INPUT_NAMES.filter((name) => INSTANCE_PROPERTIES[name].input.onChange !== "none");

/** The value compared: flags as booleans, and products as Green API names them (outputs hold "v3" for `max`). */
function comparable(key: string, value: unknown): unknown {
  if (isSettingFlag(key)) return flagToBoolean(value);
  if (key === "typeInstance" && typeof value === "string") return wireTypeInstance(value);
  return value;
}

export interface DiffResult {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

function changedProperties(olds: object, news: InstanceInputs): string[] {
  const before = olds as Record<string, unknown>;
  const after = news as Record<string, unknown>;
  return COMPARED.filter((key) => {
    if (after[key] === undefined) return false;
    if (isUnknown(after[key])) return true;
    return comparable(key, before[key]) !== comparable(key, after[key]);
  });
}

export function diff(olds: object, news: InstanceInputs): DiffResult {
  const changed = changedProperties(olds, news);
  const replaces = changed.filter((key) => REPLACE_ON_CHANGE.has(key));
  // Create the replacement first: the old instance (and its linked phone) stays until the new one
  // exists. Unless it keeps the old one's name: names are unique (create finds instances by name),
  // so the old instance must go first.
  const sameName = !replaces.includes("name") && !replaces.includes("adoptIdInstance") && news.adoptIdInstance === undefined;
  const deleteBeforeReplace = sameName && replaces.some((key) => (CREATE_ONLY_FIELDS as readonly string[]).includes(key));
  return { changes: changed.length > 0 || awaitsReadiness(olds, news), replaces, deleteBeforeReplace };
}

/** `waitForReady` whose last wait ran out (the stored state is still "starting"): the next `up` waits again, in update. */
export function awaitsReadiness(olds: object, news: InstanceInputs): boolean {
  return news.waitForReady === true && (olds as { stateInstance?: unknown }).stateInstance === STARTING;
}

/** The settings among the changes, with their new values: the body of one setSettings call. */
export function changedSettings(olds: object, news: InstanceInputs): Settings {
  const changed = changedProperties(olds, news).filter((key) => !REPLACE_ON_CHANGE.has(key));
  return settingsOf(Object.fromEntries(changed.map((key) => [key, (news as Record<string, unknown>)[key]])));
}

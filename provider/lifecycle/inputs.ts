/**
 * The resource's inputs: validation (check) and the one normalization every later step relies on —
 * flags as booleans whatever the user wrote, and an effective instance name.
 */
import { z } from "zod";
import {
  DELAY_MAX_MS,
  DELAY_MIN_MS,
  SETTING_FLAGS,
  SETTING_NAMES,
  isSettingFlag,
  flagToBoolean,
  type SettingFlag,
  type Settings,
} from "../greenapi/settings";
import { dropAbsent } from "../greenapi/absent";
import { apiUrlProblem } from "../greenapi/client-settings";
import { usableInstanceUrl } from "./hosts";
import {
  CREATE_ONLY_FIELDS,
  INPUT_NAMES,
  INSTANCE_PROPERTIES,
  SECRET_INPUTS,
  TYPE_INSTANCES,
  type DeclaredValueOf,
  type InputName,
  type InstanceInputs,
} from "./properties";
import { storedValue } from "./state";

export type { InstanceInputs };

/** The engine's placeholder for a value not known until apply (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const flag = z.union([z.boolean(), z.enum(["yes", "no"])], { error: 'must be true/false or "yes"/"no"' });

/**
 * Each input's check, for every input of the property table and accepting exactly its declared type
 * (a type error otherwise, below). Messages name what is expected, never the value.
 */
const VALIDATORS = {
  name: z.string({ error: "must be a string" }).trim().min(1, "must not be empty"),
  webhookUrl: z.union([z.literal(""), z.url({ protocol: /^https?$/, error: "must be an http(s) URL, or empty to clear" })], {
    error: "must be an http(s) URL, or empty to clear",
  }),
  webhookUrlToken: z.string({ error: "webhookUrlToken must be a string" }),
  delaySendMessagesMilliseconds: z
    .number({ error: "must be a number of milliseconds" })
    .int("must be a whole number of milliseconds")
    .min(DELAY_MIN_MS, `must be at least ${DELAY_MIN_MS} (Green API's minimum)`)
    .max(DELAY_MAX_MS, `must be at most ${DELAY_MAX_MS}`),
  ...(Object.fromEntries(SETTING_FLAGS.map((name) => [name, flag])) as { [K in SettingFlag]: typeof flag }),
  apiUrl: z.string({ error: "must be an https URL, such as the API host shown in the console" }).superRefine((url, context) => {
    const problem = apiUrlProblem(url);
    if (problem) context.addIssue({ code: "custom", message: problem });
  }),
  adoptIdInstance: z
    .number({ error: "must be the idInstance (a number) of an instance in this account" })
    .int("must be a whole number (an idInstance)")
    .positive("must be a positive idInstance"),
  logoutOnDelete: z.boolean({ error: "must be true or false" }),
  waitForReady: z.boolean({ error: "must be true or false" }),
  typeInstance: z.enum(TYPE_INSTANCES, { error: 'must be "whatsapp", "telegram", "max" or "instagram"' }),
  countryInstance: z
    .string({ error: 'must be a two-letter country code such as "ru"' })
    .regex(/^[a-z]{2}$/, 'must be a two-letter lowercase country code such as "ru"'),
  partnerUserUiid: z.string({ error: "must be a string: your id for the customer" }).trim().min(1, "must not be empty"),
};

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type _ValidatorsAreTheTables = [
  Assert<Same<keyof typeof VALIDATORS, InputName>>,
  Assert<Same<{ [K in InputName]: z.input<(typeof VALIDATORS)[K]> }, { [K in InputName]: DeclaredValueOf<K> }>>,
];

const PROPERTY_SCHEMAS: Readonly<Record<string, z.ZodType>> = VALIDATORS;

/**
 * Checked inputs as the lifecycle holds them: each value of its table type (flags as booleans), or
 * the placeholder of a value not known until apply, which only diff ever sees.
 */
const CHECKED_INPUTS = z.strictObject(
  Object.fromEntries(
    INPUT_NAMES.map((name) => [name, z.union([z.literal(UNKNOWN), storedValue(name, INSTANCE_PROPERTIES[name])]).optional()]),
  ),
) as z.ZodType<InstanceInputs>;

export interface CheckFailure {
  property: string;
  reason: string;
}

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** Validates each top-level property on its own, so every problem is reported at once. */
export function validateInputs(news: Record<string, unknown>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const [property, value] of Object.entries(news)) {
    if (value === undefined || value === null || isUnknown(value)) continue;
    const schema = PROPERTY_SCHEMAS[property];
    if (!schema) {
      failures.push({ property, reason: `unknown property "${property}"; GreenApiInstance accepts: ${INPUT_NAMES.join(", ")}` });
      continue;
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      const reason = result.error.issues[0]?.message ?? "is not valid";
      failures.push(SECRET_INPUTS.has(property) ? { property: "", reason: `${property}: ${reason}` } : { property, reason });
    }
  }
  if (failures.length === 0 && typeof news.typeInstance === "string") failures.push(...productFailures(news.typeInstance, news));
  return failures;
}

/**
 * Where one product's docs differ from the others' (docs/greenapi.md §1.1): Instagram (beta) takes a
 * delay of at most 60000 ms and silently lowers a larger one, which would show as drift on every
 * refresh. No product's docs say it lacks one of the other settings, so none is refused.
 */
const PRODUCT_DELAY_MAX_MS: Readonly<Record<string, number>> = { instagram: 60_000 };

/** Problems of declared settings for a product (as declared, or Green API's typeInstance). */
export function productFailures(typeInstance: string, settings: Record<string, unknown>): CheckFailure[] {
  const max = PRODUCT_DELAY_MAX_MS[typeInstance];
  const delay = settings.delaySendMessagesMilliseconds;
  if (max === undefined || typeof delay !== "number" || delay <= max) return [];
  return [
    {
      property: "delaySendMessagesMilliseconds",
      reason: `must be at most ${max} for ${typeInstance} instances (Green API's maximum there)`,
    },
  ];
}

/**
 * Valid inputs → checked inputs. Flags become booleans; the name is the user's, else the one this
 * resource already has (so dropping an explicit name never replaces the instance), else the
 * resource's auto-name (autoNameOf). A unique, stable name is what lets a create interrupted
 * mid-flight be found again instead of billed twice.
 */
export function normalizeInputs(news: Record<string, unknown>, olds: Record<string, unknown>, autoName: string): InstanceInputs {
  const inputs: Record<string, unknown> = {};
  for (const [property, value] of Object.entries(news)) {
    if (value === undefined || value === null) continue;
    inputs[property] = isSettingFlag(property) && !isUnknown(value) ? flagToBoolean(value) : value;
  }
  if (typeof inputs.name === "string" && !isUnknown(inputs.name)) inputs.name = inputs.name.trim();
  // An adopted instance keeps the name it has: Green API cannot rename, so no auto-name for it.
  if (inputs.name === undefined && inputs.adoptIdInstance === undefined) {
    const previous = olds.name;
    inputs.name = typeof previous === "string" && previous ? previous : autoName;
  }
  const checked = CHECKED_INPUTS.safeParse(inputs);
  // Valid inputs always parse: a failure here is this provider's bug, named by property.
  if (!checked.success)
    throw new Error(`checked inputs are malformed: ${checked.error.issues.map((issue) => issue.path.join(".")).join(", ")}`);
  return checked.data;
}

/** The declared product and partner fields of checked inputs. */
export function createOnlyOf(props: object): Pick<InstanceInputs, (typeof CREATE_ONLY_FIELDS)[number]> {
  const values = props as Record<string, unknown>;
  return dropAbsent(Object.fromEntries(CREATE_ONLY_FIELDS.map((name) => [name, values[name]])));
}

/** The settings part of checked inputs (what createInstance/setSettings take). */
export function settingsOf(props: object): Settings {
  const values = props as Record<string, unknown>;
  const settings: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    if (values[name] !== undefined) settings[name] = values[name];
  }
  return settings as Settings;
}

/**
 * The inputs a set of outputs stands for: the name, every (declared) setting and partner field, as
 * refreshed. The outputs always name the API host in use; it was declared only if it is not the one
 * the host rule gives without a declaration (the instance's own, else `defaultApiUrl`), and an input
 * the program never had would show as a change on the next `up`. `typeInstance` is always in the
 * outputs, declared or not, so it is left out (Green API never changes an instance's product).
 */
export function inputsFromOutputs(
  outputs: Omit<InstanceInputs, "typeInstance"> & { apiUrlInstance?: string },
  defaultApiUrl?: string,
): InstanceInputs {
  const { name, apiUrl, adoptIdInstance, logoutOnDelete, waitForReady, countryInstance, partnerUserUiid } = outputs;
  const undeclaredApiUrl = usableInstanceUrl(outputs.apiUrlInstance) ?? defaultApiUrl;
  const declaredApiUrl = apiUrl === undeclaredApiUrl ? undefined : apiUrl;
  return dropAbsent({
    name,
    apiUrl: declaredApiUrl,
    adoptIdInstance,
    logoutOnDelete,
    waitForReady,
    countryInstance,
    partnerUserUiid,
    ...settingsOf(outputs),
  });
}

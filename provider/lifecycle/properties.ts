/**
 * The resource, defined once: every property of an instance with its type, secrecy, what a change
 * does, whether a program declares it (input), the provider fills it in (output) or a lookup's row
 * holds it (summary), its values and its description. Names are Green API's own wherever Green
 * API has the property; only values differ on the wire (flags "yes"/"no" — greenapi/settings.ts —
 * and the MAX product "v3" — wireTypeInstance).
 *
 * Derived from here: the input names and types the validators must cover (inputs.ts, a type error
 * if one is missing or accepts another type), the stored-state schema (state.ts), the secret lists,
 * the outputs GreenApiInstance registers, the lookups' fields (lookups.ts), the TypeScript types
 * (checked against GreenApiInstance's at compile time) and the plugin's schema.json
 * (scripts/schema.ts, written by `npm run schema`). Plain data, down to its types: GreenApiInstance
 * loads this file in every program, and a program's type check reads its declarations, so it
 * refers to neither zod nor the HTTP client.
 */
import { SETTING_FLAGS, type SettingFlag, type SettingName } from "../greenapi/settings";

export interface PropertySpec {
  /** As schema.json names it; stored state is checked against it. */
  readonly type: "string" | "integer" | "boolean";
  /** A credential: secret in state and outputs, and a failure on it never names it beside its value. */
  readonly secret?: true;
  /** A property a program declares. */
  readonly input?: {
    readonly description: string;
    /**
     * What a change does: "replace" the instance (Green API cannot change it: a new name, another
     * adopted instance, what createInstance alone sets), apply it "in-place" (setSettings, or the
     * state alone), or "none" (it only steers a create).
     */
    readonly onChange: "replace" | "in-place" | "none";
    /** Sent to createInstance only (product and partner fields): a change needs a new instance. */
    readonly createOnly?: true;
    /** The values schema.json lists, with a note where one needs it. */
    readonly values?: readonly string[];
    readonly valueNotes?: Readonly<Record<string, string>>;
  };
  /** A property of the resource's outputs; `required` ones every stored state has. Description: the input's unless given. */
  readonly output?: { readonly description?: string; readonly required?: true };
  /** A field of a lookup's row (getInstances, getInstance). */
  readonly summary?: { readonly description?: string; readonly required?: true };
}

/** The messengers a program may declare; Green API itself calls MAX "v3". */
export const TYPE_INSTANCES = ["whatsapp", "telegram", "max", "instagram", "v3"] as const;

const TOKEN_NOTE = "The instance's token, only with includeTokens: true.";
const TYPE_AS_GREEN_API_NAMES_IT = "As Green API names it: whatsapp, telegram, v3 (MAX), instagram.";

/** Green API's yes/no settings: booleans in the resource, "yes"/"no" accepted too. */
function flagProperty(name: SettingFlag) {
  return {
    type: "boolean",
    input: {
      description: `Green API's \`${name}\` setting, as a boolean (Green API's "yes"/"no" on the wire).`,
      onChange: "in-place",
    },
    output: {},
  } as const satisfies PropertySpec;
}

const FLAG_PROPERTIES = Object.fromEntries(SETTING_FLAGS.map((name) => [name, flagProperty(name)])) as {
  readonly [K in SettingFlag]: ReturnType<typeof flagProperty>;
};

/** Green API's instance settings (greenapi/settings.ts), changed in place by setSettings. */
const SETTING_PROPERTIES = {
  webhookUrl: {
    type: "string",
    input: {
      description: 'URL that receives webhooks; "" clears it.',
      onChange: "in-place",
    },
    output: {},
  },
  webhookUrlToken: {
    type: "string",
    secret: true,
    input: {
      description: "Sent by Green API in the Authorization header of webhooks. A credential: kept secret.",
      onChange: "in-place",
    },
    output: {},
  },
  delaySendMessagesMilliseconds: {
    type: "integer",
    input: {
      description: "Minimum delay between sent messages, 500–600000 ms.",
      onChange: "in-place",
    },
    output: {},
  },
  ...FLAG_PROPERTIES,
} as const satisfies { readonly [K in SettingName]: PropertySpec };

export const INSTANCE_PROPERTIES = {
  name: {
    type: "string",
    input: {
      description: "Display name, unique in the account. Default: `<resource name>-<7 characters>`. Changing it replaces the instance.",
      onChange: "replace",
    },
    output: {},
    summary: {},
  },
  ...SETTING_PROPERTIES,
  apiUrl: {
    type: "string",
    input: {
      description: "This instance's API host, as the console shows it; overrides the provider's apiUrl. https (http only for loopback).",
      onChange: "in-place",
    },
    output: { description: "The instance API host used.", required: true },
  },
  adoptIdInstance: {
    type: "integer",
    input: {
      description:
        "Take over this existing instance instead of creating one. Destroying the resource then deletes that instance. Changing it replaces.",
      onChange: "replace",
    },
    output: {},
  },
  logoutOnDelete: {
    type: "boolean",
    input: {
      description: "Log the linked phone out before deleting the instance; default true.",
      onChange: "in-place",
    },
    output: {},
  },
  waitForReady: {
    type: "boolean",
    input: {
      description:
        "Create waits (within operationTimeoutSeconds) until Green API has built the instance, so its QR page works when `pulumi up` ends; default false. Green API takes up to ~5 minutes.",
      onChange: "none",
    },
    output: {},
  },
  typeInstance: {
    type: "string",
    input: {
      description: "The messenger. Sent at create only; changing it replaces the instance.",
      onChange: "replace",
      createOnly: true,
      values: TYPE_INSTANCES,
      valueNotes: { v3: "Green API's name for MAX." },
    },
    // Outputs and rows hold Green API's own name ("v3" for MAX), as released versions wrote it.
    output: { description: TYPE_AS_GREEN_API_NAMES_IT },
    summary: { description: TYPE_AS_GREEN_API_NAMES_IT },
  },
  countryInstance: {
    type: "string",
    input: {
      description: 'Two-letter lowercase country code, e.g. "ru". Sent at create only; changing it replaces the instance.',
      onChange: "replace",
      createOnly: true,
    },
    output: {},
    summary: {},
  },
  partnerUserUiid: {
    type: "string",
    input: {
      description: "Your own id for the customer this instance serves. Sent at create only; changing it replaces.",
      onChange: "replace",
      createOnly: true,
    },
    output: {},
    summary: {},
  },
  idInstance: { type: "integer", output: { description: "Green API's id of the instance.", required: true }, summary: { required: true } },
  apiTokenInstance: {
    type: "string",
    secret: true,
    output: { description: "The instance's API token.", required: true },
    summary: { description: TOKEN_NOTE },
  },
  qrUrl: {
    type: "string",
    secret: true,
    output: { description: "Green API's QR page for linking a phone; it embeds the token.", required: true },
  },
  timeCreated: { type: "string", output: {}, summary: {} },
  timeDeleted: { type: "string", summary: {} },
  deleted: { type: "boolean", summary: { required: true } },
  expirationDate: { type: "string", output: {}, summary: {} },
  isExpired: { type: "boolean", output: {}, summary: {} },
  tariff: { type: "string", output: {}, summary: {} },
  apiUrlInstance: { type: "string", output: { description: "The instance's own API host, as Green API reported it." }, summary: {} },
  stateInstance: {
    type: "string",
    output: { description: "notAuthorized, authorized, blocked, sleepMode, starting, yellowCard, …, as of the last create or refresh." },
  },
  wid: {
    type: "string",
    output: { description: 'The linked account (e.g. "79001234567@c.us") while authorized, as of the last create or refresh.' },
  },
} as const satisfies Readonly<Record<string, PropertySpec>>;

type Properties = typeof INSTANCE_PROPERTIES;
export type PropertyName = keyof Properties;

/** The names of the properties with a given part (input, output, summary), in the table's order. */
type NamesWith<Part extends "input" | "output" | "summary"> = {
  [K in PropertyName]: Properties[K] extends { readonly [P in Part]: object } ? K : never;
}[PropertyName];

export type InputName = NamesWith<"input">;
export type OutputName = NamesWith<"output">;
export type SummaryName = NamesWith<"summary">;

const NAMES = Object.keys(INSTANCE_PROPERTIES) as PropertyName[];
const spec = (name: PropertyName): PropertySpec => INSTANCE_PROPERTIES[name];

/** Every property a program may declare. */
export const INPUT_NAMES = NAMES.filter((name): name is InputName => spec(name).input !== undefined);
/** Every property of the resource's outputs (GreenApiInstance registers each). */
export const OUTPUT_NAMES = NAMES.filter((name): name is OutputName => spec(name).output !== undefined);
/** The documented fields of a lookup's row. */
export const SUMMARY_NAMES = NAMES.filter((name): name is SummaryName => spec(name).summary !== undefined);

/** Inputs whose value is a credential: a check failure on them must not name the property (the engine prints its value). */
export const SECRET_INPUTS: ReadonlySet<string> = new Set(INPUT_NAMES.filter((name) => spec(name).secret));
/** Outputs that are credentials: marked secret by both front doors. */
export const SECRET_OUTPUTS: readonly OutputName[] = OUTPUT_NAMES.filter((name) => spec(name).secret);

type CreateOnlyName = {
  [K in InputName]: Properties[K]["input"] extends { readonly createOnly: true } ? K : never;
}[InputName];
/** Product and partner fields: sent to createInstance only, so a change needs a new instance. */
export const CREATE_ONLY_FIELDS = INPUT_NAMES.filter((name): name is CreateOnlyName => spec(name).input?.createOnly === true);
/** Inputs whose change needs a new instance. */
export const REPLACE_ON_CHANGE: ReadonlySet<string> = new Set(INPUT_NAMES.filter((name) => spec(name).input?.onChange === "replace"));

/** A property's value as the lifecycle holds it: flags as booleans, the declared product as one of its names. */
type ValueOf<K extends PropertyName> = Properties[K] extends { readonly input: { readonly values: readonly (infer V)[] } }
  ? V
  : TypeOf<Properties[K]["type"]>;
/** As outputs and rows hold it: the product as Green API names it, whatever was declared. */
type StoredValueOf<K extends PropertyName> = TypeOf<Properties[K]["type"]>;
type TypeOf<T extends PropertySpec["type"]> = T extends "integer" ? number : T extends "boolean" ? boolean : string;

/** Checked inputs: what create/diff/update receive (flags as booleans). */
export type InstanceInputs = { [K in InputName]?: ValueOf<K> };

type RequiredOutput = { [K in OutputName]: Properties[K]["output"] extends { readonly required: true } ? K : never }[OutputName];
/** The resource's outputs; the required ones every stored state has. */
export type InstanceOutputs = { [K in RequiredOutput]: StoredValueOf<K> } & {
  [K in Exclude<OutputName, RequiredOutput>]?: StoredValueOf<K>;
};

/** A program's value for an input, before the check: a flag may be Green API's "yes"/"no" too. */
export type DeclaredValueOf<K extends InputName> = K extends SettingFlag ? boolean | "yes" | "no" : ValueOf<K>;

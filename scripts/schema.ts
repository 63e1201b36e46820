/**
 * `npm run schema`: writes provider/plugin/schema.json, the `greenapi` package's Pulumi schema, from
 * the property table (provider/lifecycle/properties.ts) and the provider's settings
 * (lifecycle/config.ts). The file is committed — the plugin serves it and the SDKs are generated
 * from it — and test/unit/plugin-schema.test.ts fails when it is not what this script writes.
 * Prettier formats it (the script runs `prettier --write` after writing).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CONFIG_KEYS, type ClientSetting } from "../provider/lifecycle";
import {
  INPUT_NAMES,
  INSTANCE_PROPERTIES,
  OUTPUT_NAMES,
  SUMMARY_NAMES,
  type PropertyName,
  type PropertySpec,
} from "../provider/lifecycle/properties";
import { FUNCTIONS, INSTANCE_SUMMARY_TYPE, INSTANCE_TYPE, PACKAGE } from "../provider/plugin/tokens";

/** The repo root, from the sources (scripts/) or the build (dist/scripts/). */
const REPO_ROOT = [resolve(__dirname, ".."), resolve(__dirname, "..", "..")].find((dir) => existsSync(join(dir, "package-lock.json")))!;
export const SCHEMA_FILE = join(REPO_ROOT, "provider", "plugin", "schema.json");

type Json = Record<string, unknown>;

/** The provider's settings as a program sets them; environment variables from CONFIG_KEYS. */
const CONFIG: Record<ClientSetting, { type: "string" | "integer"; secret?: true; description: string }> = {
  partnerToken: { type: "string", secret: true, description: "The partner token from the Green API partner console." },
  partnerApiUrl: { type: "string", description: "Partner API host. Default https://api.green-api.com." },
  apiUrl: { type: "string", description: "Instance API host for instances without their own apiUrl. Default https://api.green-api.com." },
  requestTimeoutSeconds: { type: "integer", description: "Longest a single HTTP request may take. Default 30." },
  operationTimeoutSeconds: {
    type: "integer",
    description: "Longest one operation may take, retries included; at least 3 × the request timeout + 2. Default 120.",
  },
};

const LOOKUP_INPUTS = {
  name: { type: "string", description: "Exactly this name." },
  typeInstance: { type: "string", description: "whatsapp, telegram, max (or v3), instagram." },
  includeDeleted: { type: "boolean", description: "Also instances deleted in the last months (default false)." },
  includeTokens: {
    type: "boolean",
    description:
      "Also each instance's apiTokenInstance, as a secret (default false: rows then hold nothing secret, so a plain invoke works in every language).",
  },
  idInstance: { type: "integer" },
};

function configVariables(): Json {
  return Object.fromEntries(
    Object.entries(CONFIG).map(([setting, { type, secret, description }]) => [
      setting,
      { type, secret, description, defaultInfo: { environment: [CONFIG_KEYS[setting as ClientSetting].env] } },
    ]),
  );
}

/** One property as schema.json writes it; `description` absent when the table gives none. */
function property(
  spec: PropertySpec,
  description: string | undefined,
  values?: readonly string[],
  notes?: Readonly<Record<string, string>>,
): Json {
  return {
    type: spec.type,
    secret: spec.secret,
    enum: values?.map((value) => ({ value, description: notes?.[value] })),
    description,
  };
}

const spec = (name: PropertyName): PropertySpec => INSTANCE_PROPERTIES[name];

function inputProperties(): Json {
  return Object.fromEntries(
    INPUT_NAMES.map((name) => {
      const { input } = INSTANCE_PROPERTIES[name];
      const { values, valueNotes } = input as NonNullable<PropertySpec["input"]>;
      return [name, property(spec(name), input.description, values, valueNotes)];
    }),
  );
}

function outputProperties(): Json {
  return Object.fromEntries(
    OUTPUT_NAMES.map((name) => [name, property(spec(name), spec(name).output?.description ?? spec(name).input?.description)]),
  );
}

const requiredOf = (names: readonly PropertyName[], part: "output" | "summary") => names.filter((name) => spec(name)[part]?.required);

function summaryProperties(): Json {
  return Object.fromEntries(SUMMARY_NAMES.map((name) => [name, property(spec(name), spec(name).summary?.description)]));
}

/** Drops undefined members, so the JSON holds only what is set. */
function defined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(defined);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .map(([key, member]) => [key, defined(member)]),
  );
}

/** The schema, at the package's version. */
export function pluginSchema(): Json {
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  const summary = { properties: summaryProperties(), required: requiredOf(SUMMARY_NAMES, "summary") };
  const { name, typeInstance, includeDeleted, includeTokens, idInstance } = LOOKUP_INPUTS;
  return defined({
    name: PACKAGE,
    displayName: "Green API",
    version,
    description: "Green API partner instances (WhatsApp, Telegram, MAX gateways) as Pulumi resources.",
    license: "Apache-2.0",
    config: { variables: configVariables() },
    provider: {
      description:
        "Green API partner account settings; stack config greenapi:* or GREEN_API_* environment variables for the default provider.",
      inputProperties: configVariables(),
    },
    resources: {
      [INSTANCE_TYPE]: {
        description: "A Green API instance.",
        inputProperties: inputProperties(),
        properties: outputProperties(),
        required: requiredOf(OUTPUT_NAMES, "output"),
      },
    },
    types: {
      [INSTANCE_SUMMARY_TYPE]: { type: "object", description: "One row of the account's getInstances.", ...summary },
    },
    functions: {
      [FUNCTIONS.getInstances]: {
        description: "The account's instances (one shared getInstances per provider process), optionally filtered.",
        inputs: { properties: { name, typeInstance, includeDeleted, includeTokens } },
        outputs: {
          properties: { instances: { type: "array", items: { $ref: `#/types/${INSTANCE_SUMMARY_TYPE}` } } },
          required: ["instances"],
        },
      },
      [FUNCTIONS.getInstance]: {
        description: "One instance, by idInstance or by name (exactly one of them).",
        inputs: { properties: { idInstance, name: { type: "string" }, includeTokens } },
        outputs: summary,
      },
    },
    language: {
      csharp: { respectSchemaVersion: true },
      go: { importBasePath: "pulumi-greenapi/sdk/go/greenapi", respectSchemaVersion: true },
      nodejs: { packageName: "pulumi-greenapi-sdk", respectSchemaVersion: true },
      python: { packageName: "pulumi_greenapi", respectSchemaVersion: true, pyproject: { enabled: true } },
    },
  }) as Json;
}

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, `${JSON.stringify(pluginSchema(), null, 2)}\n`);
}

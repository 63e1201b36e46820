/**
 * The plugin's schema.json against the lifecycle's own definitions, so the two cannot drift: the
 * inputs the lifecycle validates, their types (probed through validateInputs), the secrets, the
 * outputs a real create against the emulator returns through the plugin's adapter, and the provider
 * config with its environment variables.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GreenApiEmulator } from "../../emulator";
import { CONFIG_KEYS, SECRET_OUTPUTS } from "../../provider/lifecycle";
import { validateInputs } from "../../provider/lifecycle/inputs";
import { INPUT_NAMES, SECRET_INPUTS } from "../../provider/lifecycle/properties";
import { autoName, GreenApiPlugin } from "../../provider/plugin/adapter";
import * as tokens from "../../provider/plugin/tokens";
import { schemaText } from "../../provider/plugin/server";
import { pluginSchema } from "../../scripts/schema";
import { isSecret, revealAll, SECRET_SIG, SECRET_VALUE, type Properties } from "../../provider/plugin/wire";

interface PropertySpec {
  type?: string;
  secret?: boolean;
  enum?: Array<{ value: unknown }>;
  defaultInfo?: { environment?: string[] };
}
interface Schema {
  name: string;
  version: string;
  config: { variables: Record<string, PropertySpec> };
  provider: { inputProperties: Record<string, PropertySpec> };
  resources: Record<
    string,
    { inputProperties: Record<string, PropertySpec>; properties: Record<string, PropertySpec>; required: string[] }
  >;
  types: Record<string, { properties: Record<string, PropertySpec>; required: string[] }>;
  functions: Record<
    string,
    { inputs: { properties: Record<string, PropertySpec> }; outputs: { properties: Record<string, PropertySpec>; required: string[] } }
  >;
}

const ROOT = join(__dirname, "..", "..");
const schema: Schema = JSON.parse(readFileSync(join(ROOT, "provider", "plugin", "schema.json"), "utf8"));
const instance = schema.resources[tokens.INSTANCE_TYPE];
const URN = `urn:pulumi:dev::schema-test::${tokens.INSTANCE_TYPE}::bot`;

/** A value each string input accepts: validateInputs decides, so a wrong sample fails the test. */
const VALID_STRINGS: Record<string, string> = {
  name: "bot",
  webhookUrl: "https://example.com/hook",
  webhookUrlToken: "token",
  apiUrl: "https://7103.api.greenapi.com",
  countryInstance: "ru",
  partnerUserUiid: "customer-1",
  typeInstance: "telegram",
};
const VALID_INTEGERS: Record<string, number> = { delaySendMessagesMilliseconds: 1000, adoptIdInstance: 1101728000 };

const specs = (properties: Record<string, PropertySpec>) => Object.entries(properties);
const secretNames = (properties: Record<string, PropertySpec>) =>
  specs(properties)
    .filter(([, spec]) => spec.secret)
    .map(([name]) => name)
    .sort();

describe("schema.json", () => {
  it("is the package's, at its version, and what the plugin serves", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(schema.name).toBe(tokens.PACKAGE);
    expect(schema.version).toBe(pkg.version);
    expect(JSON.parse(schemaText())).toEqual(schema);
  });

  it("is what `npm run schema` writes from the property table (run it after changing the table)", () => {
    // Key order included; the formatting is Prettier's, checked by `npm run lint`.
    expect(JSON.stringify(schema, null, 2)).toBe(JSON.stringify(pluginSchema(), null, 2));
  });

  it("declares exactly the inputs the lifecycle validates, the secret ones secret", () => {
    expect(Object.keys(instance.inputProperties).sort()).toEqual([...INPUT_NAMES].sort());
    expect(secretNames(instance.inputProperties)).toEqual([...SECRET_INPUTS].sort());
  });

  it.each(Object.keys(instance.inputProperties))("input %s: the declared type is the one the lifecycle accepts", (name) => {
    const spec = instance.inputProperties[name];
    const accepts = (value: unknown) => validateInputs({ [name]: value }).length === 0;
    switch (spec.type) {
      case "boolean":
        expect([accepts(true), accepts(false), accepts(1)]).toEqual([true, true, false]);
        break;
      case "integer":
        expect([accepts(VALID_INTEGERS[name]), accepts(VALID_INTEGERS[name] + 0.5), accepts(String(VALID_INTEGERS[name]))]).toEqual([
          true,
          false,
          false,
        ]);
        break;
      case "string":
        expect([accepts(VALID_STRINGS[name]), accepts(42)]).toEqual([true, false]);
        for (const { value } of spec.enum ?? []) expect({ value, accepted: accepts(value) }).toEqual({ value, accepted: true });
        if (spec.enum) expect(accepts("bogus")).toBe(false);
        break;
      default:
        throw new Error(`input ${name}: unexpected schema type ${spec.type}`);
    }
  });

  it("declares the provider config the lifecycle reads, with the same environment variables, the token secret", () => {
    for (const properties of [schema.config.variables, schema.provider.inputProperties]) {
      expect(Object.keys(properties).sort()).toEqual(Object.keys(CONFIG_KEYS).sort());
      for (const [setting, { env }] of Object.entries(CONFIG_KEYS)) {
        expect({ setting, env: properties[setting].defaultInfo?.environment }).toEqual({ setting, env: [env] });
      }
      expect(secretNames(properties)).toEqual(["partnerToken"]);
    }
  });
});

const DEFAULT_PROVIDER = "urn:pulumi:dev::schema-test::pulumi:providers:greenapi::default_0_1_0";

/** A plugin as its process serves it; its lines are collected. */
function startPlugin(): { plugin: GreenApiPlugin; lines: string[] } {
  const lines: string[] = [];
  return { plugin: new GreenApiPlugin((urn) => (severity, message) => lines.push(`${severity} ${urn}: ${message}`)), lines };
}

describe("schema.json against what the plugin's adapter returns from the emulator", () => {
  let emulator: GreenApiEmulator;
  const { plugin } = startPlugin();

  beforeAll(async () => {
    emulator = await GreenApiEmulator.start();
    await plugin.configure(
      DEFAULT_PROVIDER,
      { partnerToken: emulator.partnerToken, partnerApiUrl: emulator.url, apiUrl: emulator.url },
      new Map(),
    );
  });
  afterAll(async () => {
    await plugin.close();
    await emulator?.close();
  });

  it("every output is declared with its type, the required ones are there, and exactly the secret ones are marked secret", async () => {
    const declared = {
      webhookUrl: "https://example.com/hook",
      webhookUrlToken: { [SECRET_SIG]: SECRET_VALUE, value: "whs-credential-3c1d" },
      delaySendMessagesMilliseconds: 1000,
      incomingWebhook: true,
      stateWebhook: "yes",
      typeInstance: "telegram",
      countryInstance: "ru",
      partnerUserUiid: "customer-1",
      logoutOnDelete: true,
    };
    const checked = plugin.check(URN, {}, declared);
    expect(checked.failures).toEqual([]);
    // The credential stays secret in the checked inputs; the name is the resource's stable auto-name.
    expect(isSecret(checked.inputs.webhookUrlToken)).toBe(true);
    expect(checked.inputs.name).toBe(autoName(URN));
    expect(autoName(URN)).toMatch(/^bot-[a-z0-9]{7}$/);

    const { id, outs } = await plugin.create(URN, checked.inputs);
    expect(emulator.get(Number(id))).toMatchObject({ name: checked.inputs.name, typeInstance: "telegram" });
    for (const [name, value] of Object.entries(outs)) {
      const spec = instance.properties[name];
      expect({ name, declared: spec !== undefined }).toEqual({ name, declared: true });
      expect({ name, secret: isSecret(value) }).toEqual({ name, secret: spec.secret === true });
      const plain = revealAll({ value }).value;
      const type = Number.isInteger(plain) ? "integer" : typeof plain;
      expect({ name, type }).toEqual({ name, type: spec.type });
    }
    for (const name of instance.required) expect({ name, present: name in outs }).toEqual({ name, present: true });
    expect(secretNames(instance.properties)).toEqual([...SECRET_OUTPUTS].sort());

    // A refresh reads the same, still secret; destroy deletes it.
    const read = await plugin.read(id, URN, outs, checked.inputs);
    expect(read.id).toBe(id);
    expect(read.props).toEqual(outs);
    await plugin.delete(id, URN, outs);
    expect(emulator.get(Number(id))?.deleted).toBe(true);
  });

  it("rejects a malformed provider config at check, naming the key where that provider's user sets it", async () => {
    const { failures, inputs } = plugin.checkConfig(DEFAULT_PROVIDER, { partnerToken: "t", apiUrl: "ftp://example.com" });
    expect(failures).toEqual([{ property: "", reason: expect.stringContaining("greenapi:apiUrl") }]);
    expect(isSecret(inputs.partnerToken)).toBe(true);
    const explicit = plugin.checkConfig("urn:pulumi:dev::schema-test::pulumi:providers:greenapi::acctB", { apiUrl: "ftp://example.com" });
    expect(explicit.failures).toEqual([{ property: "", reason: expect.stringContaining("`apiUrl` of provider `acctB`") }]);
  });

  it("checks config without side effects: the configured provider stays the one Configure built", async () => {
    // A check of a broken config must not unconfigure the running provider.
    plugin.checkConfig(DEFAULT_PROVIDER, { partnerToken: "other", partnerApiUrl: "ftp://example.com" });
    const rows = await plugin.invoke(tokens.FUNCTIONS.getInstances, {});
    expect(rows.failures).toEqual([]);
  });
});

describe("the lookups against the schema and the emulator", () => {
  let emulator: GreenApiEmulator;
  const summaryType = schema.types["greenapi:index:InstanceSummary"];
  const SAMPLES: Record<string, unknown> = {
    name: "bot-a",
    typeInstance: "telegram",
    includeDeleted: true,
    idInstance: 1,
    includeTokens: true,
  };

  const { plugin } = startPlugin();

  beforeAll(async () => {
    emulator = await GreenApiEmulator.start();
    emulator.seed([{ name: "bot-a" }, { name: "bot-b", typeInstance: "telegram" }, { name: "bot-c", deleted: true }]);
    // Configure's variables, as engines that send no args give them.
    await plugin.configure(
      DEFAULT_PROVIDER,
      undefined,
      new Map([
        ["greenapi:config:partnerToken", emulator.partnerToken],
        ["greenapi:config:partnerApiUrl", emulator.url],
      ]),
    );
  });
  afterAll(async () => {
    await plugin.close();
    await emulator?.close();
  });

  /** Every field declared with its type; exactly the token secret. */
  function expectDeclaredRow(row: Record<string, unknown>, properties: Record<string, PropertySpec>): void {
    for (const [name, value] of Object.entries(row)) {
      const spec = properties[name];
      expect({ name, declared: spec !== undefined, secret: isSecret(value) }).toEqual({
        name,
        declared: true,
        secret: spec.secret === true,
      });
      const plain = revealAll({ value }).value;
      expect({ name, type: Number.isInteger(plain) ? "integer" : typeof plain }).toEqual({ name, type: spec.type });
    }
  }

  it("declares exactly the two functions the plugin serves, each argument one it accepts", async () => {
    expect(Object.keys(schema.functions).sort()).toEqual(Object.values(tokens.FUNCTIONS).sort());
    for (const [token, spec] of Object.entries(schema.functions)) {
      for (const name of Object.keys(spec.inputs.properties)) {
        const args = { [name]: SAMPLES[name] };
        const { failures } = await plugin
          .invoke(token, args)
          .catch((error: Error) => ({ failures: [{ property: "", reason: error.message }] }));
        // getInstance of a missing id fails as a lookup, not as an unknown argument.
        expect({ token, name, failures: failures.filter((f) => /unknown argument|must be a/.test(f.reason)) }).toEqual({
          token,
          name,
          failures: [],
        });
      }
      expect((await plugin.invoke(token, { colour: "green" })).failures).toEqual([
        { property: "", reason: expect.stringContaining('unknown argument "colour"') },
      ]);
    }
  });

  it("getInstances returns the alive instances, filtered, their rows as declared; tokens only when asked, then secret", async () => {
    const all = await plugin.invoke(tokens.FUNCTIONS.getInstances, {});
    const rows = all.outputs.instances as Array<Record<string, unknown>>;
    expect(rows.map((row) => row.name).sort()).toEqual(["bot-a", "bot-b"]);
    for (const row of rows) expectDeclaredRow(row, summaryType.properties);
    // Without tokens nothing in a row is secret: a plain invoke works in Go, and YAML shows the names.
    expect(rows.filter((row) => "apiTokenInstance" in row)).toEqual([]);
    expect(JSON.stringify(rows)).not.toContain(SECRET_SIG);
    const withTokens = (await plugin.invoke(tokens.FUNCTIONS.getInstances, { includeTokens: true })).outputs.instances as Array<
      Record<string, unknown>
    >;
    for (const row of withTokens) expectDeclaredRow(row, summaryType.properties);
    expect(withTokens.map((row) => isSecret(row.apiTokenInstance))).toEqual([true, true]);
    for (const row of rows) for (const name of summaryType.required) expect(row).toHaveProperty(name);
    const names = async (args: Properties) =>
      ((await plugin.invoke(tokens.FUNCTIONS.getInstances, args)).outputs.instances as Array<{ name: string }>).map((r) => r.name).sort();
    expect(await names({ typeInstance: "telegram" })).toEqual(["bot-b"]);
    expect(await names({ name: "bot-a" })).toEqual(["bot-a"]);
    expect(await names({ includeDeleted: true })).toEqual(["bot-a", "bot-b", "bot-c"]);
  });

  it("getInstance finds one by id or name, as declared", async () => {
    const [a] = emulator.list().filter((i) => i.name === "bot-a");
    const byId = await plugin.invoke(tokens.FUNCTIONS.getInstance, { idInstance: a.idInstance });
    const byName = await plugin.invoke(tokens.FUNCTIONS.getInstance, { name: "bot-a" });
    expect(byId).toEqual(byName);
    expect(byId.outputs).toMatchObject({ idInstance: a.idInstance, name: "bot-a" });
    expect(byId.outputs).not.toHaveProperty("apiTokenInstance");
    const withToken = await plugin.invoke(tokens.FUNCTIONS.getInstance, { name: "bot-a", includeTokens: true });
    expect(revealAll(withToken.outputs)).toMatchObject({ idInstance: a.idInstance, name: "bot-a", apiTokenInstance: a.apiTokenInstance });
    expectDeclaredRow(withToken.outputs, schema.functions[tokens.FUNCTIONS.getInstance].outputs.properties);
    expect((await plugin.invoke(tokens.FUNCTIONS.getInstance, {})).failures).toEqual([
      { property: "", reason: "give exactly one of idInstance and name" },
    ]);
  });
});

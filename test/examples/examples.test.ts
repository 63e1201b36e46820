/**
 * The examples users copy: every example directory type-checks (importing `pulumi-greenapi` by
 * name), and each program, run under the SDK's mocks with the config its README asks for,
 * declares the resources it says it does — types, names, inputs, secrets and options.
 */
import { createHmac } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import ts from "typescript";
import { customerProgram, customerStack } from "../../examples/automation";
import { captureRegistrations, type Registration } from "../../harness";

const REPO_ROOT = resolve(__dirname, "..", "..");
const EXAMPLES = join(REPO_ROOT, "examples");
const INSTANCE_TYPE = "pulumi-nodejs:dynamic/greenapi:Instance";
const SECRET_OUTPUTS = ["apiTokenInstance", "qrUrl", "webhookUrlToken"];
const PROJECT = "greenapi-example";
const PARTNER_TOKEN = "gacExamplePartnerToken0123456789abcd";

const exampleDirs = readdirSync(EXAMPLES).filter((dir) => existsSync(join(EXAMPLES, dir, "index.ts")));

describe("every example type-checks", () => {
  it("finds the documented examples, each with a README", () => {
    expect(exampleDirs).toEqual(expect.arrayContaining(["adopt", "automation", "basic", "fleet", "products"]));
    for (const dir of exampleDirs) expect(existsSync(join(EXAMPLES, dir, "README.md"))).toBe(true);
  });

  it.each(exampleDirs)("examples/%s", (dir) => {
    expect(typeErrors(join(EXAMPLES, dir, "index.ts"))).toEqual([]);
  });

  it("and the check does catch a type error in an example", () => {
    expect(typeErrors(CONTROL.file)).toEqual([expect.stringMatching(/__control__.*"maybe"' is not assignable/)]);
  });
});

describe("what each example declares", () => {
  it("basic: a support bot with webhooks and a default instance", async () => {
    const { registrations } = await run("basic", {
      [`${PROJECT}:webhookUrl`]: "https://bot.example.com/green-api",
      [`${PROJECT}:webhookUrlToken`]: "basic-webhook-credential",
    });
    expect(registrations.map((r) => [r.type, r.name])).toEqual([
      [INSTANCE_TYPE, "sales"],
      [INSTANCE_TYPE, "support-bot"],
    ]);
    expectSecretOutputs(registrations);
    const [sales, support] = registrations;
    expect(support.inputs).toMatchObject({
      webhookUrl: "https://bot.example.com/green-api",
      webhookUrlToken: "basic-webhook-credential",
      delaySendMessagesMilliseconds: 1000,
      incomingWebhook: true,
      outgoingMessageWebhook: "yes",
      stateWebhook: true,
    });
    expect(support.secretInputs).toContain("webhookUrlToken");
    expect(sales.inputs.webhookUrl).toBeUndefined();
    expectNoCredentialInProvider(registrations, ["basic-webhook-credential"]);
  });

  it("fleet: one instance per configured tenant, each with its own webhook URL and token", async () => {
    const signingKey = "fleet-signing-key-5b0c1e";
    const tenants = ["acme", "globex", "initech"];
    const { registrations, exports } = await run("fleet", {
      [`${PROJECT}:tenants`]: JSON.stringify(tenants),
      [`${PROJECT}:webhookBaseUrl`]: "https://hooks.test/ga/",
      [`${PROJECT}:webhookSigningKey`]: signingKey,
    });
    expect(registrations.map((r) => [r.type, r.name])).toEqual(tenants.map((t) => [INSTANCE_TYPE, `tenant-${t}`]));
    expectSecretOutputs(registrations);
    const tokens = tenants.map((tenant) => createHmac("sha256", signingKey).update(tenant).digest("hex"));
    registrations.forEach((registration, i) => {
      expect(registration.inputs).toMatchObject({
        webhookUrl: `https://hooks.test/ga/${tenants[i]}`,
        webhookUrlToken: tokens[i],
        incomingWebhook: true,
      });
      expect(registration.secretInputs).toContain("webhookUrlToken");
    });
    expect(new Set(tokens).size).toBe(tenants.length);
    expectNoCredentialInProvider(registrations, [signingKey, ...tokens]);

    // tenant → idInstance, and tenant → QR URL as a secret.
    expect(Object.keys(await valueOf(exports.idInstances))).toEqual(tenants);
    expect(Object.keys(await valueOf(exports.qrUrls))).toEqual(tenants);
    expect(await pulumi.isSecret(exports.qrUrls as pulumi.Output<unknown>)).toBe(true);
  });

  it("adopt: takes over the configured instance, keeps it on destroy, creates nothing new", async () => {
    const { registrations, retainOnDelete } = await run("adopt", {
      [`${PROJECT}:adoptIdInstance`]: "1101728000",
      [`${PROJECT}:webhookUrlToken`]: "adopt-webhook-credential",
    });
    expect(registrations.map((r) => [r.type, r.name])).toEqual([[INSTANCE_TYPE, "adopted"]]);
    expectSecretOutputs(registrations);
    const [adopted] = registrations;
    expect(adopted.inputs).toMatchObject({
      adoptIdInstance: 1101728000,
      incomingWebhook: true,
      stateWebhook: true,
      keepOnlineStatus: false,
    });
    expect(adopted.inputs.name).toBeUndefined(); // an adopted instance keeps its own name
    expect(adopted.secretInputs).toContain("webhookUrlToken");
    expect(retainOnDelete).toEqual({ adopted: true });
    // The comment the README points to is there.
    expect(readFileSync(join(EXAMPLES, "adopt", "index.ts"), "utf8")).toMatch(/pulumi state delete/);
  });

  it("products: a Telegram and a MAX instance for one customer, each waiting until it is ready", async () => {
    const { registrations } = await run("products", { [`${PROJECT}:customerId`]: "customer-42" });
    expect(registrations.map((r) => [r.type, r.name])).toEqual([
      [INSTANCE_TYPE, "max"],
      [INSTANCE_TYPE, "telegram"],
    ]);
    expectSecretOutputs(registrations);
    const [max, telegram] = registrations;
    const common = { partnerUserUiid: "customer-42", countryInstance: "ru", waitForReady: true, incomingWebhook: true };
    expect(telegram.inputs).toMatchObject({ ...common, typeInstance: "telegram" });
    expect(max.inputs).toMatchObject({ ...common, typeInstance: "max" });
    expectNoCredentialInProvider(registrations, []);
  });
});

describe("examples/automation (an inline program; test/cli/automation.test.ts runs it through the CLI)", () => {
  const customer = { id: "acme", webhookUrl: "https://hooks.test/saas/acme", webhookUrlToken: "automation-webhook-credential" };

  it("declares the customer's instance with its webhook, the token secret; exports idInstance, stateInstance and a secret qrUrl", async () => {
    let exports: Record<string, unknown> = {};
    const registrations = await captureRegistrations(
      async () => {
        exports = (await customerProgram(customer)()) as Record<string, unknown>;
      },
      { project: PROJECT, config: { "greenapi:partnerToken": PARTNER_TOKEN }, secretKeys: ["greenapi:partnerToken"] },
    );
    expect(registrations.map((r) => [r.type, r.name])).toEqual([[INSTANCE_TYPE, "customer-acme"]]);
    expectSecretOutputs(registrations);
    expect(registrations[0].inputs).toMatchObject({
      webhookUrl: customer.webhookUrl,
      webhookUrlToken: customer.webhookUrlToken,
      incomingWebhook: true,
      outgoingMessageWebhook: true,
      stateWebhook: true,
    });
    expect(registrations[0].secretInputs).toContain("webhookUrlToken");
    expectNoCredentialInProvider(registrations, [customer.webhookUrlToken]);
    expect(Object.keys(exports).sort()).toEqual(["idInstance", "qrUrl", "stateInstance"]);
    expect(await pulumi.isSecret(exports.qrUrl as pulumi.Output<unknown>)).toBe(true);
  });

  it("refuses a customer id that cannot be a stack name, before running any pulumi command", async () => {
    await expect(customerStack({ ...customer, id: "Acme Inc" }, { partnerToken: PARTNER_TOKEN })).rejects.toThrow(
      'customer id "Acme Inc" must be lowercase letters, digits and dashes (at most 40)',
    );
  });
});

/** An example that exists only in the type check, with a type error in it: the check must report it. */
const CONTROL = {
  file: join(EXAMPLES, "__control__", "index.ts"),
  text: `import { GreenApiInstance } from "pulumi-greenapi";\nnew GreenApiInstance("x", { incomingWebhook: "maybe" });\n`,
};

/**
 * Type errors of one example, compiled with the repo's options (`pulumi-greenapi` mapped to the
 * sources). The examples and the control share one program, and so one type checker: a program for
 * each would check the package's and the SDK's types again (~1 s of CPU each). Each is a module, so
 * none sees another's declarations.
 */
function typeErrors(file: string): string[] {
  examplesProgram ??= createExamplesProgram();
  if (!examplesProgram.getRootFileNames().includes(file)) throw new Error(`${file} is not an example this test knows`);
  // The example's own files (and the options): the package sources they import are `npm run typecheck`'s.
  const own = examplesProgram.getSourceFiles().filter((source) => source.fileName.startsWith(dirname(file) + "/"));
  const messages = own.flatMap((source) =>
    ts
      .getPreEmitDiagnostics(examplesProgram!, source)
      .map(
        (d) => `${d.file ? `${d.file.fileName.replace(REPO_ROOT + "/", "")}: ` : ""}${ts.flattenDiagnosticMessageText(d.messageText, " ")}`,
      ),
  );
  return [...new Set(messages)];
}
let examplesProgram: ts.Program | undefined;

function createExamplesProgram(): ts.Program {
  const { config } = ts.readConfigFile(join(REPO_ROOT, "tsconfig.json"), ts.sys.readFile);
  const options = { ...ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT).options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists } = host;
  host.fileExists = (name) => name === CONTROL.file || fileExists.call(host, name);
  host.getSourceFile = (name, ...rest) =>
    name === CONTROL.file ? ts.createSourceFile(name, CONTROL.text, ts.ScriptTarget.ES2022) : getSourceFile.call(host, name, ...rest);
  const rootNames = [...exampleDirs.map((dir) => join(EXAMPLES, dir, "index.ts")), CONTROL.file];
  return ts.createProgram({ rootNames, options, host });
}

interface Run {
  registrations: Registration[];
  exports: Record<string, unknown>;
  retainOnDelete: Record<string, boolean | undefined>;
}

/** Runs examples/<name>/index.ts as Pulumi would, under the SDK's mocks, with the partner token configured. */
async function run(example: string, config: Record<string, string>): Promise<Run> {
  let exports: Record<string, unknown> = {};
  const retainOnDelete: Record<string, boolean | undefined> = {};
  const registrations = await captureRegistrations(
    () => {
      recordRetainOnDelete(retainOnDelete);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program runs when loaded, inside the capture
      exports = require(join(EXAMPLES, example, "index.ts"));
    },
    {
      project: PROJECT,
      config: { "greenapi:partnerToken": PARTNER_TOKEN, ...config },
      secretKeys: ["greenapi:partnerToken", ...Object.keys(config).filter((key) => /Token|Key$/.test(key))],
    },
  );
  // Registration order follows when each resource's inputs resolve; compare by name.
  registrations.sort((a, b) => a.name.localeCompare(b.name));
  return { registrations, exports, retainOnDelete };
}

// Internal SDK hook (absent from the typings): the monitor the mocks installed.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an SDK internal without type declarations
const sdkSettings = require("@pulumi/pulumi/runtime/settings") as {
  getMonitor(): { registerResource(req: unknown, callback: unknown): unknown };
};

/** Resource options other than additionalSecretOutputs are not in a Registration; read retainOnDelete off the request. */
function recordRetainOnDelete(sink: Record<string, boolean | undefined>): void {
  const monitor = sdkSettings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (
    req: { getName(): string; getCustom(): boolean; getRetainondelete(): boolean | undefined },
    callback: unknown,
  ) => {
    if (req.getCustom()) sink[req.getName()] = req.getRetainondelete() || undefined;
    return register(req, callback);
  };
}

function expectSecretOutputs(registrations: Registration[]): void {
  for (const registration of registrations) {
    expect(registration.additionalSecretOutputs).toEqual(expect.arrayContaining(SECRET_OUTPUTS));
  }
}

/** `__provider` is stored in the state file in clear text. */
function expectNoCredentialInProvider(registrations: Registration[], credentials: string[]): void {
  for (const registration of registrations) {
    const provider = String(registration.inputs.__provider);
    expect(provider).toContain('require("pulumi-greenapi/lifecycle")');
    for (const credential of [PARTNER_TOKEN, ...credentials]) expect(provider).not.toContain(credential);
  }
}

function valueOf(output: unknown): Promise<Record<string, unknown>> {
  return new Promise((done) => (output as pulumi.Output<Record<string, unknown>>).apply((value) => done(value)));
}

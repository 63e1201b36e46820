/**
 * The `greenapi` provider plugin through the real `pulumi` CLI, from a Pulumi YAML program
 * (`runtime: yaml`): two instances, one through the default provider (stack config `greenapi:*`,
 * emulator A) and one through an explicit `pulumi:providers:greenapi` resource pointing at a second
 * account (emulator B). up, preview and refresh with no changes, an in-place settings update,
 * destroy; after each step each emulator holds exactly what the program declares for it, and no
 * credential reaches the CLI's output, the state export or the backend's files.
 *
 * The plugin is found as a user finds it: Pulumi.yaml's `plugins.providers` names the package's
 * provider/plugin/bin directory (node_modules/pulumi-greenapi/provider/plugin/bin in a user's
 * project). Runs where a `pulumi` CLI and its YAML language host are on PATH (`npm run pulumi-cli`
 * builds both); with GREENAPI_REQUIRE_PULUMI_CLI set, a missing CLI or YAML host fails the suite.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GreenApiEmulator, type RecordedRequest } from "../../emulator";
import { REPO_ROOT } from "../../harness/repo";
import { CliError, PulumiCliProject } from "../../harness/cli";
import { alive, CLI_TIMEOUT_MS, expectNoCredentialInOutputs, expectStateHoldsCredentialsEncrypted, SECRET_SIG } from "./cli-helpers";
import { cliWithYamlHost, PLUGIN_DIR } from "./plugin-helpers";

const PROJECT = "greenapi-yaml";
const STACK = "dev";
const INSTANCE_TYPE = "greenapi:index:Instance";
const urn = (name: string) => `urn:pulumi:${STACK}::${PROJECT}::${INSTANCE_TYPE}::${name}`;
const WEBHOOK_TOKEN = "yaml-test-webhook-credential-91b2";
const FIRST_WEBHOOK_URL = "https://example.com/green-api/webhook";
const SECOND_WEBHOOK_URL = "https://bot.example.com/green-api";
const TIMEOUT_MS = 300_000;
const SCHEMA = JSON.parse(readFileSync(join(REPO_ROOT, "provider", "plugin", "schema.json"), "utf8"));
const DECLARED = SCHEMA.resources[INSTANCE_TYPE] as { inputProperties: object; properties: object };

/** The program. Config: the second account's URL and (secret) token, the webhook URL and (secret) token. */
const PROGRAM = `name: ${PROJECT}
runtime: yaml
plugins:
  providers:
    - name: greenapi
      path: ${PLUGIN_DIR}
config:
  webhookUrl:
    type: string
    default: ${FIRST_WEBHOOK_URL}
  webhookUrlToken:
    type: string
  secondUrl:
    type: string
  secondPartnerToken:
    type: string
resources:
  second:
    type: pulumi:providers:greenapi
    properties:
      partnerApiUrl: \${secondUrl}
      apiUrl: \${secondUrl}
      partnerToken: \${secondPartnerToken}
      requestTimeoutSeconds: 5
  support:
    type: ${INSTANCE_TYPE}
    properties:
      webhookUrl: \${webhookUrl}
      webhookUrlToken: \${webhookUrlToken}
      delaySendMessagesMilliseconds: 1000
      incomingWebhook: true
      outgoingMessageWebhook: true
  telegram:
    type: ${INSTANCE_TYPE}
    properties:
      typeInstance: telegram
      stateWebhook: true
    options:
      provider: \${second}
outputs:
  supportIdInstance: \${support.idInstance}
  supportApiToken: \${support.apiTokenInstance}
  supportQrUrl: \${support.qrUrl}
  telegramIdInstance: \${telegram.idInstance}
  telegramApiToken: \${telegram.apiTokenInstance}
`;

const cli = cliWithYamlHost("test/cli/plugin-yaml.test.ts");
const suite = cli ? describe : describe.skip;

suite(
  cli
    ? `the greenapi plugin from a YAML program through the pulumi CLI (${cli})`
    : "the greenapi plugin from YAML — skipped: no CLI or YAML host",
  () => {
    let first: GreenApiEmulator;
    let second: GreenApiEmulator;
    let project: PulumiCliProject;

    beforeAll(async () => {
      [first, second] = await Promise.all([GreenApiEmulator.start(), GreenApiEmulator.start()]);
      project = await PulumiCliProject.create({
        cli: cli!,
        preload: true,
        program: "",
        yaml: PROGRAM,
        project: PROJECT,
        stack: STACK,
        config: {
          "greenapi:partnerToken": first.partnerToken,
          "greenapi:partnerApiUrl": first.url,
          "greenapi:apiUrl": first.url,
          "greenapi:requestTimeoutSeconds": "5",
          webhookUrlToken: WEBHOOK_TOKEN,
          secondUrl: second.url,
          secondPartnerToken: second.partnerToken,
        },
        secretKeys: ["greenapi:partnerToken", "webhookUrlToken", "secondPartnerToken"],
      });
    }, CLI_TIMEOUT_MS);

    afterAll(async () => {
      project?.close();
      await Promise.all([first?.close(), second?.close()]);
    });

    const WRITES: ReadonlyArray<RecordedRequest["method"]> = ["createInstance", "setSettings", "deleteInstanceAccount", "logout", "reboot"];
    const writes = (emulator: GreenApiEmulator) => emulator.requests.filter((r) => WRITES.includes(r.method));
    const resetCounts = () => [first, second].forEach((emulator) => emulator.resetCounts());

    /** Both accounts' credentials (deleted instances' too) and the webhook token. */
    const credentials = () => [WEBHOOK_TOKEN, ...first.credentials(), ...second.credentials()];

    it(
      "up creates one instance in each account, each through its own provider, tokens secret; preview and refresh then find no changes",
      async () => {
        await project.up();
        expect(alive(first)).toHaveLength(1);
        expect(alive(second)).toHaveLength(1);
        const [support] = alive(first);
        const [telegram] = alive(second);
        expect(support.settings).toMatchObject({
          webhookUrl: FIRST_WEBHOOK_URL,
          webhookUrlToken: WEBHOOK_TOKEN,
          delaySendMessagesMilliseconds: 1000,
          incomingWebhook: "yes",
          outgoingMessageWebhook: "yes",
        });
        expect(support.name).toMatch(/^support-[a-z0-9]{7}$/);
        expect(telegram).toMatchObject({ typeInstance: "telegram", settings: expect.objectContaining({ stateWebhook: "yes" }) });
        expect(telegram.name).toMatch(/^telegram-[a-z0-9]{7}$/);

        const outputs = await project.outputs(true);
        expect(outputs).toMatchObject({
          supportIdInstance: support.idInstance,
          supportApiToken: support.apiTokenInstance,
          telegramIdInstance: telegram.idInstance,
          telegramApiToken: telegram.apiTokenInstance,
        });
        // The program marks nothing secret: the provider does.
        expect(await project.outputs()).toMatchObject({
          supportApiToken: "[secret]",
          supportQrUrl: "[secret]",
          telegramApiToken: "[secret]",
        });

        const state = await expectStateHoldsCredentialsEncrypted(project, credentials());
        const resources = state.deployment.resources ?? [];
        const instances = resources.filter((r) => r.type === INSTANCE_TYPE);
        expect(instances.map((r) => [r.urn, r.id])).toEqual(
          expect.arrayContaining([
            [urn("support"), String(support.idInstance)],
            [urn("telegram"), String(telegram.idInstance)],
          ]),
        );
        for (const resource of instances) {
          expect(resource.outputs?.apiTokenInstance).toEqual(
            expect.objectContaining({ [SECRET_SIG]: expect.any(String), ciphertext: expect.any(String) }),
          );
          // Only what schema.json declares: no front door's own keys (__autoName, __provider).
          const undeclared = (values: object | undefined, declared: object) =>
            Object.keys(values ?? {}).filter((key) => !(key in declared));
          expect({ urn: resource.urn, inputs: undeclared(resource.inputs, DECLARED.inputProperties) }).toEqual({
            urn: resource.urn,
            inputs: [],
          });
          expect({ urn: resource.urn, outputs: undeclared(resource.outputs, DECLARED.properties) }).toEqual({
            urn: resource.urn,
            outputs: [],
          });
        }
        const explicit = resources.find((r) => r.type === "pulumi:providers:greenapi" && r.urn.endsWith("::second"))!;
        expect(explicit.inputs?.partnerToken).toEqual(expect.objectContaining({ ciphertext: expect.any(String) }));

        resetCounts();
        await project.preview({ expectNoChanges: true });
        expect([first.requests, second.requests]).toEqual([[], []]);

        const refresh = await project.refresh({ expectNoChanges: true });
        expect(refresh.output).not.toMatch(/updated|deleted|created/);
        // Each account is read by its own provider: one list, then the instance's state and settings.
        for (const emulator of [first, second]) {
          expect(emulator.counts()).toMatchObject({ getInstances: 1, getStateInstance: 1, getSettings: 1 });
          expect(writes(emulator)).toEqual([]);
        }
      },
      TIMEOUT_MS,
    );

    it(
      "a changed setting is an in-place update with one setSettings of that setting alone, in its own account only",
      async () => {
        await project.setConfig(`${PROJECT}:webhookUrl`, SECOND_WEBHOOK_URL);
        const supportId = alive(first)[0].idInstance;

        resetCounts();
        const up = await project.up();
        expect(up.output).toMatch(/~ 1 updated\s+3 unchanged/);
        expect(up.output).toMatch(/support updated .*\[diff: ~webhookUrl\]/);
        expect(writes(first).map((r) => [r.method, r.idInstance, r.body])).toEqual([
          ["setSettings", supportId, { webhookUrl: SECOND_WEBHOOK_URL }],
        ]);
        expect(writes(second)).toEqual([]);
        expect(first.get(supportId)!.settings.webhookUrl).toBe(SECOND_WEBHOOK_URL);
        expect(alive(first).map((i) => i.idInstance)).toEqual([supportId]);

        await project.preview({ expectNoChanges: true });
        await project.refresh({ expectNoChanges: true });
      },
      TIMEOUT_MS,
    );

    it(
      "a rejected partner token on the explicit provider names that provider's partnerToken, not the stack config",
      async () => {
        await project.setConfig("secondPartnerToken", "gacRevokedTokenOfTheSecondAccount", { secret: true });
        // --run-program: the refresh reads with the provider as the program now configures it.
        const failure = await project
          .run(["refresh", "--yes", "--skip-preview", "--run-program", "--stack", STACK])
          .catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(CliError);
        const output = (failure as CliError).output;
        expect(output).toContain(
          "the partner token was rejected. Set `partnerToken` of provider `second` to the token from the partner console.",
        );
        expect(output).not.toContain("gacRevokedTokenOfTheSecondAccount");
        // The failed refresh recorded the provider with the program's (wrong) token: an up puts the right one back.
        await project.setConfig("secondPartnerToken", second.partnerToken, { secret: true });
        await project.up();
        await project.refresh({ expectNoChanges: true });
      },
      TIMEOUT_MS,
    );

    it(
      "destroy deletes both instances, each in its own account",
      async () => {
        const ids = [alive(first)[0].idInstance, alive(second)[0].idInstance];
        resetCounts();
        await project.destroy();
        expect([alive(first), alive(second)]).toEqual([[], []]);
        expect(first.requests.filter((r) => r.method === "deleteInstanceAccount").map((r) => r.idInstance)).toEqual([ids[0]]);
        expect(second.requests.filter((r) => r.method === "deleteInstanceAccount").map((r) => r.idInstance)).toEqual([ids[1]]);
      },
      TIMEOUT_MS,
    );

    it(
      "no credential of either account appeared in any command's output or in any state the backend kept",
      async () => {
        expect(project.transcript.length).toBeGreaterThan(8);
        expectNoCredentialInOutputs(project, credentials());
        await expectStateHoldsCredentialsEncrypted(project, credentials());
        // Both partner tokens, the webhook token and both instance tokens were looked for.
        expect(credentials().length).toBeGreaterThanOrEqual(5);
      },
      TIMEOUT_MS,
    );
  },
);

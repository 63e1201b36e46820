/**
 * A Python program on the pulumi_greenapi SDK generated from provider/plugin/schema.json, through the
 * real `pulumi` CLI and its Python language host, against two emulators (two partner accounts): an
 * instance with settings through the default provider (stack config `greenapi:*`), one through an
 * explicit provider for the second account, and getInstances invokes (the output form through the
 * explicit provider, the plain one through the default). up, refresh with no changes, an in-place
 * settings update, destroy; no credential reaches the CLI's output or the backend's files.
 *
 * The program runs as a Python user runs one: in a virtual environment (`npm run python-env`: `pulumi`
 * from PyPI at tools/pulumi-python/requirements.txt, the SDK installed with pip), activated — bin/
 * first on PATH, as the old host (sdk/v3 v3.68.0) runs the first `python3` there. The plugin is found
 * through Pulumi.yaml's `plugins.providers`. With GREENAPI_REQUIRE_PULUMI_CLI set, a missing CLI,
 * Python host or generator fails the suite, and so does a missing Python.
 */
import { writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { GreenApiEmulator, type RecordedRequest } from "../../emulator";
import { PulumiCliProject } from "../../harness/cli";
import { pythonEnv } from "../../scripts/python-env";
import { alive, CLI_TIMEOUT_MS, expectNoCredentialInOutputs, expectStateHoldsCredentialsEncrypted } from "./cli-helpers";
import { cliWithTools, PLUGIN_DIR, toolBeside } from "./plugin-helpers";

const PROJECT = "greenapi-python";
const WEBHOOK_TOKEN = "python-test-webhook-credential-5c1e";
const FIRST_WEBHOOK_URL = "https://example.com/green-api/webhook";
const SECOND_WEBHOOK_URL = "https://bot.example.com/green-api";

/** Config: the second account's URL and (secret) token, the webhook URL and (secret) token. */
const PROGRAM = `import pulumi
import pulumi_greenapi as greenapi

config = pulumi.Config()

second = greenapi.Provider(
    "second",
    partner_api_url=config.require("secondUrl"),
    api_url=config.require("secondUrl"),
    partner_token=config.require_secret("secondPartnerToken"),
    request_timeout_seconds=5,
)

support = greenapi.Instance(
    "support",
    webhook_url=config.get("webhookUrl") or "${FIRST_WEBHOOK_URL}",
    webhook_url_token=config.require_secret("webhookUrlToken"),
    delay_send_messages_milliseconds=1000,
    incoming_webhook=True,
    outgoing_message_webhook=True,
)

telegram = greenapi.Instance(
    "telegram",
    type_instance="telegram",
    state_webhook=True,
    opts=pulumi.ResourceOptions(provider=second),
)

pulumi.export("supportIdInstance", support.id_instance)
pulumi.export("supportApiToken", support.api_token_instance)
pulumi.export("supportQrUrl", support.qr_url)
pulumi.export("telegramIdInstance", telegram.id_instance)

# The output form, filtered by the instance's name, runs once it exists, in the second account.
listed = greenapi.get_instances_output(name=telegram.name, opts=pulumi.InvokeOutputOptions(provider=second))
pulumi.export("telegramListedIds", listed.instances.apply(lambda rows: [row.id_instance for row in rows]))

# The plain invoke runs at once, in the default provider's account: what it held before this run's
# changes. Its rows carry no tokens (none asked for), so nothing in them is secret.
before = greenapi.get_instances()
pulumi.export("instancesBefore", [row.id_instance for row in before.instances])
`;

const cli = cliWithTools("test/cli/plugin-python.test.ts", ["pulumi-language-python", "pulumi-language-python-exec", "pulumi-gen-sdk"]);
const suite = cli ? describe : describe.skip;

suite(
  cli
    ? `a Python program on the generated Python SDK through the pulumi CLI (${cli})`
    : "the Python SDK — skipped: no CLI, Python host or generator",
  () => {
    let first: GreenApiEmulator;
    let second: GreenApiEmulator;
    let project: PulumiCliProject;

    beforeAll(async () => {
      [first, second] = await Promise.all([GreenApiEmulator.start(), GreenApiEmulator.start()]);
      const venv = await pythonEnv({ generatorDir: dirname(toolBeside(cli!, "pulumi-gen-sdk")!) });
      project = await PulumiCliProject.create({
        cli: cli!,
        preload: true,
        program: "",
        yaml: `name: ${PROJECT}\nruntime: python\nplugins:\n  providers:\n    - name: greenapi\n      path: ${PLUGIN_DIR}\n`,
        project: PROJECT,
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
        // What `source venv/bin/activate` sets.
        env: { VIRTUAL_ENV: venv, PATH: `${join(venv, "bin")}${delimiter}${process.env.PATH ?? ""}` },
      });
      writeFileSync(join(project.programDir, "__main__.py"), PROGRAM);
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
      "up creates one instance in each account, each through its own provider, and the invokes list them; refresh then finds no changes",
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

        // The program marks nothing secret: the provider does.
        expect(await project.outputs()).toEqual({
          supportIdInstance: support.idInstance,
          supportApiToken: "[secret]",
          supportQrUrl: "[secret]",
          telegramIdInstance: telegram.idInstance,
          telegramListedIds: [telegram.idInstance],
          instancesBefore: [],
        });
        expect((await project.outputs(true)).supportApiToken).toBe(support.apiTokenInstance);

        const state = await expectStateHoldsCredentialsEncrypted(project, credentials());
        const explicit = state.deployment.resources?.find((r) => r.type === "pulumi:providers:greenapi" && r.urn.endsWith("::second"));
        expect(explicit?.inputs?.partnerToken).toEqual(expect.objectContaining({ ciphertext: expect.any(String) }));

        resetCounts();
        await project.refresh({ expectNoChanges: true });
        // Each account is read by its own provider: one list, then the instance's state and settings.
        for (const emulator of [first, second]) {
          expect(emulator.counts()).toMatchObject({ getInstances: 1, getStateInstance: 1, getSettings: 1 });
          expect(writes(emulator)).toEqual([]);
        }
      },
      CLI_TIMEOUT_MS,
    );

    it(
      "a setting changed in config is an in-place update: one setSettings of that setting alone, in its own account only",
      async () => {
        await project.setConfig(`${PROJECT}:webhookUrl`, SECOND_WEBHOOK_URL);
        const supportId = alive(first)[0].idInstance;

        resetCounts();
        const up = await project.up();
        expect(up.output).toMatch(/support updated .*\[diff: ~webhookUrl\]/);
        expect(up.output).toMatch(/~ 1 updated\s+3 unchanged/);
        expect(writes(first).map((r) => [r.method, r.idInstance, r.body])).toEqual([
          ["setSettings", supportId, { webhookUrl: SECOND_WEBHOOK_URL }],
        ]);
        expect(writes(second)).toEqual([]);
        expect(first.get(supportId)!.settings.webhookUrl).toBe(SECOND_WEBHOOK_URL);
        expect(alive(first).map((i) => i.idInstance)).toEqual([supportId]);
        // This time the plain invoke found the instance of the first run.
        expect((await project.outputs()).instancesBefore).toEqual([supportId]);
      },
      CLI_TIMEOUT_MS,
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
      CLI_TIMEOUT_MS,
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
      CLI_TIMEOUT_MS,
    );
  },
);

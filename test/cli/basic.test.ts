/**
 * examples/basic through the real `pulumi` CLI — `up`, `refresh`, `destroy` — against the emulator,
 * with a local file backend and a passphrase secrets provider, checking that no credential is ever
 * stored in clear text by the backend (state, backups, history) or printed by the CLI.
 *
 * Runs where a `pulumi` CLI is on PATH (`npm run pulumi-cli` builds one from Go modules; CI puts it
 * there and sets GREENAPI_REQUIRE_PULUMI_CLI, so a missing CLI fails instead of skipping).
 */
import { join, resolve } from "node:path";
import { GreenApiEmulator } from "../../emulator";
import { pulumiCliForTests, PulumiCliProject, type StackExport } from "../../harness/pulumi-cli";

const REPO_ROOT = resolve(__dirname, "..", "..");
const INSTANCE_TYPE = "pulumi-nodejs:dynamic/greenapi:Instance";
const PROJECT = "greenapi-basic";
const WEBHOOK_TOKEN = "cli-test-webhook-credential-7f3a";
// The SDK's marker for a secret value; in a stored checkpoint it sits beside the ciphertext.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

const cli = pulumiCliForTests("test/cli/basic.test.ts");
const suite = cli ? describe : describe.skip;

suite(cli ? `examples/basic through the pulumi CLI (${cli})` : "examples/basic through the pulumi CLI — skipped: no pulumi CLI on PATH", () => {
  let emulator: GreenApiEmulator;
  let project: PulumiCliProject;

  beforeAll(async () => {
    emulator = await GreenApiEmulator.start();
    project = await PulumiCliProject.create({
      cli: cli!,
      program: join(REPO_ROOT, "examples", "basic", "index.ts"),
      project: PROJECT,
      config: {
        "greenapi:partnerToken": emulator.partnerToken,
        "greenapi:partnerApiUrl": emulator.url,
        "greenapi:apiUrl": emulator.url,
        "greenapi:requestTimeoutSeconds": "5",
        [`${PROJECT}:webhookUrlToken`]: WEBHOOK_TOKEN,
      },
      secretKeys: ["greenapi:partnerToken", `${PROJECT}:webhookUrlToken`],
    });
  }, 120_000);

  afterAll(async () => {
    project?.close();
    await emulator?.close();
  });

  /** Every credential of the run: the partner token, the webhook token, every instance token. */
  function credentials(): string[] {
    return [emulator.partnerToken, WEBHOOK_TOKEN, ...emulator.list().map((i) => i.apiTokenInstance)];
  }

  function expectNoCredentialIn(where: string, text: string): void {
    const found = credentials().filter((secret) => text.includes(secret));
    expect({ where, found }).toEqual({ where, found: [] });
  }

  async function expectStateHoldsCredentialsEncrypted(): Promise<StackExport> {
    for (const file of project.backendFiles()) expectNoCredentialIn(file.path, file.text);
    const state = await project.exportState();
    expectNoCredentialIn("pulumi stack export", JSON.stringify(state));
    return state;
  }

  it(
    "creates, refreshes and destroys the two instances; tokens are stored only encrypted",
    async () => {
      const printed = [(await project.up()).output];
      const alive = emulator.list().filter((i) => !i.deleted);
      expect(alive).toHaveLength(2);

      const outputs = await project.outputs(true);
      const support = emulator.get(Number(outputs.supportIdInstance))!;
      const sales = emulator.get(Number(outputs.salesIdInstance))!;
      expect(outputs).toMatchObject({ supportApiToken: support.apiTokenInstance, salesApiToken: sales.apiTokenInstance });
      expect(support.settings).toMatchObject({ webhookUrlToken: WEBHOOK_TOKEN, incomingWebhook: "yes", outgoingMessageWebhook: "yes" });
      // Without --show-secrets the CLI shows the secret outputs as [secret].
      expect(await project.outputs()).toMatchObject({ supportApiToken: "[secret]", supportQrUrl: "[secret]", salesApiToken: "[secret]" });

      const state = await expectStateHoldsCredentialsEncrypted();
      const instances = (state.deployment.resources ?? []).filter((r) => r.type === INSTANCE_TYPE);
      expect(instances.map((r) => r.id).sort()).toEqual([String(sales.idInstance), String(support.idInstance)].sort());
      for (const resource of instances) {
        for (const key of ["apiTokenInstance", "qrUrl"]) {
          // Present, and stored as ciphertext.
          expect(resource.outputs?.[key]).toEqual(expect.objectContaining({ [SECRET_SIG]: expect.any(String), ciphertext: expect.any(String) }));
        }
      }

      printed.push((await project.refresh()).output);
      expect(emulator.list().filter((i) => !i.deleted)).toHaveLength(2);
      await expectStateHoldsCredentialsEncrypted();

      printed.push((await project.destroy()).output);
      expect(emulator.list().filter((i) => !i.deleted)).toEqual([]);
      const after = await expectStateHoldsCredentialsEncrypted();
      expect((after.deployment.resources ?? []).filter((r) => r.type === INSTANCE_TYPE)).toEqual([]);

      // Nothing up, refresh or destroy printed carries a credential either.
      expectNoCredentialIn("the CLI's output", printed.join("\n"));
    },
    300_000,
  );
});

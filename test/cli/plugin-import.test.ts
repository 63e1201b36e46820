/**
 * `pulumi import greenapi:index:Instance <name> <idInstance>` through the real CLI and the greenapi
 * plugin: an instance made in the console is read by its id alone, nothing is written to Green API,
 * its live settings become the resource's inputs (its tokens secret), and a YAML program declaring
 * the same settings then previews and refreshes with no changes; destroy deletes it. The same program
 * looks instances up with the getInstances and getInstance invokes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GreenApiEmulator, type EmulatedInstance } from "../../emulator";
import { PulumiCliProject } from "../../harness/cli";
import { CLI_TIMEOUT_MS, credentials, expectNoCredentialInOutputs, expectStateHoldsCredentialsEncrypted } from "./cli-helpers";
import { cliWithYamlHost, PLUGIN_DIR } from "./plugin-helpers";

const PROJECT = "greenapi-import";
const STACK = "dev";
const INSTANCE_TYPE = "greenapi:index:Instance";
const WEBHOOK_TOKEN = "import-test-webhook-credential-4e7a";
const TIMEOUT_MS = 300_000;

const project_yaml = (resources: string) => `name: ${PROJECT}
runtime: yaml
plugins:
  providers:
    - name: greenapi
      path: ${PLUGIN_DIR}
${resources}`;

/** The console's settings, as a program that takes the instance over declares them. */
const DECLARED = `resources:
  legacy:
    type: ${INSTANCE_TYPE}
    properties:
      webhookUrl: https://old.example.com/hook
      incomingWebhook: false
      keepOnlineStatus: true
      delaySendMessagesMilliseconds: 3000
variables:
  alive:
    fn::invoke:
      function: greenapi:index:getInstances
      arguments:
        includeDeleted: false
      return: instances
  byName:
    fn::invoke:
      function: greenapi:index:getInstance
      arguments:
        name: legacy-console
  withToken:
    fn::invoke:
      function: greenapi:index:getInstance
      arguments:
        name: legacy-console
        includeTokens: true
outputs:
  aliveName: \${alive[0].name}
  byNameId: \${byName.idInstance}
  token: \${withToken.apiTokenInstance}
`;

const cli = cliWithYamlHost("test/cli/plugin-import.test.ts");
const suite = cli ? describe : describe.skip;

suite(cli ? `pulumi import of a greenapi instance (${cli})` : "pulumi import of a greenapi instance — skipped: no CLI or YAML host", () => {
  let emulator: GreenApiEmulator;
  let project: PulumiCliProject;
  let legacy: EmulatedInstance;

  beforeAll(async () => {
    emulator = await GreenApiEmulator.start();
    [legacy] = emulator.seed([
      {
        name: "legacy-console",
        stateInstance: "authorized",
        settings: {
          webhookUrl: "https://old.example.com/hook",
          webhookUrlToken: WEBHOOK_TOKEN,
          incomingWebhook: "no",
          keepOnlineStatus: "yes",
          delaySendMessagesMilliseconds: 3000,
        },
      },
    ]);
    project = await PulumiCliProject.create({
      cli: cli!,
      preload: true,
      program: "",
      yaml: project_yaml("resources: {}\n"),
      project: PROJECT,
      stack: STACK,
      config: {
        "greenapi:partnerToken": emulator.partnerToken,
        "greenapi:partnerApiUrl": emulator.url,
        "greenapi:apiUrl": emulator.url,
        "greenapi:requestTimeoutSeconds": "5",
      },
      secretKeys: ["greenapi:partnerToken"],
    });
  }, CLI_TIMEOUT_MS);

  afterAll(async () => {
    project?.close();
    await emulator?.close();
  });

  const writes = () =>
    emulator.requests.filter((r) => ["createInstance", "setSettings", "deleteInstanceAccount", "logout"].includes(r.method));

  const secrets = () => credentials(emulator, [WEBHOOK_TOKEN]);

  it(
    "imports by id alone without writing to Green API; the live settings become its inputs, the tokens secret",
    async () => {
      await project.run([
        "import",
        INSTANCE_TYPE,
        "legacy",
        String(legacy.idInstance),
        "--yes",
        "--generate-code=false",
        "--protect=false",
        "--stack",
        STACK,
      ]);
      expect(writes()).toEqual([]);

      const state = await expectStateHoldsCredentialsEncrypted(project, secrets());
      const resource = (state.deployment.resources ?? []).find((r) => r.type === INSTANCE_TYPE)!;
      expect(resource.id).toBe(String(legacy.idInstance));
      expect(resource.inputs).toMatchObject({
        name: "legacy-console",
        webhookUrl: "https://old.example.com/hook",
        incomingWebhook: false,
        keepOnlineStatus: true,
        delaySendMessagesMilliseconds: 3000,
      });
      // A credential is not imported: pulumi import would write it into the program it generates.
      expect(resource.inputs).not.toHaveProperty("webhookUrlToken");
      expect(resource.outputs).not.toHaveProperty("webhookUrlToken");
      expect(resource.outputs?.apiTokenInstance).toEqual(expect.objectContaining({ ciphertext: expect.any(String) }));
    },
    TIMEOUT_MS,
  );

  it(
    "a program declaring the same settings previews and refreshes with no changes, and an up changes nothing",
    async () => {
      writeFileSync(join(project.programDir, "Pulumi.yaml"), project_yaml(DECLARED));
      emulator.resetCounts();
      await project.preview({ expectNoChanges: true });
      await project.up({ expectNoChanges: true });
      await project.refresh({ expectNoChanges: true });
      expect(writes()).toEqual([]);

      // The lookups, from the same program: the list and the one instance. Rows hold no token unless
      // asked for, so names show as themselves; the lookup that asks for the token is secret.
      expect(await project.outputs()).toEqual({ aliveName: "legacy-console", byNameId: legacy.idInstance, token: "[secret]" });
      expect(await project.outputs(true)).toEqual({
        aliveName: "legacy-console",
        byNameId: legacy.idInstance,
        token: legacy.apiTokenInstance,
      });
    },
    TIMEOUT_MS,
  );

  it(
    "destroy deletes the imported instance (logging its phone out first); nothing leaked on the way",
    async () => {
      const destroy = await project.destroy();
      expect(emulator.get(legacy.idInstance)!.deleted).toBe(true);
      expect(writes().map((r) => r.method)).toEqual(["logout", "deleteInstanceAccount"]);
      // The plugin's note reaches the engine's log under the resource, not as a line on the stack's row.
      expect(destroy.output).toMatch(
        new RegExp(
          `greenapi:index:Instance \\(legacy\\):\\s+logged the linked phone out of instance ${legacy.idInstance} before deleting it\\.`,
        ),
      );
      expectNoCredentialInOutputs(project, secrets());
    },
    TIMEOUT_MS,
  );
});

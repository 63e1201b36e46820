/**
 * Taking over an instance that already exists, through the real `pulumi` CLI against the emulator.
 *
 * examples/adopt (`adoptIdInstance`) works: up creates nothing and applies the declared settings,
 * refresh finds nothing changed, destroy leaves the instance running (retainOnDelete).
 *
 * `pulumi import` and the `import` resource option do not work for this resource type — for any
 * Pulumi dynamic resource: the engine asks the provider to read the resource without its inputs,
 * and a dynamic provider's code travels only in its inputs (`__provider`), so the dynamic-provider
 * plugin has no code to run (pulumi/pulumi#3550, #16175). The README promises this limit and points
 * to adoptIdInstance; the second test pins it (what the CLI answers, and that nothing reaches Green
 * API or the stack), so a Pulumi release that lifts it shows up here.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { GreenApiEmulator, type EmulatedInstance } from "../../emulator";
import { pulumiCliForTests, PulumiCliProject } from "../../harness/cli";
import { CLI_TIMEOUT_MS, credentials, expectNoCredentialInBackend, expectNoCredentialInOutputs, INSTANCE_TYPE } from "./cli-helpers";

const REPO_ROOT = resolve(__dirname, "..", "..");
const WEBHOOK_TOKEN = "adopt-cli-webhook-credential-52e8";
/** What the dynamic-provider plugin says when it is asked to read a resource it has no code for. */
const NO_PROVIDER_CODE = "code must be a string, not undefined";

const cli = pulumiCliForTests("test/cli/adopt.test.ts");
const suite = cli ? describe : describe.skip;

suite(
  cli
    ? `taking over an existing instance through the pulumi CLI (${cli})`
    : "taking over an existing instance — skipped: no pulumi CLI on PATH",
  () => {
    let emulator: GreenApiEmulator;
    let legacy: EmulatedInstance;
    let bystander: EmulatedInstance;

    beforeAll(async () => {
      emulator = await GreenApiEmulator.start();
      // Made in the console: a linked phone, its own webhook settings. And one that is none of our business.
      [legacy, bystander] = emulator.seed([
        {
          name: "legacy-console",
          stateInstance: "authorized",
          settings: {
            webhookUrl: "https://old.example.com/hook",
            incomingWebhook: "no",
            stateWebhook: "no",
            keepOnlineStatus: "yes",
            delaySendMessagesMilliseconds: 3000,
          },
        },
        { name: "someone-else", stateInstance: "authorized" },
      ]);
    });

    afterAll(async () => {
      await emulator?.close();
    });

    function greenApiConfig(): Record<string, string> {
      return { "greenapi:partnerToken": emulator.partnerToken, "greenapi:partnerApiUrl": emulator.url, "greenapi:apiUrl": emulator.url };
    }

    describe("examples/adopt", () => {
      const PROJECT = "greenapi-adopt";
      let project: PulumiCliProject;

      beforeAll(async () => {
        project = await PulumiCliProject.create({
          cli: cli!,
          preload: true,
          program: join(REPO_ROOT, "examples", "adopt", "index.ts"),
          project: PROJECT,
          config: {
            ...greenApiConfig(),
            [`${PROJECT}:adoptIdInstance`]: String(legacy.idInstance),
            [`${PROJECT}:webhookUrl`]: "https://hooks.test/adopted",
            [`${PROJECT}:webhookUrlToken`]: WEBHOOK_TOKEN,
          },
          secretKeys: ["greenapi:partnerToken", `${PROJECT}:webhookUrlToken`],
        });
      }, CLI_TIMEOUT_MS);

      afterAll(() => project?.close());

      it(
        "up takes the instance over with one setSettings, refresh finds nothing changed, destroy leaves it running",
        async () => {
          emulator.resetCounts();
          await project.up();
          expect(emulator.counts()).toMatchObject({ createInstance: 0, setSettings: 1, deleteInstanceAccount: 0, logout: 0 });
          expect(emulator.get(legacy.idInstance)).toMatchObject({
            deleted: false,
            name: "legacy-console",
            apiTokenInstance: legacy.apiTokenInstance,
            stateInstance: "authorized",
            settings: {
              webhookUrl: "https://hooks.test/adopted",
              webhookUrlToken: WEBHOOK_TOKEN,
              incomingWebhook: "yes",
              stateWebhook: "yes",
              keepOnlineStatus: "no",
              // Not declared: left as the console set it.
              delaySendMessagesMilliseconds: 3000,
            },
          });
          expect(await project.outputs()).toEqual({
            idInstance: legacy.idInstance,
            name: "legacy-console",
            stateInstance: "authorized",
            qrUrl: "[secret]",
          });

          emulator.resetCounts();
          await project.refresh({ expectNoChanges: true });
          expect(emulator.counts()).toMatchObject({ getInstances: 1, setSettings: 0 });

          emulator.resetCounts();
          await project.destroy();
          // retainOnDelete: Pulumi forgets the instance; Green API is not asked to log out or delete.
          expect(emulator.counts()).toMatchObject({ logout: 0, deleteInstanceAccount: 0 });
          expect(emulator.get(legacy.idInstance)).toMatchObject({
            deleted: false,
            stateInstance: "authorized",
            settings: { webhookUrl: "https://hooks.test/adopted" },
          });
          expect(emulator.get(bystander.idInstance)).toEqual(bystander);
          const state = await project.exportState();
          expect((state.deployment.resources ?? []).filter((r) => r.type === INSTANCE_TYPE)).toEqual([]);

          const secrets = credentials(emulator, [WEBHOOK_TOKEN]);
          expectNoCredentialInOutputs(project, secrets);
          expectNoCredentialInBackend(project, secrets);
        },
        CLI_TIMEOUT_MS,
      );
    });

    describe("pulumi import and the import resource option (README, Limits: use adoptIdInstance)", () => {
      const PROJECT = "greenapi-import";
      let programs: string;
      let project: PulumiCliProject;

      beforeAll(async () => {
        programs = mkdtempSync(join(tmpdir(), "greenapi-import-programs-"));
        // `pulumi import` runs against a program that declares nothing (it prints the code to add).
        writeFileSync(join(programs, "nothing.ts"), "export {};\n");
        writeFileSync(
          join(programs, "import-option.ts"),
          [
            'import { GreenApiInstance } from "pulumi-greenapi";',
            `new GreenApiInstance("legacy", { incomingWebhook: true }, { import: "${legacy.idInstance}" });`,
            "",
          ].join("\n"),
        );
        project = await PulumiCliProject.create({
          cli: cli!,
          preload: true,
          program: join(programs, "nothing.ts"),
          project: PROJECT,
          config: greenApiConfig(),
          secretKeys: ["greenapi:partnerToken"],
        });
      }, CLI_TIMEOUT_MS);

      afterAll(() => {
        project?.close();
        if (programs) rmSync(programs, { recursive: true, force: true });
      });

      /** The command fails (exit code 1) and says why; its output. */
      async function failure(args: string[]): Promise<string> {
        const outcome = await project.attempt(args);
        expect({ command: outcome.command, exitCode: outcome.exitCode }).toEqual({ command: outcome.command, exitCode: 1 });
        return outcome.output;
      }

      it(
        "both fail with the dynamic-provider plugin's 'code must be a string, not undefined'; nothing reaches Green API or the stack",
        async () => {
          const before = emulator.get(legacy.idInstance);
          emulator.resetCounts();

          const cliImport = await failure([
            "import",
            "pulumi-nodejs:dynamic/greenapi:Instance",
            "legacy",
            String(legacy.idInstance),
            "--yes",
            "--stack",
            project.options.stack,
          ]);
          expect(cliImport).toContain(`error: Preview failed: ${NO_PROVIDER_CODE}`);
          expect(cliImport).toContain(`error: preview failed: step application failed: ${NO_PROVIDER_CODE}`);

          copyFileSync(join(programs, "import-option.ts"), join(project.programDir, "index.ts"));
          const importOption = await failure(["up", "--yes", "--skip-preview", "--stack", project.options.stack]);
          expect(importOption).toMatch(
            new RegExp(`pulumi-nodejs:dynamic/greenapi:Instance legacy \\*\\*importing failed\\*\\* error: ${NO_PROVIDER_CODE}`),
          );

          // The plugin failed before any provider code ran: no request, no resource in the stack.
          expect(Object.values(emulator.counts()).reduce((a, b) => a + b)).toBe(0);
          expect(emulator.get(legacy.idInstance)).toEqual(before);
          const state = await project.exportState();
          expect((state.deployment.resources ?? []).filter((r) => r.type === INSTANCE_TYPE)).toEqual([]);
        },
        CLI_TIMEOUT_MS,
      );
    });
  },
);

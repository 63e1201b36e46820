/**
 * examples/basic through the real `pulumi` CLI against the emulator, one stack's whole life, step by
 * step: up, then no changes for preview and refresh; a changed setting (an in-place update of that
 * property alone); a changed name (a replacement, created before the old one is deleted); a webhook
 * changed and an instance deleted in the console (refresh shows it, up puts it right); destroy.
 * Through all of it no credential is printed by the CLI or stored in clear text by the backend.
 *
 * The tests run in order on one stack, each starting where the last one left it. Local file backend,
 * passphrase secrets provider. Runs where a `pulumi` CLI is on PATH (`npm run pulumi-cli` builds
 * one; CI puts it there and sets GREENAPI_REQUIRE_PULUMI_CLI, so a missing CLI fails instead of
 * skipping). basic.test.ts runs it on this repo's Node and @pulumi/pulumi, basic-newest-sdk.test.ts
 * on Node 22 and the newest SDK.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { GreenApiEmulator, type RecordedRequest } from "../../emulator";
import { pulumiCliForTests, PulumiCliProject, type CliProjectOptions, type PreviewJson, type StackExport } from "../../harness/cli";
import { basicProject, BASIC_PROJECT } from "../../harness/basic-project";
import { expectNoCredentialIn, expectNoCredentialInOutputs, expectStateHoldsCredentialsEncrypted, SECRET_SIG } from "./cli-helpers";

const INSTANCE_TYPE = "pulumi-nodejs:dynamic/greenapi:Instance";
const PROJECT = BASIC_PROJECT;
const STACK = "dev";
const urn = (name: string) => `urn:pulumi:${STACK}::${PROJECT}::${INSTANCE_TYPE}::${name}`;
const WEBHOOK_TOKEN = "cli-test-webhook-credential-7f3a";
const DEFAULT_WEBHOOK_URL = "https://example.com/green-api/webhook";
const DECLARED_WEBHOOK_URL = "https://bot.example.com/green-api";
const CONSOLE_WEBHOOK_URL = "https://console-edit.example.com/hook";
// The SDK's marker for a secret value; in a stored checkpoint it sits beside the ciphertext.
const TIMEOUT_MS = 300_000;

/** A Node process the CLI started: its Node version, its script, and the @pulumi/pulumi version that script is part of. */
export interface RanProcess {
  node: string;
  script: string | null;
  sdk?: string;
}

/** Another Node and @pulumi/pulumi for the program than this repo's own (test/cli/newest-sdk.ts). */
export interface ProgramRuntime {
  nodeVersion: string;
  pulumiVersion: string;
  /** The CLI's variables (PATH with that Node first) and the program's node_modules, in `dir` (removed after the suite). */
  prepare(): Promise<Required<Pick<CliProjectOptions, "env" | "nodeModules">> & { dir: string; ran(): RanProcess[] }>;
}

export interface BasicLifecycleOptions {
  /** The test file, named when it skips or fails for want of a CLI. */
  file: string;
  runtime?: ProgramRuntime;
  /** The console-drift steps (a changed webhook, a deleted instance); true unless said otherwise. */
  drift?: boolean;
}

export function describeBasicLifecycle({ file, runtime, drift = true }: BasicLifecycleOptions): void {
  const cli = pulumiCliForTests(file);
  const suite = cli ? describe : describe.skip;
  const on = runtime ? ` on Node ${runtime.nodeVersion} with @pulumi/pulumi ${runtime.pulumiVersion}` : "";

  suite(
    cli ? `examples/basic through the pulumi CLI${on} (${cli})` : "examples/basic through the pulumi CLI — skipped: no pulumi CLI on PATH",
    () => {
      let emulator: GreenApiEmulator;
      let project: PulumiCliProject;
      /** The instances the stack holds, as the tests go. */
      let supportId: number;
      let salesId: number;

      let prepared: Awaited<ReturnType<ProgramRuntime["prepare"]>> | undefined;

      beforeAll(async () => {
        emulator = await GreenApiEmulator.start();
        prepared = await runtime?.prepare();
        project = await basicProject({
          cli: cli!,
          // Another runtime runs as it is (with its own compile cache).
          preload: !runtime,
          stack: STACK,
          emulator,
          webhookUrlToken: WEBHOOK_TOKEN,
          config: { "greenapi:requestTimeoutSeconds": "5" },
          ...prepared,
        });
      }, 300_000);

      afterAll(async () => {
        project?.close();
        if (prepared) rmSync(prepared.dir, { recursive: true, force: true });
        await emulator?.close();
      });

      const alive = () => emulator.list().filter((instance) => !instance.deleted);
      const requestsOf = (method: RecordedRequest["method"]) => emulator.requests.filter((request) => request.method === method);
      const writes = () =>
        emulator.requests.filter((r) => ["createInstance", "setSettings", "deleteInstanceAccount", "logout", "reboot"].includes(r.method));

      /** Every credential of the run: the partner token, the webhook token, every instance token (deleted ones too). */
      function credentials(): string[] {
        return [emulator.partnerToken, WEBHOOK_TOKEN, ...emulator.list().map((i) => i.apiTokenInstance)];
      }

      function instancesIn(state: StackExport): Array<{ urn: string; id?: string; outputs?: Record<string, unknown> }> {
        return (state.deployment.resources ?? []).filter((r) => r.type === INSTANCE_TYPE);
      }

      /** The steps of a preview that change something. */
      function changes(preview: PreviewJson) {
        return preview.steps.filter((step) => step.op !== "same");
      }

      /**
       * The declared inputs a preview step changes: dynamic providers report no detailed diff, so compare
       * old and new. Keys starting with "__" are the dynamic resource's bookkeeping, which the CLI never
       * shows (after a drift refresh the stored inputs lack `__autoName`, and the next up puts it back).
       */
      function changedInputs(step: PreviewJson["steps"][number]): string[] {
        const before = step.oldState?.inputs ?? {};
        const after = step.newState?.inputs ?? {};
        return [...new Set([...Object.keys(before), ...Object.keys(after)])]
          .filter((key) => !key.startsWith("__"))
          .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
          .sort();
      }

      /** The `[diff: …]` annotations of `up`'s progress lines: which properties the engine saw change. */
      function diffAnnotations(output: string): string[] {
        return [...new Set(Array.from(output.matchAll(/\[diff: ([^\]]*)\]/g), (match) => match[1]))];
      }

      it(
        "up creates both instances; preview and refresh then find no changes, and preview sends Green API nothing",
        async () => {
          await project.up();
          expect(alive()).toHaveLength(2);

          const outputs = await project.outputs(true);
          supportId = Number(outputs.supportIdInstance);
          salesId = Number(outputs.salesIdInstance);
          const support = emulator.get(supportId)!;
          const sales = emulator.get(salesId)!;
          expect(outputs).toMatchObject({ supportApiToken: support.apiTokenInstance, salesApiToken: sales.apiTokenInstance });
          expect(support.settings).toMatchObject({
            webhookUrl: DEFAULT_WEBHOOK_URL,
            webhookUrlToken: WEBHOOK_TOKEN,
            delaySendMessagesMilliseconds: 1000,
            incomingWebhook: "yes",
            outgoingMessageWebhook: "yes",
            stateWebhook: "yes",
          });
          expect(sales.name).toMatch(/^sales-[a-z0-9]{7}$/);

          // Without --show-secrets the CLI shows the secret outputs as [secret], in JSON and as text.
          expect(await project.outputs()).toMatchObject({
            supportApiToken: "[secret]",
            supportQrUrl: "[secret]",
            salesApiToken: "[secret]",
            salesQrUrl: "[secret]",
          });
          const text = (await project.run(["stack", "output", "--stack", STACK], { quiet: true })).output;
          expect(text).toMatch(/supportApiToken\s+\[secret\]/);
          expectNoCredentialIn("pulumi stack output", text, credentials());

          const state = await expectStateHoldsCredentialsEncrypted(project, credentials());
          const instances = instancesIn(state);
          expect(instances.map((r) => r.id).sort()).toEqual([String(salesId), String(supportId)].sort());
          for (const resource of instances) {
            for (const key of ["apiTokenInstance", "qrUrl"]) {
              // Present, and stored as ciphertext.
              expect(resource.outputs?.[key]).toEqual(
                expect.objectContaining({ [SECRET_SIG]: expect.any(String), ciphertext: expect.any(String) }),
              );
            }
          }

          emulator.resetCounts();
          await project.preview({ expectNoChanges: true });
          expect(emulator.requests).toEqual([]);

          const refresh = await project.refresh({ expectNoChanges: true });
          expect(refresh.output).toMatch(/3 unchanged/);
          // One list for both reads, then each instance's state and settings; nothing written.
          expect(emulator.counts()).toMatchObject({ getInstances: 1, getStateInstance: 2, getSettings: 2 });
          expect(writes()).toEqual([]);
        },
        TIMEOUT_MS,
      );

      if (runtime) {
        it(
          `the program and the dynamic provider ran on Node ${runtime.nodeVersion} and @pulumi/pulumi ${runtime.pulumiVersion}`,
          () => {
            const ran = prepared!.ran();
            const sdkScripts = ran.filter((process) => process.sdk !== undefined);
            // The language host runs the program with the SDK's cmd/run, the CLI's launcher the SDK's dynamic provider.
            for (const command of ["run", "dynamic-provider"]) {
              expect(sdkScripts.some((process) => process.script!.includes(join("cmd", command)))).toBe(true);
            }
            expect([...new Set(ran.map((process) => process.node))]).toEqual([runtime.nodeVersion]);
            expect([...new Set(sdkScripts.map((process) => process.sdk))]).toEqual([runtime.pulumiVersion]);
          },
          TIMEOUT_MS,
        );
      }

      it(
        "a changed setting is an in-place update of that property alone, applied with one setSettings",
        async () => {
          await project.setConfig(`${PROJECT}:webhookUrl`, DECLARED_WEBHOOK_URL);

          const preview = await project.previewJson();
          expect(changes(preview).map((step) => [step.op, step.urn])).toEqual([["update", urn("support-bot")]]);
          expect(preview.changeSummary).toEqual({ same: 2, update: 1 });
          expect(changedInputs(changes(preview)[0])).toEqual(["webhookUrl"]);

          emulator.resetCounts();
          // --diff: each changed resource with all its properties, the changed ones marked.
          const up = await project.up({ diff: true });
          const marked = up.output.split("\n").filter((line) => /^\s+[-+~] \w+\s*:/.test(line));
          expect(marked.map((line) => line.trim().replace(/\s+:/, ":"))).toEqual([
            `~ webhookUrl: "${DEFAULT_WEBHOOK_URL}" => "${DECLARED_WEBHOOK_URL}"`,
          ]);
          expect(up.output).toMatch(/~ 1 updated\s+2 unchanged/);
          expect(writes().map((r) => [r.method, r.idInstance, r.body])).toEqual([
            ["setSettings", supportId, { webhookUrl: DECLARED_WEBHOOK_URL }],
          ]);
          expect(emulator.get(supportId)!.settings.webhookUrl).toBe(DECLARED_WEBHOOK_URL);
          await project.preview({ expectNoChanges: true });
        },
        TIMEOUT_MS,
      );

      it(
        "a changed name replaces the instance: the new one is created before the old one is deleted",
        async () => {
          await project.setConfig(`${PROJECT}:salesName`, "sales-renamed");

          const preview = await project.previewJson();
          expect(changes(preview).map((step) => [step.op, step.urn, step.replaceReasons])).toEqual([["replace", urn("sales"), ["name"]]]);
          expect(preview.changeSummary).toEqual({ same: 2, replace: 1 });

          emulator.resetCounts();
          const up = await project.up();
          // The engine's own account of the order: create the replacement, then delete the original.
          const lines = up.output.split("\n");
          const createdReplacement = lines.findIndex((line) => /\+\+ .* sales created replacement/.test(line));
          const deletingOriginal = lines.findIndex((line) => /-- .* sales deleting original/.test(line));
          expect(createdReplacement).toBeGreaterThanOrEqual(0);
          expect(deletingOriginal).toBeGreaterThan(createdReplacement);
          expect(up.output).toMatch(/\+-1 replaced/);

          // And Green API's: one createInstance for the new name, performed before the old instance's delete arrived.
          const [create] = requestsOf("createInstance");
          expect(requestsOf("createInstance")).toHaveLength(1);
          expect(create.body).toMatchObject({ name: "sales-renamed" });
          expect(requestsOf("deleteInstanceAccount").map((r) => r.idInstance)).toEqual([salesId]);
          expect(emulator.requests.indexOf(requestsOf("deleteInstanceAccount")[0])).toBeGreaterThan(emulator.requests.indexOf(create));
          expect(create.status).toBe(200);
          expect(requestsOf("deleteInstanceAccount")[0].at).toBeGreaterThanOrEqual(create.performedAt!);

          const renamed = alive().find((instance) => instance.name === "sales-renamed")!;
          expect(renamed).toBeDefined();
          expect(emulator.get(salesId)!.deleted).toBe(true);
          expect(
            alive()
              .map((i) => i.idInstance)
              .sort(),
          ).toEqual([renamed.idInstance, supportId].sort());
          salesId = renamed.idInstance;
          expect((await project.outputs()).salesIdInstance).toBe(salesId);
          await project.preview({ expectNoChanges: true });
        },
        TIMEOUT_MS,
      );

      if (drift) {
        it(
          "a webhook changed in the console shows on refresh, and the next up puts the declared value back",
          async () => {
            emulator.changeOutOfBand(supportId, { settings: { webhookUrl: CONSOLE_WEBHOOK_URL } });

            const refresh = await project.attempt(["refresh", "--yes", "--skip-preview", "--expect-no-changes", "--stack", STACK]);
            expect(refresh.exitCode).not.toBe(0);
            expect(refresh.output).toMatch(/support-bot updated .*\[diff: ~webhookUrl\]/);
            expect(diffAnnotations(refresh.output)).toEqual(["~webhookUrl"]);
            expect(refresh.output).toMatch(/~ 1 updated\s+2 unchanged/);
            expect(refresh.output).toContain("error: no changes were expected for refresh but changes were proposed");
            // The refresh was carried out all the same: the stack holds the console's value.
            const state = await expectStateHoldsCredentialsEncrypted(project, credentials());
            expect(instancesIn(state).find((r) => r.urn === urn("support-bot"))!.outputs!.webhookUrl).toBe(CONSOLE_WEBHOOK_URL);

            const preview = await project.previewJson();
            expect(changes(preview).map((step) => [step.op, step.urn])).toEqual([["update", urn("support-bot")]]);
            expect(changedInputs(changes(preview)[0])).toEqual(["webhookUrl"]);
            expect(changes(preview)[0].oldState!.inputs!.webhookUrl).toBe(CONSOLE_WEBHOOK_URL);
            expect(changes(preview)[0].newState!.inputs!.webhookUrl).toBe(DECLARED_WEBHOOK_URL);

            emulator.resetCounts();
            await project.up();
            expect(writes().map((r) => [r.method, r.idInstance, r.body])).toEqual([
              ["setSettings", supportId, { webhookUrl: DECLARED_WEBHOOK_URL }],
            ]);
            expect(emulator.get(supportId)!.settings.webhookUrl).toBe(DECLARED_WEBHOOK_URL);
            await project.refresh({ expectNoChanges: true });
          },
          TIMEOUT_MS,
        );
      }

      if (drift) {
        it(
          "an instance deleted in the console leaves the stack on refresh and comes back on up",
          async () => {
            emulator.deleteOutOfBand(supportId);

            const refresh = await project.refresh();
            expect(refresh.output).toContain(`greenapi: instance ${supportId} was deleted outside Pulumi; removing it from the stack.`);
            expect(refresh.output).toMatch(/- +pulumi-nodejs:dynamic\/greenapi:Instance support-bot deleted/);
            expect(instancesIn(await project.exportState()).map((r) => r.urn)).toEqual([urn("sales")]);

            emulator.resetCounts();
            const up = await project.up();
            expect(up.output).toMatch(/\+ 1 created\s+2 unchanged/);
            expect(requestsOf("createInstance")).toHaveLength(1);
            const [back] = alive().filter((instance) => instance.idInstance !== salesId);
            expect(back.idInstance).not.toBe(supportId);
            expect(back.name).toBe(emulator.get(supportId)!.name); // the same auto-name: the old one is deleted, so it is free
            expect(back.settings).toMatchObject({
              webhookUrl: DECLARED_WEBHOOK_URL,
              webhookUrlToken: WEBHOOK_TOKEN,
              incomingWebhook: "yes",
            });
            supportId = back.idInstance;
            expect(alive()).toHaveLength(2);
            expect((await project.outputs()).supportIdInstance).toBe(supportId);
            await project.preview({ expectNoChanges: true });
          },
          TIMEOUT_MS,
        );
      }

      it(
        "destroy leaves nothing alive, and nothing in the stack",
        async () => {
          emulator.resetCounts();
          const destroy = await project.destroy();
          expect(destroy.output).toMatch(/- 3 deleted/);
          expect(alive()).toEqual([]);
          expect(
            requestsOf("deleteInstanceAccount")
              .map((r) => r.idInstance)
              .sort(),
          ).toEqual([salesId, supportId].sort());
          expect(instancesIn(await project.exportState())).toEqual([]);
        },
        TIMEOUT_MS,
      );

      it(
        "no credential in clear text: not in what any command printed, nor in the state, its backups or history",
        async () => {
          // What these checks cover: every command above (failed ones too), and the files of every state the stack went through.
          expect(project.transcript.length).toBeGreaterThan(drift ? 20 : 12);
          expect(project.transcript.map((run) => run.command)).toEqual(
            expect.arrayContaining([
              expect.stringMatching(/^pulumi preview --json/),
              expect.stringMatching(/^pulumi refresh .*--expect-no-changes/),
            ]),
          );
          expectNoCredentialInOutputs(project, credentials());
          const files = project.backendFiles().map((file) => file.path);
          expect(files.some((path) => path.includes(join(".pulumi", "history")))).toBe(true);
          expect(files.some((path) => path.includes(join(".pulumi", "backups")))).toBe(true);
          await expectStateHoldsCredentialsEncrypted(project, credentials());
          // The instance tokens checked for include the replaced (and the deleted) instances'.
          expect(credentials().length).toBe(2 + emulator.list().length);
          expect(emulator.list().length).toBe(drift ? 4 : 3);
        },
        TIMEOUT_MS,
      );
    },
  );
}

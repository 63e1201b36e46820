/**
 * examples/automation through Pulumi's Automation API and the real `pulumi` CLI: one stack per
 * customer, each with its own instance and webhook, created side by side as a SaaS back end would
 * on sign-ups; refreshed (no changes), brought up again by a later call (nothing to do), destroyed
 * one customer at a time. A local file backend and a passphrase come in through `envVars`
 * (offlineEnvironment), so nothing of the user's Pulumi account is touched.
 *
 * The inline program runs in this jest process. The CLI starts the dynamic-provider plugin in this
 * process's working directory (the repo root, where @pulumi/pulumi resolves), whatever the workDir.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocalWorkspaceOptions, Stack } from "@pulumi/pulumi/automation";
import { GreenApiEmulator } from "../../emulator";
import { customerStack, PROJECT, type Customer, type PartnerAccount } from "../../examples/automation";
import { offlineEnvironment, pulumiCliForTests } from "../../harness/cli";
import { withPreload } from "../../harness/node-options";
import { alive, CLI_TIMEOUT_MS, credentials, expectNoCredentialIn, filesUnder, INSTANCE_TYPE, SECRET_SIG } from "./cli-helpers";

// The SDK's marker for a secret value (beside `ciphertext` at rest, `plaintext` in a --show-secrets export).
const CUSTOMERS: Customer[] = [
  { id: "acme", webhookUrl: "https://hooks.test/saas/acme", webhookUrlToken: "automation-acme-webhook-credential-91c2" },
  { id: "globex", webhookUrl: "https://hooks.test/saas/globex", webhookUrlToken: "automation-globex-webhook-credential-4e7d" },
];

const cli = pulumiCliForTests("test/cli/automation.test.ts");
const suite = cli ? describe : describe.skip;

suite(
  cli
    ? `examples/automation: one stack per customer through the Automation API (${cli})`
    : "examples/automation — skipped: no pulumi CLI on PATH",
  () => {
    let emulator: GreenApiEmulator;
    let dir: string;
    let account: PartnerAccount;
    let envVars: Record<string, string>;

    beforeAll(async () => {
      emulator = await GreenApiEmulator.start();
      account = { partnerToken: emulator.partnerToken, partnerApiUrl: emulator.url, apiUrl: emulator.url };
      dir = mkdtempSync(join(tmpdir(), "greenapi-automation-"));
      mkdirSync(join(dir, "backend"));
      envVars = {
        ...offlineEnvironment(join(dir, "home"), join(dir, "backend")),
        PULUMI_CONFIG_PASSPHRASE: `greenapi-automation-${process.pid}`,
        // The CLI's Node processes (the dynamic provider's hosts) with the harness's preload, as in the rest of the CLI suite.
        NODE_OPTIONS: withPreload(process.env.NODE_OPTIONS),
      };
    });

    afterAll(async () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      await emulator?.close();
    });

    /** A workspace per customer, as the README advises for stacks run side by side. */
    function workspace(customer: Customer): LocalWorkspaceOptions {
      const workDir = join(dir, "work", customer.id);
      mkdirSync(workDir, { recursive: true });
      return { workDir, envVars };
    }

    function secretsOfRun(): string[] {
      return credentials(
        emulator,
        CUSTOMERS.map((c) => c.webhookUrlToken),
      );
    }

    it(
      "creates each customer's instance with its webhook, refreshes with no changes, re-runs as a no-op, destroys per customer",
      async () => {
        // Sign-ups arrive together: both stacks are created and brought up at the same time.
        const stacks = await Promise.all(CUSTOMERS.map((customer) => customerStack(customer, account, workspace(customer))));
        expect(stacks.map((s) => s.name)).toEqual(["acme", "globex"]);
        const ups = await Promise.all(stacks.map((stack) => stack.up()));
        const ids: number[] = [];
        ups.forEach((up, i) => {
          const customer = CUSTOMERS[i];
          expect(up.summary.result).toBe("succeeded");
          expect(up.summary.resourceChanges).toEqual({ create: 2 }); // the stack and the instance
          expect(up.outputs.idInstance).toEqual({ value: expect.any(Number), secret: false });
          expect(up.outputs.qrUrl.secret).toBe(true);
          expect(up.outputs.stateInstance).toEqual({ value: "notAuthorized", secret: false });
          const instance = emulator.get(up.outputs.idInstance.value)!;
          expect(instance.deleted).toBe(false);
          expect(instance.name).toMatch(new RegExp(`^customer-${customer.id}-[a-z0-9]{7}$`));
          expect(instance.settings).toMatchObject({
            webhookUrl: customer.webhookUrl,
            webhookUrlToken: customer.webhookUrlToken,
            incomingWebhook: "yes",
            outgoingMessageWebhook: "yes",
            stateWebhook: "yes",
          });
          expect(up.outputs.qrUrl.value).toContain(instance.apiTokenInstance);
          ids.push(instance.idInstance);
        });
        expect(
          alive(emulator)
            .map((i) => i.idInstance)
            .sort(),
        ).toEqual([...ids].sort());

        for (const stack of stacks) {
          const refresh = await stack.refresh({ expectNoChanges: true });
          expect(refresh.summary.result).toBe("succeeded");
          expect(refresh.summary.resourceChanges).toEqual({ same: 2 });
        }

        // A later request for acme builds its stack again from scratch: nothing to do.
        const creates = emulator.count("createInstance");
        const again = await customerStack(CUSTOMERS[0], account, workspace(CUSTOMERS[0]));
        const rerun = await again.up({ expectNoChanges: true });
        expect(rerun.summary.resourceChanges).toEqual({ same: 2 });
        expect(rerun.outputs.idInstance.value).toBe(ids[0]);
        expect(emulator.count("createInstance")).toBe(creates);

        // The checkpoint, the settings files and the backend hold every credential encrypted.
        await expectCredentialsEncrypted(stacks, ids);

        // acme leaves: only its instance goes.
        const destroyAcme = await again.destroy();
        expect(destroyAcme.summary.resourceChanges).toEqual({ delete: 2 });
        expect(emulator.get(ids[0])!.deleted).toBe(true);
        expect(alive(emulator).map((i) => i.idInstance)).toEqual([ids[1]]);
        await again.workspace.removeStack("acme");
        expect((await stacks[1].workspace.listStacks()).map((s) => s.name)).toEqual(["globex"]);

        const destroyGlobex = await stacks[1].destroy();
        expect(destroyGlobex.summary.resourceChanges).toEqual({ delete: 2 });
        expect(alive(emulator)).toEqual([]);
        expect(emulator.count("createInstance")).toBe(2);
      },
      CLI_TIMEOUT_MS,
    );

    /**
     * The Automation API's exportStack runs `pulumi stack export --show-secrets`: secrets come back
     * decrypted, each wrapped as a secret ({sig, plaintext}). Every credential must be inside such a
     * wrapper; at rest (the backend's files, the workspace's settings files) none is in clear text.
     */
    async function expectCredentialsEncrypted(stacks: Stack[], ids: number[]): Promise<void> {
      const secrets = secretsOfRun();
      for (const [i, stack] of stacks.entries()) {
        const exported = await stack.exportStack();
        expectNoCredentialIn(`exportStack ${stack.name}, outside its secrets`, JSON.stringify(outsideSecrets(exported)), secrets);
        const resources = (exported.deployment.resources ?? []) as Array<{ type: string; id?: string; outputs?: Record<string, unknown> }>;
        const instances = resources.filter((r) => r.type === INSTANCE_TYPE);
        expect(instances.map((r) => r.id)).toEqual([String(ids[i])]);
        for (const key of ["apiTokenInstance", "qrUrl", "webhookUrlToken"]) {
          expect(instances[0].outputs?.[key]).toEqual({ [SECRET_SIG]: expect.any(String), plaintext: expect.any(String) });
        }
        expect(JSON.parse((instances[0].outputs?.webhookUrlToken as { plaintext: string }).plaintext)).toBe(CUSTOMERS[i].webhookUrlToken);
        // The partner token is in the stack's settings file, as a secret.
        expect((await stack.getAllConfig())["greenapi:partnerToken"]).toEqual({ value: emulator.partnerToken, secret: true });
        await expect(stack.workspace.projectSettings()).resolves.toMatchObject({ name: PROJECT });
      }
      const atRest = filesUnder(dir);
      expect(atRest.map((f) => f.path)).toEqual(
        expect.arrayContaining([
          join(dir, "work", "acme", "Pulumi.acme.yaml"),
          join(dir, "backend", ".pulumi", "stacks", PROJECT, "acme.json"),
        ]),
      );
      for (const file of atRest) expectNoCredentialIn(file.path, file.text, secrets);
    }
  },
);

/** The value with every secret ({sig, ...}) replaced by "[secret]". */
function outsideSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(outsideSecrets);
  if (value === null || typeof value !== "object") return value;
  if (SECRET_SIG in value) return "[secret]";
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, outsideSecrets(inner)]));
}

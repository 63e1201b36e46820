/**
 * examples/fleet through the real `pulumi` CLI against the emulator: one instance per tenant, each
 * with its own webhook URL and HMAC-derived token; refresh finds nothing changed; editing the
 * tenants list creates and deletes just those tenants' instances; destroy deletes the rest. Then a
 * fleet of 40 in one `pulumi up --parallel 32` with Green API's rate limits on.
 */
import { createHmac } from "node:crypto";
import { join, resolve } from "node:path";
import { GreenApiEmulator } from "../../emulator";
import { pulumiCliForTests, PulumiCliProject } from "../../harness/cli";
import {
  alive,
  CLI_TIMEOUT_MS,
  credentials,
  expectNoCredentialInBackend,
  expectNoCredentialInOutputs,
  INSTANCE_TYPE,
  rateLimited,
} from "./cli-helpers";

const REPO_ROOT = resolve(__dirname, "..", "..");
const PROGRAM = join(REPO_ROOT, "examples", "fleet", "index.ts");
const PROJECT = "greenapi-fleet";
const SIGNING_KEY = "fleet-cli-signing-key-0d6b2f9a41c7";
const WEBHOOK_BASE = "https://hooks.test/ga";

const cli = pulumiCliForTests("test/cli/fleet.test.ts");
const suite = cli ? describe : describe.skip;

function tokenOf(tenant: string): string {
  return createHmac("sha256", SIGNING_KEY).update(tenant).digest("hex");
}

function fleetProject(emulator: GreenApiEmulator, tenants: string[]): Promise<PulumiCliProject> {
  return PulumiCliProject.create({
    cli: cli!,
    preload: true,
    program: PROGRAM,
    project: PROJECT,
    config: {
      "greenapi:partnerToken": emulator.partnerToken,
      "greenapi:partnerApiUrl": emulator.url,
      "greenapi:apiUrl": emulator.url,
      [`${PROJECT}:webhookSigningKey`]: SIGNING_KEY,
      [`${PROJECT}:webhookBaseUrl`]: WEBHOOK_BASE,
      [`${PROJECT}:tenants`]: JSON.stringify(tenants),
    },
    secretKeys: ["greenapi:partnerToken", `${PROJECT}:webhookSigningKey`],
  });
}

/** `pulumi <command> --yes --skip-preview --parallel 32` (the harness's up/refresh/destroy take no --parallel). */
function parallel32(project: PulumiCliProject, command: "up" | "refresh" | "destroy", ...flags: string[]) {
  return project.run([command, "--yes", "--skip-preview", "--parallel", "32", ...flags, "--stack", project.options.stack]);
}

suite(
  cli ? `examples/fleet through the pulumi CLI (${cli})` : "examples/fleet through the pulumi CLI — skipped: no pulumi CLI on PATH",
  () => {
    describe("three tenants: up, refresh, tenants list edited, destroy", () => {
      let emulator: GreenApiEmulator;
      let project: PulumiCliProject;

      beforeAll(async () => {
        emulator = await GreenApiEmulator.start();
        project = await fleetProject(emulator, ["acme", "globex", "initech"]);
      }, CLI_TIMEOUT_MS);

      afterAll(async () => {
        project?.close();
        await emulator?.close();
      });

      /** tenant → the emulator's instance behind the stack output idInstances. */
      async function instancesByTenant() {
        const outputs = await project.outputs();
        expect(outputs.qrUrls).toBe("[secret]");
        const ids = outputs.idInstances as Record<string, number>;
        return Object.fromEntries(Object.entries(ids).map(([tenant, id]) => [tenant, emulator.get(id)!]));
      }

      it(
        "gives every tenant its own instance, webhook URL and token; adding and removing tenants touches only those",
        async () => {
          await project.up();
          let byTenant = await instancesByTenant();
          expect(Object.keys(byTenant)).toEqual(["acme", "globex", "initech"]);
          for (const [tenant, instance] of Object.entries(byTenant)) {
            expect(instance.deleted).toBe(false);
            expect(instance.name).toMatch(new RegExp(`^tenant-${tenant}-[a-z0-9]{7}$`));
            expect(instance.settings).toMatchObject({
              webhookUrl: `${WEBHOOK_BASE}/${tenant}`,
              webhookUrlToken: tokenOf(tenant),
              incomingWebhook: "yes",
              outgoingMessageWebhook: "yes",
              stateWebhook: "yes",
            });
          }
          expect(alive(emulator)).toHaveLength(3);
          const first = Object.fromEntries(Object.entries(byTenant).map(([tenant, instance]) => [tenant, instance.idInstance]));

          // Nothing drifted: refresh with --expect-no-changes succeeds, with one shared list.
          emulator.resetCounts();
          await project.refresh({ expectNoChanges: true });
          expect(emulator.count("getInstances")).toBe(1);
          expect(emulator.counts()).toMatchObject({ createInstance: 0, setSettings: 0, deleteInstanceAccount: 0 });

          // globex leaves, umbrella joins: one create, one delete, acme and initech untouched.
          await project.setConfig(`${PROJECT}:tenants`, JSON.stringify(["acme", "initech", "umbrella"]));
          emulator.resetCounts();
          await project.up();
          expect(emulator.counts()).toMatchObject({ createInstance: 1, deleteInstanceAccount: 1, setSettings: 0 });
          byTenant = await instancesByTenant();
          expect(Object.keys(byTenant)).toEqual(["acme", "initech", "umbrella"]);
          expect(byTenant.acme.idInstance).toBe(first.acme);
          expect(byTenant.initech.idInstance).toBe(first.initech);
          expect(byTenant.umbrella.settings).toMatchObject({
            webhookUrl: `${WEBHOOK_BASE}/umbrella`,
            webhookUrlToken: tokenOf("umbrella"),
          });
          expect(emulator.get(first.globex)!.deleted).toBe(true);
          expect(
            alive(emulator)
              .map((i) => i.idInstance)
              .sort(),
          ).toEqual(
            Object.values(byTenant)
              .map((i) => i.idInstance)
              .sort(),
          );

          await project.destroy();
          expect(alive(emulator)).toEqual([]);
          const state = await project.exportState();
          expect((state.deployment.resources ?? []).filter((r) => r.type === INSTANCE_TYPE)).toEqual([]);

          // Neither the signing key nor any token reached the CLI's output or the backend in clear.
          const secrets = credentials(emulator, [SIGNING_KEY]);
          expectNoCredentialInOutputs(project, secrets);
          expectNoCredentialInBackend(project, secrets);
        },
        CLI_TIMEOUT_MS,
      );
    });

    describe("40 tenants in one `pulumi up --parallel 32`, Green API's rate limits on", () => {
      const N = 40;
      const tenants = Array.from({ length: N }, (_, i) => `tenant${String(i).padStart(2, "0")}`);
      let emulator: GreenApiEmulator;
      let project: PulumiCliProject;

      beforeAll(async () => {
        emulator = await GreenApiEmulator.start({ rateLimit: true });
        project = await fleetProject(emulator, tenants);
      }, CLI_TIMEOUT_MS);

      afterAll(async () => {
        project?.close();
        await emulator?.close();
      });

      it(
        "creates all 40 without a single 429, sharing instance lists; refresh lists once; destroy deletes all 40",
        async () => {
          await parallel32(project, "up");
          const upCounts = emulator.counts();
          const up429 = rateLimited(emulator);
          console.log(
            `${N} creates at --parallel 32, rate limits on: getInstances ${upCounts.getInstances}, 429 answers ${up429}; all calls ${JSON.stringify(upCounts)}`,
          );
          expect(upCounts.createInstance).toBe(N);
          expect(alive(emulator)).toHaveLength(N);
          const ids = (await project.outputs()).idInstances as Record<string, number>;
          expect(Object.keys(ids)).toEqual(tenants);
          expect(new Set(Object.values(ids)).size).toBe(N);
          for (const tenant of tenants) expect(emulator.get(ids[tenant])!.settings.webhookUrl).toBe(`${WEBHOOK_BASE}/${tenant}`);
          // The limits are per instance and method; the provider spaces its calls to each instance, so
          // none is ever refused.
          expect(up429).toBe(0);
          // Unshared, every create lists the account twice (is the name free? then its timeCreated,
          // tariff, …): 2N = 80. Shared, at least four creates per list on average — N/2. Measured 8
          // on an idle 2-core machine, 11–12 with two more fleets running beside it.
          expect(upCounts.getInstances).toBeLessThanOrEqual(N / 2);
          // The limits were in force: a second getSettings to one instance within the second is refused.
          const probe = emulator.get(ids.tenant00)!;
          const getSettings = () =>
            fetch(`${emulator.url}/waInstance${probe.idInstance}/getSettings/${probe.apiTokenInstance}`).then((r) => r.status);
          expect([await getSettings(), await getSettings()]).toEqual([200, 429]);

          emulator.resetCounts();
          await parallel32(project, "refresh", "--expect-no-changes");
          console.log(
            `refresh of ${N} at --parallel 32: getInstances ${emulator.count("getInstances")}, 429 answers ${rateLimited(emulator)}`,
          );
          expect(emulator.count("getInstances")).toBe(1);
          expect(emulator.counts()).toMatchObject({ createInstance: 0, setSettings: 0, deleteInstanceAccount: 0 });

          emulator.resetCounts();
          await parallel32(project, "destroy");
          expect(emulator.count("deleteInstanceAccount")).toBe(N);
          expect(alive(emulator)).toEqual([]);
        },
        CLI_TIMEOUT_MS,
      );
    });
  },
);

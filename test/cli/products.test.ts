/**
 * examples/products through the real `pulumi` CLI: a Telegram and a MAX instance, each on its own
 * host (the emulator serves each product's instance API only there, MAX's only under /v3), with
 * `waitForReady`: `up` ends only once Green API has built both, and shows its progress while it waits.
 */
import { join, resolve } from "node:path";
import { GreenApiEmulator } from "../../emulator";
import { pulumiCliForTests, PulumiCliProject } from "../../harness/cli";
import { waitUntil } from "../../harness/wait-until";
import { alive, CLI_TIMEOUT_MS, credentials, expectNoCredentialInBackend, expectNoCredentialInOutputs } from "./cli-helpers";

const REPO_ROOT = resolve(__dirname, "..", "..");
const PROJECT = "greenapi-products";
const PARTNER_METHODS = ["createInstance", "getInstances", "deleteInstanceAccount"];
/** waitForReady polls after 1, 2, 4, 5, 5 s: the sixth look comes at least 17 s in, past the first progress line (15 s). */
const LOOKS_BEFORE_READY = 6;

const cli = pulumiCliForTests("test/cli/products.test.ts");
const suite = cli ? describe : describe.skip;

suite(cli ? `examples/products through the pulumi CLI (${cli})` : "examples/products — skipped: no pulumi CLI on PATH", () => {
  let emulator: GreenApiEmulator;
  let project: PulumiCliProject;

  beforeAll(async () => {
    // Instances stay "being built" until the test ends it: timing decides nothing.
    emulator = await GreenApiEmulator.start({ instanceHosts: true, startupMs: 60 * 60_000 });
    project = await PulumiCliProject.create({
      cli: cli!,
      preload: true,
      program: join(REPO_ROOT, "examples", "products", "index.ts"),
      project: PROJECT,
      config: {
        "greenapi:partnerToken": emulator.partnerToken,
        "greenapi:partnerApiUrl": emulator.url,
        // The partner host serves no instance calls: an instance that fell back to it would fail.
        "greenapi:apiUrl": emulator.url,
        [`${PROJECT}:customerId`]: "customer-42",
      },
      secretKeys: ["greenapi:partnerToken"],
    });
  }, CLI_TIMEOUT_MS);

  afterAll(async () => {
    project?.close();
    await emulator?.close();
  });

  const looks = (idInstance: number) =>
    emulator.requests.filter((r) => r.method === "getStateInstance" && r.idInstance === idInstance).length;

  it(
    "up waits until both are built, each on its own host; refresh and preview see no changes; destroy deletes both",
    async () => {
      const up = project.up();
      await waitUntil(
        () => alive(emulator).length === 2 && alive(emulator).every((i) => looks(i.idInstance) >= LOOKS_BEFORE_READY),
        "both creates to wait",
      );
      const [first, second] = alive(emulator);
      expect(project.transcript.some((c) => c.command.includes(" up "))).toBe(false); // still running
      for (const { idInstance } of [first, second]) emulator.changeOutOfBand(idInstance, { startupPhase: null });
      const { output } = await up;

      for (const instance of alive(emulator)) {
        expect(instance).toMatchObject({ partnerUserUiid: "customer-42", settings: { countryInstance: "ru", incomingWebhook: "yes" } });
        expect(output).toMatch(
          new RegExp(`waiting for instance ${instance.idInstance} "${instance.name}" to be ready: starting, \\d+ s so far`),
        );
        expect(output).toMatch(new RegExp(`instance ${instance.idInstance} "${instance.name}" is ready \\(notAuthorized\\) after \\d+ s`));
      }
      expect(
        alive(emulator)
          .map((i) => i.typeInstance)
          .sort(),
      ).toEqual(["telegram", "v3"]);
      expect(await project.outputs()).toMatchObject({
        telegramState: "notAuthorized",
        maxState: "notAuthorized",
        telegramApiUrl: emulator.instanceUrl("telegram"),
        maxApiUrl: emulator.instanceUrl("v3"),
        telegramQrUrl: "[secret]",
      });

      await project.refresh({ expectNoChanges: true });
      await project.preview({ expectNoChanges: true });
      const ids = alive(emulator).map((i) => i.idInstance);
      await project.destroy();
      expect(ids.map((id) => emulator.get(id)!.deleted)).toEqual([true, true]);

      // Every instance call went to its instance's own host, MAX's under /v3, and was answered.
      const instanceCalls = emulator.requests.filter((r) => !PARTNER_METHODS.includes(r.method));
      expect(instanceCalls.filter((r) => r.method === "unknown" || r.status === 404)).toEqual([]);
      for (const request of instanceCalls) {
        const instance = emulator.get(request.idInstance!)!;
        expect({ host: request.host, prefix: request.prefix }).toEqual({
          host: emulator.instanceUrl(instance.typeInstance),
          prefix: instance.typeInstance === "v3" ? "/v3" : "",
        });
      }

      const secrets = credentials(emulator);
      expectNoCredentialInOutputs(project, secrets);
      expectNoCredentialInBackend(project, secrets);
    },
    CLI_TIMEOUT_MS,
  );
});

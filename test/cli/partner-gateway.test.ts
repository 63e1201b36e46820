/**
 * A fleet under Green API's partner rate limit, through the real `pulumi` CLI: the emulator's partner
 * gateway holds one token bucket per account for createInstance, getInstances and
 * deleteInstanceAccount (10 a second, bursts of 20; HTTP 429 with X-RateLimit-* headers and no
 * Retry-After), as Green API's partner collection records. `pulumi up --parallel 64` of 100 new
 * instances creates each exactly once with no failure; `pulumi refresh` and `pulumi destroy` of them
 * at the same --parallel succeed likewise. Once through the dynamic provider (examples/fleet with 100
 * tenants), once through the `greenapi` plugin from a YAML program of 100 instances.
 */
import { join, resolve } from "node:path";
import { GREEN_API_PARTNER_RATE_LIMIT, GreenApiEmulator } from "../../emulator";
import { pulumiCliForTests, PulumiCliProject } from "../../harness/cli";
import { alive, CLI_TIMEOUT_MS, INSTANCE_TYPE, rateLimited } from "./cli-helpers";
import { cliWithYamlHost, PLUGIN_DIR } from "./plugin-helpers";

const N = 100;
const PARALLEL = "64";
/** up, refresh and destroy of 100 at 10 partner calls a second, on a busy 2-core machine. */
const TIMEOUT_MS = 2 * CLI_TIMEOUT_MS;
const FLEET_PROGRAM = join(resolve(__dirname, "..", ".."), "examples", "fleet", "index.ts");

function atParallel(project: PulumiCliProject, command: "up" | "refresh" | "destroy", ...flags: string[]) {
  return project.run([command, "--yes", "--skip-preview", "--parallel", PARALLEL, ...flags, "--stack", project.options.stack]);
}

/** createInstance / deleteInstanceAccount requests the emulator performed (a 429 is answered before performing). */
function performed(emulator: GreenApiEmulator, method: "createInstance" | "deleteInstanceAccount") {
  return emulator.requests.filter((r) => r.method === method && r.performedAt !== undefined);
}

/**
 * up, refresh and destroy of N instances at --parallel 64 under the bucket, with what each must show.
 * `instanceType` is the type the stack records them under.
 */
async function upRefreshDestroy(emulator: GreenApiEmulator, project: PulumiCliProject, instanceType: string, door: string) {
  await atParallel(project, "up");
  const created = performed(emulator, "createInstance");
  console.log(
    `${door}: up of ${N} at --parallel ${PARALLEL} under ${GREEN_API_PARTNER_RATE_LIMIT.ratePerSecond}/s burst ${GREEN_API_PARTNER_RATE_LIMIT.burst}: ` +
      `${emulator.count("createInstance")} createInstance requests, ${rateLimited(emulator)} answered 429, getInstances ${emulator.count("getInstances")}`,
  );
  expect(created).toHaveLength(N);
  const instances = alive(emulator);
  expect(instances).toHaveLength(N);
  expect(new Set(instances.map((i) => i.name)).size).toBe(N);
  const state = await project.exportState();
  const recorded = (state.deployment.resources ?? []).filter((r) => r.type === instanceType).map((r) => Number(r.id));
  expect(recorded.sort()).toEqual(instances.map((i) => i.idInstance).sort());
  // Paced, not refused: without the provider's mirror of the bucket, most of the first 64 would get a 429.
  // A new provider process starts with a full mirror, so at most a burst's worth when the gateway's
  // bucket is not full (see the destroy below).
  expect(rateLimited(emulator)).toBeLessThanOrEqual(GREEN_API_PARTNER_RATE_LIMIT.burst);

  emulator.resetCounts();
  await atParallel(project, "refresh", "--expect-no-changes");
  expect(emulator.count("getInstances")).toBe(1);
  expect(emulator.counts()).toMatchObject({ createInstance: 0, setSettings: 0, deleteInstanceAccount: 0 });

  emulator.resetCounts();
  await atParallel(project, "destroy");
  console.log(
    `${door}: destroy of ${N}: ${emulator.count("deleteInstanceAccount")} deleteInstanceAccount requests, ${rateLimited(emulator)} answered 429`,
  );
  expect(performed(emulator, "deleteInstanceAccount")).toHaveLength(N);
  expect(alive(emulator)).toEqual([]);
  expect(rateLimited(emulator)).toBeLessThanOrEqual(GREEN_API_PARTNER_RATE_LIMIT.burst);
}

const cli = pulumiCliForTests("test/cli/partner-gateway.test.ts");
const suite = cli ? describe : describe.skip;

suite(
  cli
    ? `${N} instances at --parallel ${PARALLEL} under Green API's partner rate limit, through the pulumi CLI (${cli})`
    : "the partner rate limit through the pulumi CLI — skipped: no pulumi CLI on PATH",
  () => {
    describe("the dynamic provider (examples/fleet, 100 tenants)", () => {
      let emulator: GreenApiEmulator;
      let project: PulumiCliProject;

      beforeAll(async () => {
        emulator = await GreenApiEmulator.start({ partnerRateLimit: GREEN_API_PARTNER_RATE_LIMIT });
        const tenants = Array.from({ length: N }, (_, i) => `tenant${String(i).padStart(3, "0")}`);
        project = await PulumiCliProject.create({
          cli: cli!,
          preload: true,
          program: FLEET_PROGRAM,
          project: "greenapi-fleet",
          config: {
            "greenapi:partnerToken": emulator.partnerToken,
            "greenapi:partnerApiUrl": emulator.url,
            "greenapi:apiUrl": emulator.url,
            "greenapi-fleet:webhookSigningKey": "gateway-cli-signing-key-7c21e0",
            "greenapi-fleet:tenants": JSON.stringify(tenants),
          },
          secretKeys: ["greenapi:partnerToken", "greenapi-fleet:webhookSigningKey"],
        });
      }, CLI_TIMEOUT_MS);

      afterAll(async () => {
        project?.close();
        await emulator?.close();
      });

      it(
        `up creates all ${N}, each once, without a failure; refresh finds no changes; destroy deletes all ${N}`,
        () => upRefreshDestroy(emulator, project, INSTANCE_TYPE, "dynamic provider"),
        TIMEOUT_MS,
      );
    });

    const yamlCli = cliWithYamlHost("test/cli/partner-gateway.test.ts");
    (yamlCli ? describe : describe.skip)("the greenapi plugin (a YAML program of 100 instances)", () => {
      let emulator: GreenApiEmulator;
      let project: PulumiCliProject;
      const PROJECT = "greenapi-gateway-yaml";
      const resources = Array.from(
        { length: N },
        (_, i) => `  bot${i}:\n    type: greenapi:index:Instance\n    properties:\n      incomingWebhook: true\n`,
      );
      const yaml = `name: ${PROJECT}\nruntime: yaml\nplugins:\n  providers:\n    - name: greenapi\n      path: ${PLUGIN_DIR}\nresources:\n${resources.join("")}`;

      beforeAll(async () => {
        emulator = await GreenApiEmulator.start({ partnerRateLimit: GREEN_API_PARTNER_RATE_LIMIT });
        project = await PulumiCliProject.create({
          cli: yamlCli!,
          preload: true,
          program: "",
          yaml,
          project: PROJECT,
          config: {
            "greenapi:partnerToken": emulator.partnerToken,
            "greenapi:partnerApiUrl": emulator.url,
            "greenapi:apiUrl": emulator.url,
          },
          secretKeys: ["greenapi:partnerToken"],
        });
      }, CLI_TIMEOUT_MS);

      afterAll(async () => {
        project?.close();
        await emulator?.close();
      });

      it(
        `up creates all ${N}, each once, without a failure; refresh finds no changes; destroy deletes all ${N}`,
        () => upRefreshDestroy(emulator, project, "greenapi:index:Instance", "plugin"),
        TIMEOUT_MS,
      );
    });
  },
);

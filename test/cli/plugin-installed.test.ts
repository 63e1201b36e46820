/**
 * The greenapi plugin installed as Pulumi users install providers: the linux-amd64 plugin archive
 * (scripts/plugin-pack.ts, packed here from the sources) into a fresh PULUMI_HOME with
 * `pulumi plugin install resource greenapi v<version> -f <archive>`, then a Pulumi YAML program with
 * no `plugins:` section and no node_modules through up, `refresh --expect-no-changes` and destroy
 * against the emulator.
 *
 * Nothing else may provide the plugin: directories on PATH holding a pulumi-resource-greenapi (the
 * npm package's node_modules/.bin) are left out of the CLI's PATH, and before the install the same
 * program fails for want of the plugin. Runs where a `pulumi` CLI and its YAML host are on PATH
 * (`npm run pulumi-cli`); with GREENAPI_REQUIRE_PULUMI_CLI set, a missing one fails the suite.
 */
import { accessSync, constants, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { GreenApiEmulator } from "../../emulator";
import { PulumiCliProject } from "../../harness/cli";
import { archiveName, LAUNCHER, packageVersion, packPlugin } from "../../scripts/plugin-pack";
import { alive, CLI_TIMEOUT_MS, expectNoCredentialInOutputs, expectStateHoldsCredentialsEncrypted } from "./cli-helpers";
import { cliWithYamlHost } from "./plugin-helpers";

const PROJECT = "greenapi-installed";
const STACK = "dev";
const VERSION = packageVersion();
const WEBHOOK_URL = "https://example.com/green-api/installed";

/** The program: nothing says where the plugin is. */
const PROGRAM = `name: ${PROJECT}
runtime: yaml
resources:
  support:
    type: greenapi:index:Instance
    properties:
      webhookUrl: ${WEBHOOK_URL}
      incomingWebhook: true
outputs:
  supportIdInstance: \${support.idInstance}
`;

const cli = cliWithYamlHost("test/cli/plugin-installed.test.ts");
const suite = cli ? describe : describe.skip;

function holdsPlugin(dir: string): boolean {
  try {
    accessSync(join(dir, LAUNCHER), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

suite(
  cli
    ? `the greenapi plugin installed from its archive, from a YAML program through the pulumi CLI (${cli})`
    : "the greenapi plugin installed from its archive — skipped: no CLI or YAML host",
  () => {
    let scratch: string;
    let archive: string;
    let emulator: GreenApiEmulator;
    let project: PulumiCliProject;

    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), "greenapi-installed-"));
      const [archives] = await Promise.all([
        packPlugin({ outDir: join(scratch, "archives") }),
        GreenApiEmulator.start().then((started) => (emulator = started)),
      ]);
      archive = archives.find((packed) => packed.platform === "linux-amd64")!.file;
      expect(archive).toBe(join(scratch, "archives", archiveName(VERSION, "linux-amd64")));
      project = await PulumiCliProject.create({
        cli: cli!,
        program: "",
        yaml: PROGRAM,
        project: PROJECT,
        stack: STACK,
        config: {
          "greenapi:partnerToken": emulator.partnerToken,
          "greenapi:partnerApiUrl": emulator.url,
          "greenapi:apiUrl": emulator.url,
          "greenapi:requestTimeoutSeconds": "5",
        },
        secretKeys: ["greenapi:partnerToken"],
        // The npm package's launcher out of the CLI's sight.
        env: {
          PATH: (process.env.PATH ?? "")
            .split(delimiter)
            .filter((dir) => dir && !holdsPlugin(dir))
            .join(delimiter),
        },
      });
    }, CLI_TIMEOUT_MS);

    afterAll(async () => {
      project?.close();
      await emulator?.close();
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    it(
      "before the install, nothing provides the plugin: the program fails asking for it",
      async () => {
        const preview = await project.attempt(["preview", "--stack", STACK]);
        expect(preview.exitCode).not.toBe(0);
        expect(preview.output).toContain("no resource plugin 'pulumi-resource-greenapi' found in the workspace or on your $PATH");
        expect(emulator.requests).toEqual([]);
      },
      CLI_TIMEOUT_MS,
    );

    it(
      "`pulumi plugin install resource greenapi v<version> -f <archive>` puts it in the fresh PULUMI_HOME's plugin cache",
      async () => {
        await project.run(["plugin", "install", "resource", "greenapi", `v${VERSION}`, "-f", archive]);
        const listed = JSON.parse((await project.run(["plugin", "ls", "--json"], { quiet: true })).stdout) as Array<{
          name: string;
          kind: string;
          version: string;
        }>;
        expect(listed.map(({ name, kind, version }) => ({ name, kind, version }))).toEqual([
          { name: "greenapi", kind: "resource", version: VERSION },
        ]);
        const installed = join(project.dir, "home", "plugins", `resource-greenapi-v${VERSION}`);
        expect(readdirSync(installed)).toEqual(expect.arrayContaining([LAUNCHER, "schema.json"]));
        expect(readdirSync(installed).filter((file) => file === "node_modules")).toEqual([]);
      },
      CLI_TIMEOUT_MS,
    );

    it(
      "the program then runs: up creates the instance, refresh finds no changes, destroy deletes it",
      async () => {
        await project.up();
        const [support] = alive(emulator);
        expect(alive(emulator)).toHaveLength(1);
        expect(support.settings).toMatchObject({ webhookUrl: WEBHOOK_URL, incomingWebhook: "yes" });
        expect(await project.outputs()).toEqual({ supportIdInstance: support.idInstance });

        emulator.resetCounts();
        await project.refresh({ expectNoChanges: true });
        // Read through the installed plugin, nothing written.
        expect(emulator.counts()).toMatchObject({ getInstances: 1 });
        expect(emulator.requests.filter((r) => !r.method.startsWith("get"))).toEqual([]);

        await project.destroy();
        expect(alive(emulator)).toEqual([]);
        expect(emulator.get(support.idInstance)!.deleted).toBe(true);

        const credentials = emulator.credentials();
        expectNoCredentialInOutputs(project, credentials);
        await expectStateHoldsCredentialsEncrypted(project, credentials);
      },
      CLI_TIMEOUT_MS,
    );
  },
);

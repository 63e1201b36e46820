/**
 * A Go program on the Go SDK generated from provider/plugin/schema.json, through the real `pulumi`
 * CLI and its Go language host, against the emulator: up, refresh with no changes, a getInstances
 * invoke, destroy. The SDK is generated on use (pulumi-gen-sdk, built by `npm run pulumi-cli`), as
 * a Go user would: nothing generated is committed.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { GreenApiEmulator } from "../../emulator";
import { PulumiCliProject } from "../../harness/cli";
import { alive, CLI_TIMEOUT_MS, credentials, expectNoCredentialInBackend, expectNoCredentialInOutputs } from "./cli-helpers";
import { cliWithTools, PLUGIN_DIR, toolBeside } from "./plugin-helpers";

const REPO_ROOT = resolve(__dirname, "..", "..");
const PROJECT = "greenapi-go";
/** The SDK's module: schema.json's language.go.importBasePath, less the package. */
const SDK_MODULE = "pulumi-greenapi/sdk/go";
/** The Go SDK the program builds against: the CLI's own version (tools/pulumi-cli/go.mod). */
const GO_SDK_VERSION = "v3.274.1";

const PROGRAM = `package main

import (
	"pulumi-greenapi/sdk/go/greenapi"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		bot, err := greenapi.NewInstance(ctx, "bot", &greenapi.InstanceArgs{
			TypeInstance:    pulumi.String("telegram"),
			IncomingWebhook: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}
		ctx.Export("idInstance", bot.IdInstance)
		ctx.Export("qrUrl", bot.QrUrl)
		// Filtered by the instance's name, the lookup runs once it exists.
		listed := greenapi.GetInstancesOutput(ctx, greenapi.GetInstancesOutputArgs{Name: bot.Name})
		ctx.Export("listedIds", listed.Instances().ApplyT(func(rows []greenapi.InstanceSummary) []int {
			ids := []int{}
			for _, row := range rows {
				ids = append(ids, row.IdInstance)
			}
			return ids
		}))
		// The plain invoke: rows without tokens hold nothing secret, so Go accepts the result.
		before, err := greenapi.GetInstances(ctx, &greenapi.GetInstancesArgs{})
		if err != nil {
			return err
		}
		ctx.Export("instancesBefore", pulumi.Int(len(before.Instances)))
		return nil
	})
}
`;

const cli = cliWithTools("test/cli/plugin-go.test.ts", ["pulumi-language-go", "pulumi-gen-sdk"]);
const suite = cli ? describe : describe.skip;

suite(
  cli ? `a Go program on the generated Go SDK through the pulumi CLI (${cli})` : "the Go SDK — skipped: no CLI, Go host or generator",
  () => {
    let emulator: GreenApiEmulator;
    let project: PulumiCliProject;

    beforeAll(async () => {
      emulator = await GreenApiEmulator.start();
      project = await PulumiCliProject.create({
        cli: cli!,
        preload: true,
        program: "",
        yaml: `name: ${PROJECT}\nruntime: go\nplugins:\n  providers:\n    - name: greenapi\n      path: ${PLUGIN_DIR}\n`,
        project: PROJECT,
        config: {
          "greenapi:partnerToken": emulator.partnerToken,
          "greenapi:partnerApiUrl": emulator.url,
          "greenapi:apiUrl": emulator.url,
        },
        secretKeys: ["greenapi:partnerToken"],
      });
      // The SDK as a Go user makes it: generated from the shipped schema into a module of its own.
      const sdk = join(project.dir, "sdk");
      mkdirSync(sdk);
      execFileSync(toolBeside(cli!, "pulumi-gen-sdk")!, [join(REPO_ROOT, "provider", "plugin", "schema.json"), sdk]);
      writeFileSync(join(sdk, "go.mod"), `module ${SDK_MODULE}\n\ngo 1.26\n\nrequire github.com/pulumi/pulumi/sdk/v3 ${GO_SDK_VERSION}\n`);
      writeFileSync(
        join(project.programDir, "go.mod"),
        `module ${PROJECT}\n\ngo 1.26\n\nrequire (\n\t${SDK_MODULE} v0.0.0\n\tgithub.com/pulumi/pulumi/sdk/v3 ${GO_SDK_VERSION}\n)\n\nreplace ${SDK_MODULE} => ../sdk\n`,
      );
      writeFileSync(join(project.programDir, "main.go"), PROGRAM);
      for (const dir of [sdk, project.programDir])
        execFileSync("go", ["mod", "tidy"], { cwd: dir, stdio: "pipe", timeout: CLI_TIMEOUT_MS });
    }, CLI_TIMEOUT_MS);

    afterAll(async () => {
      project?.close();
      await emulator?.close();
    });

    it(
      "up creates the instance and the invoke lists it; refresh finds no changes; destroy deletes it; nothing leaks",
      async () => {
        await project.up();
        const [bot] = alive(emulator);
        expect(alive(emulator)).toHaveLength(1);
        expect(bot).toMatchObject({ typeInstance: "telegram", settings: { incomingWebhook: "yes" } });
        // The lookups' rows carry no tokens (none asked for), so nothing of them is secret; the plain
        // invoke ran before the instance existed.
        expect(await project.outputs()).toEqual({
          idInstance: bot.idInstance,
          qrUrl: "[secret]",
          listedIds: [bot.idInstance],
          instancesBefore: 0,
        });
        expect((await project.outputs(true)).listedIds).toEqual([bot.idInstance]);

        await project.refresh({ expectNoChanges: true });
        await project.destroy();
        expect(emulator.get(bot.idInstance)!.deleted).toBe(true);

        const secrets = credentials(emulator);
        expectNoCredentialInOutputs(project, secrets);
        expectNoCredentialInBackend(project, secrets);
      },
      CLI_TIMEOUT_MS,
    );
  },
);

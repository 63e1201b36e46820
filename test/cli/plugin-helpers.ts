/** What the plugin's CLI tests share: the CLI with the tools they need beside it, and where the plugin is. */
import { accessSync, constants } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { pulumiCliForTests, REQUIRE_CLI_ENV } from "../../harness/cli";

/**
 * The directory a YAML program's `plugins.providers` names: the package's provider/plugin/bin, which
 * holds pulumi-resource-greenapi (node_modules/pulumi-greenapi/provider/plugin/bin in a user's project).
 */
export const PLUGIN_DIR = resolve(__dirname, "..", "..", "provider", "plugin", "bin");

/** A tool beside the CLI (where the CLI looks for plugins first) or on PATH. */
export function toolBeside(cli: string, name: string): string | undefined {
  const dirs = [dirname(cli), ...(process.env.PATH ?? "").split(delimiter).filter(Boolean)];
  return dirs
    .map((dir) => join(dir, name))
    .find((path) => {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/**
 * The CLI for a test file that also needs these tools beside it (language hosts, the SDK generator),
 * or undefined (the file then skips, saying why): like pulumiCliForTests, a missing tool fails
 * instead where GREENAPI_REQUIRE_PULUMI_CLI is set.
 */
export function cliWithTools(file: string, tools: string[]): string | undefined {
  const cli = pulumiCliForTests(file);
  const missing = cli ? tools.filter((tool) => !toolBeside(cli, tool)) : [];
  if (!cli || missing.length === 0) return cli;
  const required = process.env[REQUIRE_CLI_ENV];
  if (required && required !== "0") {
    throw new Error(
      `${file}: no ${missing.join(", ")} beside ${cli} or on PATH, and ${REQUIRE_CLI_ENV} is set: run \`npm run pulumi-cli\`.`,
    );
  }
  process.stderr.write(`${file} skipped: no ${missing.join(", ")} beside ${cli} or on PATH (npm run pulumi-cli builds them).\n`);
  return undefined;
}

/** The CLI for a YAML test file (see cliWithTools). */
export function cliWithYamlHost(file: string): string | undefined {
  return cliWithTools(file, ["pulumi-language-yaml"]);
}

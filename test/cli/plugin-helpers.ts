/** What the plugin's CLI tests share: the CLI with its YAML language host, and where the plugin is. */
import { accessSync, constants } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { pulumiCliForTests, REQUIRE_CLI_ENV } from "../../harness/pulumi-cli";

/**
 * The directory a YAML program's `plugins.providers` names: the package's provider/plugin/bin, which
 * holds pulumi-resource-greenapi (node_modules/pulumi-greenapi/provider/plugin/bin in a user's project).
 */
export const PLUGIN_DIR = resolve(__dirname, "..", "..", "provider", "plugin", "bin");

/** The YAML language host beside the CLI (where the CLI looks first) or on PATH. */
function yamlHost(cli: string): string | undefined {
  const dirs = [dirname(cli), ...(process.env.PATH ?? "").split(delimiter).filter(Boolean)];
  return dirs
    .map((dir) => join(dir, "pulumi-language-yaml"))
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
 * The CLI for a YAML test file, or undefined (the file then skips, saying why): like
 * pulumiCliForTests, a missing YAML host fails instead where GREENAPI_REQUIRE_PULUMI_CLI is set.
 */
export function cliWithYamlHost(file: string): string | undefined {
  const cli = pulumiCliForTests(file);
  if (!cli || yamlHost(cli)) return cli;
  const required = process.env[REQUIRE_CLI_ENV];
  if (required && required !== "0") {
    throw new Error(
      `${file}: no pulumi-language-yaml beside ${cli} or on PATH, and ${REQUIRE_CLI_ENV} is set: run \`npm run pulumi-cli\`.`,
    );
  }
  process.stderr.write(`${file} skipped: no pulumi-language-yaml beside ${cli} or on PATH (npm run pulumi-cli builds one).\n`);
  return undefined;
}

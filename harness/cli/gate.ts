/** Whether a CLI test file runs: skipped where there is no CLI, failed instead where CI says there must be one. */
import { findPulumiCli } from "./find";

/**
 * Set (to anything but "" or "0") where the CLI suite must run, as in CI: a missing `pulumi` then
 * fails the suite instead of skipping it.
 */
export const REQUIRE_CLI_ENV = "GREENAPI_REQUIRE_PULUMI_CLI";

/**
 * The CLI for a test file, or undefined (the file then skips, saying why on stderr) — unless
 * REQUIRE_CLI_ENV says the CLI must be there.
 */
export function pulumiCliForTests(file: string): string | undefined {
  const cli = findPulumiCli();
  if (cli) return cli;
  const required = process.env[REQUIRE_CLI_ENV];
  if (required && required !== "0") {
    throw new Error(
      `${file}: no pulumi CLI on PATH, and ${REQUIRE_CLI_ENV} is set: run \`npm run pulumi-cli\` and put the directory it prints first on PATH.`,
    );
  }
  // Straight to stderr: jest drops console output of a suite whose tests are all skipped.
  process.stderr.write(
    `${file} skipped: no pulumi CLI on PATH (npm run pulumi-cli builds one; the host-driven tests cover the lifecycle).\n`,
  );
  return undefined;
}

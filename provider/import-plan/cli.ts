#!/usr/bin/env node
/**
 * greenapi-import-plan (also `npx pulumi-greenapi import-plan`): writes a Pulumi import plan for every
 * live instance of a Green API account that no stack manages, or (--orphans) prints them as a table.
 *
 * The account is read with the provider's own client and configuration rules: GREEN_API_PARTNER_TOKEN
 * (or --partner-token-file; never the token itself on the command line, where shell history and
 * process lists keep it), GREEN_API_PARTNER_API_URL and the timeouts from the environment.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { PartnerClient } from "../greenapi/client";
import { PARTNER_CLIENT_ENV } from "../greenapi/client-settings";
import { GreenApiError } from "../greenapi/errors";
import { importPlan, orphans, PlanError, stackHoldings, type PlanOptions, type StackHoldings } from "./plan";

const USAGE = `Usage: greenapi-import-plan [options]

Writes a Pulumi import plan (pulumi import --file) for every live instance of the account that the
given stack does not manage, one greenapi:index:Instance each, named after the instance.

  --exclude-stack-state FILE   leave out the instances this stack manages (FILE: pulumi stack export)
  --type TYPE                  only this product (whatsapp, telegram, max, instagram); repeatable
  --name PATTERN               only instances whose name matches this regular expression
  --name-prefix PREFIX         put PREFIX before every resource name
  --out FILE                   write the plan to FILE (default: standard output)
  --orphans                    print a table of the instances instead of a plan
  --partner-token-file FILE    read the partner token from FILE instead of ${PARTNER_CLIENT_ENV.partnerToken}
  --partner-api-url URL        instead of ${PARTNER_CLIENT_ENV.partnerApiUrl} (default https://api.green-api.com)
  -h, --help

Then: pulumi import --file <plan> --yes   (adds the instances to the stack and prints their program)`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "exclude-stack-state": { type: "string" },
      type: { type: "string", multiple: true },
      name: { type: "string" },
      "name-prefix": { type: "string" },
      out: { type: "string" },
      orphans: { type: "boolean" },
      "partner-token-file": { type: "string" },
      "partner-api-url": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const options: PlanOptions = { types: values.type, namePrefix: values["name-prefix"], namePattern: pattern(values.name) };
  // Everything that can be wrong with the input is found before Green API is asked anything.
  const held = values["exclude-stack-state"] === undefined ? undefined : readState(values["exclude-stack-state"]);
  const tokenFile = values["partner-token-file"];
  const client = clientFrom(tokenFile, values["partner-api-url"]);
  try {
    process.stderr.write("greenapi-import-plan: reading the account's instances (one getInstances)…\n");
    const instances = await client.getInstances().catch((error: unknown) => {
      if (error instanceof GreenApiError && error.code === "unauthorized") {
        throw error.withAdvice(
          `Check ${tokenFile ? `the token in ${tokenFile}` : PARTNER_CLIENT_ENV.partnerToken} against the partner console.`,
          "the partner token was rejected",
        );
      }
      throw error;
    });
    const chosen = orphans(instances, held, options);
    const alive = instances.filter((item) => !item.deleted).length;
    process.stderr.write(
      `greenapi-import-plan: ${alive} live instances, ${chosen.length} not managed by the stack${held ? "" : " (no stack state given)"}.\n`,
    );
    const text = values.orphans ? table(chosen) : `${JSON.stringify(importPlan(chosen, held, options), null, 2)}\n`;
    if (values.out) writeFileSync(values.out, text);
    else process.stdout.write(text);
    return 0;
  } finally {
    await client.close();
  }
}

function pattern(source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch (error) {
    throw new PlanError(`--name: "${source}" is not a regular expression (${error instanceof Error ? error.message : String(error)}).`);
  }
}

function readState(file: string): StackHoldings {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new PlanError(`--exclude-stack-state: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  return stackHoldings(text, `--exclude-stack-state ${file}`);
}

function clientFrom(tokenFile: string | undefined, partnerApiUrl: string | undefined): PartnerClient {
  const env: Record<string, string | undefined> = { ...process.env };
  if (tokenFile !== undefined) {
    try {
      env[PARTNER_CLIENT_ENV.partnerToken] = readFileSync(tokenFile, "utf8").trim();
    } catch (error) {
      throw new PlanError(`--partner-token-file: cannot read ${tokenFile} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
    }
  }
  if (partnerApiUrl !== undefined) env[PARTNER_CLIENT_ENV.partnerApiUrl] = partnerApiUrl;
  return PartnerClient.fromEnv(env);
}

/** id, name, product, created, expires: one instance a line, aligned. */
function table(rows: ReturnType<typeof orphans>): string {
  const lines = [["idInstance", "name", "product", "created", "expires"]];
  for (const row of rows) {
    lines.push([String(row.idInstance), row.name ?? "", row.typeInstance ?? "", row.timeCreated ?? "", row.expirationDate ?? ""]);
  }
  const widths = lines[0].map((_, column) => Math.max(...lines.map((line) => line[column].length)));
  return (
    lines
      .map((line) =>
        line
          .map((cell, column) => cell.padEnd(widths[column]))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

// `npx pulumi-greenapi import-plan …` runs this same file under the package's name.
const args = process.argv.slice(2);
main(args[0] === "import-plan" ? args.slice(1) : args).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Messages are redacted (GreenApiError) or name a flag, a file or a variable — never a token.
    const message = error instanceof Error ? error.message : String(error);
    const usage = String((error as { code?: unknown }).code ?? "").startsWith("ERR_PARSE_ARGS") ? " (see --help)" : "";
    process.stderr.write(`greenapi-import-plan: ${message}${usage}\n`);
    process.exit(error instanceof GreenApiError ? 1 : 2);
  },
);

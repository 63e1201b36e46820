/**
 * One stack per customer, driven from your own service with Pulumi's Automation API: when a
 * customer signs up, `customerStack(customer, account)` creates (or selects) the customer's stack
 * and `up()` gives them a Green API instance sending its webhooks to the customer's URL; when they
 * leave, `destroy()` deletes it. The program is inline — a function in this process — so there is
 * no Pulumi project directory to deploy, only the `pulumi` CLI on PATH.
 *
 *   npm run build
 *   GREEN_API_PARTNER_TOKEN=<partner token> WEBHOOK_SIGNING_KEY=<long random string> \
 *     node dist/examples/automation/index.js up acme globex
 *   node dist/examples/automation/index.js destroy globex
 *
 * See README.md for the state backend and the passphrase.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, type LocalWorkspaceOptions, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import { GreenApiInstance } from "pulumi-greenapi";

/** The Pulumi project every customer stack belongs to. */
export const PROJECT = "greenapi-customers";

export interface Customer {
  /** Becomes the stack name and part of the instance's name: lowercase letters, digits, dashes. */
  id: string;
  /** Where Green API sends this customer's webhooks (https). */
  webhookUrl: string;
  /** Sent by Green API in the Authorization header of each webhook; stored only encrypted. */
  webhookUrlToken: string;
}

/** The partner account the instances are created in (the `greenapi:*` stack config). */
export interface PartnerAccount {
  partnerToken: string;
  /** Default https://api.green-api.com. */
  partnerApiUrl?: string;
  /** Default https://api.green-api.com. */
  apiUrl?: string;
}

/** The customer's resources: one instance with its webhook. Outputs become the stack's outputs. */
export function customerProgram(customer: Customer): PulumiFn {
  return async () => {
    const instance = new GreenApiInstance(`customer-${customer.id}`, {
      webhookUrl: customer.webhookUrl,
      webhookUrlToken: pulumi.secret(customer.webhookUrlToken),
      incomingWebhook: true,
      outgoingMessageWebhook: true,
      stateWebhook: true,
    });
    return {
      idInstance: instance.idInstance,
      stateInstance: instance.stateInstance,
      // Secret: the QR page URL embeds the instance's token. Show it to the customer to link a phone.
      qrUrl: pulumi.secret(instance.qrUrl),
    };
  };
}

/**
 * The customer's stack, created on first use, with the partner account in its config (the token
 * encrypted by the stack's secrets provider). `options` is passed to the workspace: `envVars` for
 * the state backend and passphrase, `workDir` for where the stack's settings files live.
 */
export async function customerStack(customer: Customer, account: PartnerAccount, options: LocalWorkspaceOptions = {}): Promise<Stack> {
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(customer.id)) {
    throw new Error(`customer id "${customer.id}" must be lowercase letters, digits and dashes (at most 40)`);
  }
  const stack = await LocalWorkspace.createOrSelectStack(
    { projectName: PROJECT, stackName: customer.id, program: customerProgram(customer) },
    options,
  );
  await stack.setAllConfig({
    "greenapi:partnerToken": { value: account.partnerToken, secret: true },
    ...(account.partnerApiUrl ? { "greenapi:partnerApiUrl": { value: account.partnerApiUrl } } : {}),
    ...(account.apiUrl ? { "greenapi:apiUrl": { value: account.apiUrl } } : {}),
  });
  return stack;
}

/** `up <customer>…` or `destroy <customer>…`, with the account and signing key from the environment. */
async function main(argv: string[]): Promise<void> {
  const [command, ...ids] = argv;
  const partnerToken = process.env.GREEN_API_PARTNER_TOKEN;
  const signingKey = process.env.WEBHOOK_SIGNING_KEY;
  if ((command !== "up" && command !== "destroy") || ids.length === 0 || !partnerToken || !signingKey) {
    throw new Error("usage: GREEN_API_PARTNER_TOKEN=… WEBHOOK_SIGNING_KEY=… node index.js up|destroy <customer id>…");
  }
  const webhookBaseUrl = (process.env.WEBHOOK_BASE_URL ?? "https://hooks.example.com/green-api").replace(/\/+$/, "");
  for (const id of ids) {
    const customer: Customer = {
      id,
      webhookUrl: `${webhookBaseUrl}/${id}`,
      // One secret key, a different token per customer (as in examples/fleet).
      webhookUrlToken: createHmac("sha256", signingKey).update(id).digest("hex"),
    };
    // The stack's settings files are written again on every call: a throwaway workDir will do.
    const workDir = mkdtempSync(join(tmpdir(), "greenapi-stack-"));
    try {
      const stack = await customerStack(
        customer,
        { partnerToken, partnerApiUrl: process.env.GREEN_API_PARTNER_API_URL, apiUrl: process.env.GREEN_API_URL },
        { workDir },
      );
      if (command === "up") {
        const result = await stack.up({ onOutput: (text) => process.stdout.write(text) });
        console.log(`${id}: idInstance ${result.outputs.idInstance.value}`);
      } else {
        await stack.destroy({ onOutput: (text) => process.stdout.write(text) });
        await stack.workspace.removeStack(stack.name);
        console.log(`${id}: instance deleted, stack removed`);
      }
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}

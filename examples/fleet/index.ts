/**
 * One Green API instance per tenant, each with its own webhook URL and its own webhook token.
 *
 *   pulumi config set --secret greenapi:partnerToken <partner token>
 *   pulumi config set --secret webhookSigningKey <a long random string>
 *   pulumi config set tenants '["acme","globex","initech"]'   # optional; default acme, globex
 *   pulumi up
 *
 * Adding a tenant to the list creates its instance; removing one deletes it (after logging a linked
 * phone out). `pulumi stack output qrUrls --show-secrets` prints each tenant's QR page.
 */
import { createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { GreenApiInstance } from "pulumi-greenapi";

const config = new pulumi.Config();
const tenants = config.getObject<string[]>("tenants") ?? ["acme", "globex"];
const webhookBaseUrl = (config.get("webhookBaseUrl") ?? "https://hooks.example.com/green-api").replace(/\/+$/, "");
// One secret in the config, a different token for every tenant: HMAC-SHA256(key, tenant). The
// webhook receiver recomputes it to check each call's Authorization header, and it is the same on
// every run, so it never shows as a change.
const signingKey = config.requireSecret("webhookSigningKey");

for (const [index, tenant] of tenants.entries()) {
  // The tenant becomes part of resource names, instance names and URLs.
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(tenant)) {
    throw new Error(`tenants[${index}]: "${tenant}" must be lowercase letters, digits and dashes (at most 40)`);
  }
  if (tenants.indexOf(tenant) !== index) throw new Error(`tenants: "${tenant}" is listed twice`);
}

const instances: Record<string, GreenApiInstance> = {};
for (const tenant of tenants) {
  instances[tenant] = new GreenApiInstance(`tenant-${tenant}`, {
    webhookUrl: `${webhookBaseUrl}/${tenant}`,
    webhookUrlToken: signingKey.apply((key) => createHmac("sha256", key).update(tenant).digest("hex")),
    incomingWebhook: true,
    outgoingMessageWebhook: true,
    stateWebhook: true,
  });
}

function byTenant<T>(pick: (instance: GreenApiInstance) => pulumi.Output<T>) {
  return pulumi.all(Object.fromEntries(Object.entries(instances).map(([tenant, instance]) => [tenant, pick(instance)])));
}

/** tenant → idInstance */
export const idInstances = byTenant((instance) => instance.idInstance);
/** tenant → QR page URL; secret, because each URL embeds the instance's token. */
export const qrUrls = pulumi.secret(byTenant((instance) => instance.qrUrl));

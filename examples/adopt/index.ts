/**
 * Take over a Green API instance that already exists (made in the console or by a script) and
 * manage its settings from here. Dynamic resources cannot be `pulumi import`ed; `adoptIdInstance`
 * is how this provider adopts one: no instance is created, the declared settings are applied.
 *
 *   pulumi config set --secret greenapi:partnerToken <partner token>
 *   pulumi config set adoptIdInstance 1101728000
 *   pulumi config set --secret webhookUrlToken <token your webhook receiver expects>   # optional
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { GreenApiInstance } from "pulumi-greenapi";

const config = new pulumi.Config();

const adopted = new GreenApiInstance(
  "adopted",
  {
    adoptIdInstance: config.requireNumber("adoptIdInstance"),
    // No `name`: the instance keeps the name it has (Green API cannot rename; a different name would
    // mean a different instance).
    webhookUrl: config.get("webhookUrl") ?? "https://hooks.example.com/green-api/adopted",
    webhookUrlToken: config.getSecret("webhookUrlToken"),
    incomingWebhook: true,
    stateWebhook: true,
    keepOnlineStatus: false,
  },
  {
    // An adopted instance is managed like any other: without this option, `pulumi destroy` (or
    // removing this resource) logs its phone out and DELETES the instance. With it, Pulumi only
    // forgets the instance and leaves it running. Remove the line once this stack should own the
    // instance outright. To forget it without touching it at any time: `pulumi state delete <urn>`
    // (`pulumi stack --show-urns` lists the URNs).
    retainOnDelete: true,
  },
);

export const idInstance = adopted.idInstance;
export const name = adopted.name;
export const stateInstance = adopted.stateInstance;
/** Secret: the QR page URL embeds the instance's token. */
export const qrUrl = adopted.qrUrl;

/**
 * Two Green API instances: a support bot with webhooks, and a plain instance with defaults.
 *
 *   pulumi config set --secret greenapi:partnerToken <token>
 *   pulumi up
 *
 * Open the (secret) QR URLs with `pulumi stack output --show-secrets` and scan them with WhatsApp.
 */
import * as pulumi from "@pulumi/pulumi";
import { GreenApiInstance } from "pulumi-greenapi";

const config = new pulumi.Config();

const support = new GreenApiInstance("support-bot", {
  webhookUrl: config.get("webhookUrl") ?? "https://example.com/green-api/webhook",
  webhookUrlToken: config.getSecret("webhookUrlToken"),
  delaySendMessagesMilliseconds: 1000,
  incomingWebhook: true,
  outgoingMessageWebhook: "yes",
  stateWebhook: true,
});

// Green API cannot rename an instance: a new salesName replaces it (the new one is created first).
const sales = new GreenApiInstance("sales", { name: config.get("salesName") });

export const supportIdInstance = support.idInstance;
export const supportApiToken = support.apiTokenInstance;
export const supportQrUrl = support.qrUrl;
export const salesIdInstance = sales.idInstance;
export const salesApiToken = sales.apiTokenInstance;
export const salesQrUrl = sales.qrUrl;

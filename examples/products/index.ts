/**
 * A Telegram and a MAX instance for one customer, each ready (its QR page working) when `pulumi up`
 * ends. Each instance's API calls go to its own host (Green API's apiUrlInstance), and MAX's carry
 * the `/v3` path prefix: nothing to configure per product.
 *
 *   pulumi config set --secret greenapi:partnerToken <token>
 *   pulumi config set customerId <your id for the customer>
 *   pulumi config set greenapi:operationTimeoutSeconds 400   # Green API takes up to ~5 min to build an instance
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import { GreenApiInstance } from "pulumi-greenapi";

const config = new pulumi.Config();
// Your own id for the customer: getInstances lists it with each instance, and it cannot change later.
const customerId = config.require("customerId");

const common = {
  partnerUserUiid: customerId,
  countryInstance: config.get("country") ?? "ru",
  webhookUrl: config.get("webhookUrl") ?? "https://example.com/green-api/webhook",
  incomingWebhook: true,
  stateWebhook: true,
  waitForReady: true,
};

const telegram = new GreenApiInstance("telegram", { ...common, typeInstance: "telegram" });
const max = new GreenApiInstance("max", { ...common, typeInstance: "max" });

export const telegramIdInstance = telegram.idInstance;
export const telegramApiUrl = telegram.apiUrl;
export const telegramState = telegram.stateInstance;
export const telegramQrUrl = telegram.qrUrl;
export const maxIdInstance = max.idInstance;
export const maxApiUrl = max.apiUrl;
export const maxState = max.stateInstance;
export const maxQrUrl = max.qrUrl;

/** The client's schemas against every documented wire example in test/fixtures/greenapi. */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as wire from "../../provider/greenapi/schemas";
import { settingsFromWire, settingsToWire } from "../../provider/greenapi/settings";

export const FIXTURES = join(__dirname, "..", "fixtures", "greenapi");
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), "utf8"));

const RESPONSE_SCHEMAS: Record<string, { safeParse(v: unknown): { success: boolean } }> = {
  "createInstance.response.json": wire.createInstanceResponse,
  "getInstances.response.json": wire.getInstancesResponse,
  "deleteInstanceAccount.response.json": wire.deleteInstanceAccountResponse,
  "getSettings.response.2023.json": wire.getSettingsResponse,
  "getSettings.response.current.json": wire.getSettingsResponse,
  "setSettings.response.json": wire.setSettingsResponse,
  "getStateInstance.authorized.json": wire.getStateInstanceResponse,
  "getStateInstance.creating.json": wire.getStateInstanceResponse,
  "getStateInstance.notAuthorized.json": wire.getStateInstanceResponse,
  "getStateInstance.starting.json": wire.getStateInstanceResponse,
  "qr.alreadyLogged.json": wire.qrResponse,
  "qr.error.json": wire.qrResponse,
  "qr.qrCode.json": wire.qrResponse,
  "logout.response.json": wire.logoutResponse,
  "reboot.response.json": wire.rebootResponse,
};

describe("wire schemas", () => {
  it("cover every documented response fixture", () => {
    const responses = readdirSync(FIXTURES).filter((f) => f.endsWith(".json") && !f.includes(".request.") && !f.startsWith("error."));
    expect(responses.sort()).toEqual(Object.keys(RESPONSE_SCHEMAS).sort());
  });

  it.each(Object.entries(RESPONSE_SCHEMAS))("accepts %s", (file, schema) => {
    expect(schema.safeParse(fixture(file)).success).toBe(true);
  });

  it("rejects a create answer without a token (an error body is not a success)", () => {
    expect(wire.createInstanceResponse.safeParse(fixture("error.unauthorized.json")).success).toBe(false);
    expect(wire.getInstancesResponse.safeParse(fixture("error.unauthorized.json")).success).toBe(false);
  });

  it("reads the 2023 getSettings body: missing newer flags stay unknown, deprecated extras are ignored", () => {
    const settings = settingsFromWire(fixture("getSettings.response.2023.json"));
    expect(settings).toEqual({
      webhookUrl: "https://mysite.com/webhook/green-api/",
      webhookUrlToken: "",
      delaySendMessagesMilliseconds: 3000,
      markIncomingMessagesReaded: true,
      markIncomingMessagesReadedOnReply: false,
      outgoingWebhook: true,
      outgoingMessageWebhook: true,
      stateWebhook: true,
      incomingWebhook: true,
      deviceWebhook: false,
    });
  });

  it("writes the documented createInstance and setSettings request bodies", () => {
    for (const file of ["createInstance.request.json", "setSettings.request.json"]) {
      const body = fixture(file);
      expect(settingsToWire(settingsFromWire(body))).toEqual(body);
    }
  });
});

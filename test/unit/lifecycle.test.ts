/** check and diff: validation and normalization, no network. */
import { check, diff } from "../../provider/dynamic";
import { changedSettings } from "../../provider/lifecycle/diff";
import { instanceApiUrl } from "../../provider/lifecycle/hosts";
import { UNKNOWN } from "../../provider/lifecycle/inputs";

const base = { __autoName: "bot-abc1234" };

describe("check", () => {
  it("normalizes yes/no flags to booleans and fills the auto-name", async () => {
    const { inputs, failures } = await check({}, { ...base, incomingWebhook: "yes", stateWebhook: false, keepOnlineStatus: true });
    expect(failures).toBeUndefined();
    expect(inputs).toEqual({ ...base, name: "bot-abc1234", incomingWebhook: true, stateWebhook: false, keepOnlineStatus: true });
  });

  it("accepts a resource's apiUrl only over https, or plain http to loopback (tokens travel in the URL path)", async () => {
    const failing = await check({}, { ...base, apiUrl: "http://7103.api.greenapi.com" });
    expect(failing.failures).toEqual([
      { property: "apiUrl", reason: expect.stringMatching(/must be an https URL: Green API tokens travel in the URL path/) },
    ]);
    for (const apiUrl of ["https://7103.api.greenapi.com", "http://127.0.0.1:7700", "http://localhost:7700", "http://[::1]:7700"]) {
      expect((await check({}, { ...base, apiUrl })).failures).toBeUndefined();
    }
  });

  it("keeps the name the resource already has when the program drops an explicit one", async () => {
    const { inputs } = await check({ name: "support" }, { ...base });
    expect(inputs.name).toBe("support");
  });

  it("reports every bad property by name, and never a secret's name (the engine prints the value)", async () => {
    const { failures } = await check(
      {},
      {
        ...base,
        delaySendMessagesMilliseconds: 499,
        webhookUrl: "ftp://example.com",
        incomingWebhook: "maybe",
        webhookUrlToken: 42,
        colour: "green",
      },
    );
    const byProperty = Object.fromEntries(failures!.map((f) => [f.property, f.reason]));
    expect(byProperty.delaySendMessagesMilliseconds).toMatch(/at least 500/);
    expect(byProperty.webhookUrl).toMatch(/http\(s\) URL/);
    expect(byProperty.incomingWebhook).toMatch(/yes/);
    expect(byProperty.colour).toMatch(/unknown property/);
    expect(byProperty[""]).toMatch(/^webhookUrlToken/);
    expect(failures).toHaveLength(5);
  });

  it("accepts the documented limits and an empty webhookUrl", async () => {
    for (const delay of [500, 600_000]) {
      expect((await check({}, { ...base, delaySendMessagesMilliseconds: delay, webhookUrl: "" })).failures).toBeUndefined();
    }
    expect((await check({}, { ...base, delaySendMessagesMilliseconds: 1000.5 })).failures?.[0].property).toBe(
      "delaySendMessagesMilliseconds",
    );
  });

  it("tolerates preview's unknown values", async () => {
    const { failures, inputs } = await check({}, { ...base, webhookUrl: UNKNOWN, incomingWebhook: UNKNOWN, name: UNKNOWN });
    expect(failures).toBeUndefined();
    expect(inputs).toMatchObject({ webhookUrl: UNKNOWN, incomingWebhook: UNKNOWN, name: UNKNOWN });
  });
});

describe("diff", () => {
  const outputs = { idInstance: 1, name: "bot", incomingWebhook: true, webhookUrl: "https://a.example", __provider: "old text" };

  it("sees no change between two spellings of a flag, nor in __provider", async () => {
    const { inputs } = await check({}, { name: "bot", incomingWebhook: "yes", webhookUrl: "https://a.example", __provider: "new text" });
    expect(await diff("1", outputs as never, inputs as never)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it("updates settings in place and replaces on a new name, creating before deleting", async () => {
    expect(await diff("1", outputs as never, { name: "bot", incomingWebhook: false } as never)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect((await diff("1", outputs as never, { name: "bot-2" } as never)).replaces).toEqual(["name"]);
  });

  it("treats an unknown value as a change", async () => {
    expect((await diff("1", outputs as never, { name: "bot", webhookUrl: UNKNOWN } as never)).changes).toBe(true);
  });

  it("ignores settings the program does not declare", async () => {
    expect((await diff("1", outputs as never, { name: "bot" } as never)).changes).toBe(false);
  });

  it("sends only settings to setSettings: apiUrl and logoutOnDelete change without an API call", () => {
    const news = { name: "bot", apiUrl: "https://7103.api.green-api.com", logoutOnDelete: false, incomingWebhook: false };
    expect(changedSettings(outputs, news)).toEqual({ incomingWebhook: false });
    expect(changedSettings(outputs, { ...news, incomingWebhook: true })).toEqual({});
  });
});

describe("products and partner fields", () => {
  const outputs = { idInstance: 1, name: "bot", typeInstance: "v3", partnerUserUiid: "c-1", countryInstance: "ru" };

  it("validates typeInstance, countryInstance and partnerUserUiid at check, each named", async () => {
    const { failures } = await check({}, { ...base, typeInstance: "signal", countryInstance: "Russia", partnerUserUiid: " " });
    const byProperty = Object.fromEntries(failures!.map((f) => [f.property, f.reason]));
    expect(byProperty.typeInstance).toMatch(/"whatsapp", "telegram", "max" or "instagram"/);
    expect(byProperty.countryInstance).toMatch(/two-letter/);
    expect(byProperty.partnerUserUiid).toMatch(/empty/);
    for (const typeInstance of ["whatsapp", "telegram", "max", "instagram", "v3"]) {
      expect((await check({}, { ...base, typeInstance, countryInstance: "kz", partnerUserUiid: "c-1" })).failures).toBeUndefined();
    }
  });

  it("holds each product to its own documented delay range, naming the property", async () => {
    const instagram = await check({}, { ...base, typeInstance: "instagram", delaySendMessagesMilliseconds: 60_001 });
    expect(instagram.failures).toEqual([
      { property: "delaySendMessagesMilliseconds", reason: "must be at most 60000 for instagram instances (Green API's maximum there)" },
    ]);
    expect((await check({}, { ...base, typeInstance: "instagram", delaySendMessagesMilliseconds: 60_000 })).failures).toBeUndefined();
    for (const typeInstance of ["whatsapp", "telegram", "max"]) {
      expect((await check({}, { ...base, typeInstance, delaySendMessagesMilliseconds: 600_000 })).failures).toBeUndefined();
    }
  });

  it("takes waitForReady as a boolean; a stored state still starting makes the next up wait again", async () => {
    expect((await check({}, { ...base, waitForReady: "yes" })).failures).toEqual([
      { property: "waitForReady", reason: "must be true or false" },
    ]);
    const starting = { ...outputs, stateInstance: "starting" };
    expect((await diff("1", starting as never, { name: "bot", waitForReady: true } as never)).changes).toBe(true);
    expect((await diff("1", starting as never, { name: "bot" } as never)).changes).toBe(false);
    expect(
      (await diff("1", { ...outputs, stateInstance: "notAuthorized" } as never, { name: "bot", waitForReady: true } as never)).changes,
    ).toBe(false);
  });

  it("sees max and Green API's v3 as one product, and replaces on any change, old instance first when the name stays", async () => {
    expect(await diff("1", outputs as never, { name: "bot", typeInstance: "max" } as never)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await diff("1", outputs as never, { name: "bot", typeInstance: "telegram", partnerUserUiid: "c-2" } as never)).toEqual({
      changes: true,
      replaces: ["typeInstance", "partnerUserUiid"],
      deleteBeforeReplace: true,
    });
    // A new name frees the old one: create the new instance first.
    expect((await diff("1", outputs as never, { name: "bot-2", countryInstance: "kz" } as never)).deleteBeforeReplace).toBe(false);
    expect(changedSettings(outputs, { name: "bot", countryInstance: "kz", incomingWebhook: true })).toEqual({ incomingWebhook: true });
  });

  it("uses an instance's own host only when it is https (or loopback http)", () => {
    expect(instanceApiUrl({ own: "https://4100.api.green-api.com/" }, "https://api.green-api.com")).toBe("https://4100.api.green-api.com");
    expect(
      instanceApiUrl({ declared: "https://mine.example.com", own: "https://4100.api.green-api.com" }, "https://api.green-api.com"),
    ).toBe("https://mine.example.com");
    expect(instanceApiUrl({ own: "http://4100.api.green-api.com" }, "https://api.green-api.com")).toBe("https://api.green-api.com");
    expect(instanceApiUrl({ own: "http://127.0.0.1:7701" }, "https://api.green-api.com")).toBe("http://127.0.0.1:7701");
    expect(instanceApiUrl({ own: "" }, "https://api.green-api.com")).toBe("https://api.green-api.com");
    // A stored outputs' host stands in only when neither a declared nor a usable own host does.
    expect(
      instanceApiUrl({ own: "http://4100.api.green-api.com", lastUsed: "https://7103.api.green-api.com" }, "https://api.green-api.com"),
    ).toBe("https://7103.api.green-api.com");
  });
});

/**
 * GreenApiInstance through Pulumi's own provider host, driven over gRPC in the engine's order,
 * against the emulator: the proof that `pulumi up`, `refresh` and `destroy` do the right thing.
 */
import { HostError, CheckFailedError, ProviderHost, startConfiguredHost, withoutDeveloperSettings } from "../../harness";
import { INSTANCE_TYPE, goals, startStack, useStack } from "./stack";

const stack = useStack();

const onlyEntry = () => {
  const entries = [...stack.engine.state.values()];
  expect(entries).toHaveLength(1);
  return entries[0];
};

describe("GreenApiInstance through Pulumi's provider host", () => {
  it("creates an instance with its declared settings, in one createInstance", async () => {
    const registrations = await stack.declare({
      "support-bot": {
        name: "support-bot-basic",
        webhookUrl: "https://hooks.example.com/green",
        webhookUrlToken: "hook-credential-1",
        delaySendMessagesMilliseconds: 1500,
        incomingWebhook: true,
        outgoingMessageWebhook: "yes",
        stateWebhook: "no",
      },
    });
    expect(registrations[0].type).toBe(INSTANCE_TYPE);
    const steps = await stack.engine.up(goals(registrations));
    expect(steps.map((s) => s.op)).toEqual(["create"]);

    const entry = onlyEntry();
    const live = stack.emulator.get(Number(entry.id))!;
    expect(stack.emulator.count("createInstance")).toBe(1);
    expect(live.name).toBe("support-bot-basic");
    expect(live.settings).toMatchObject({
      webhookUrl: "https://hooks.example.com/green",
      webhookUrlToken: "hook-credential-1",
      delaySendMessagesMilliseconds: 1500,
      incomingWebhook: "yes",
      outgoingMessageWebhook: "yes",
      stateWebhook: "no",
    });
    expect(entry.id).toBe(String(live.idInstance));
    expect(entry.outputs).toMatchObject({
      idInstance: live.idInstance,
      apiTokenInstance: live.apiTokenInstance,
      qrUrl: `https://qr.green-api.com/waInstance${live.idInstance}/${live.apiTokenInstance}`,
      typeInstance: "whatsapp",
      name: "support-bot-basic",
      timeCreated: live.timeCreated,
      expirationDate: live.expirationDate,
      isExpired: false,
      tariff: live.tariff,
      webhookUrl: "https://hooks.example.com/green",
      webhookUrlToken: "hook-credential-1",
      delaySendMessagesMilliseconds: 1500,
      incomingWebhook: true,
      outgoingMessageWebhook: true,
      stateWebhook: false,
      apiUrl: stack.emulator.url,
    });
  });

  it("marks the token, the QR URL and the webhook token secret, and keeps credentials out of __provider", async () => {
    const [registration] = await stack.declare({ bot: { webhookUrlToken: "hook-credential-2" } });
    expect(registration.additionalSecretOutputs).toEqual(expect.arrayContaining(["apiTokenInstance", "qrUrl", "webhookUrlToken"]));
    expect(registration.secretInputs).toContain("webhookUrlToken");
    const provider = String(registration.inputs.__provider);
    expect(Buffer.byteLength(provider)).toBeLessThan(128); // stored twice in every entry
    expect(provider).not.toContain(stack.emulator.partnerToken);
    expect(provider).not.toContain("hook-credential-2");

    await stack.engine.up(goals([registration]));
    const { outputs } = onlyEntry();
    expect(outputs.__provider).toBe(provider);
  });

  it("auto-names an instance <resource name>-<7 characters>, stable across runs", async () => {
    const first = await stack.declare({ "sales-bot": {} });
    const again = await stack.declare({ "sales-bot": {} });
    expect(first[0].inputs.__autoName).toMatch(/^sales-bot-[a-z0-9]{7}$/);
    expect(again[0].inputs.__autoName).toBe(first[0].inputs.__autoName);
    await stack.engine.up(goals(first));
    expect(stack.emulator.get(Number(onlyEntry().id))!.name).toBe(first[0].inputs.__autoName);
  });

  it("refreshes right after up with no change, then plans no change", async () => {
    const registrations = await stack.declare({ bot: { incomingWebhook: "yes", webhookUrl: "https://a.example.com/h" } });
    await stack.engine.up(goals(registrations));
    const before = onlyEntry();
    expect((await stack.engine.refresh()).map((s) => s.op)).toEqual(["refresh-same"]);
    expect(onlyEntry()).toEqual(before);
    // Settings the program leaves to Green API are not in the outputs: nothing to learn, nothing to drift.
    expect(onlyEntry().outputs.outgoingWebhook).toBeUndefined();
    // The same program with the other spelling of the flag: nothing to do.
    const respelled = await stack.declare({ bot: { incomingWebhook: true, webhookUrl: "https://a.example.com/h" } });
    expect((await stack.engine.up(goals(respelled))).map((s) => s.op)).toEqual(["same"]);
    expect(stack.emulator.count("createInstance")).toBe(1);
    expect(stack.emulator.count("setSettings")).toBe(0);
  });

  it("has no changes after up whatever Green API's defaults for undeclared settings are", async () => {
    // Green API's documents disagree: flags "off" or "yes", a delay of 500, 3000 or 5000 ms.
    const other = await startStack({
      emulator: {
        createDefaults: { outgoingWebhook: "yes", stateWebhook: "yes", keepOnlineStatus: "yes", delaySendMessagesMilliseconds: 500 },
      },
    });
    try {
      await other.engine.up(goals(await other.declare({ bot: { incomingWebhook: true } })));
      const [entry] = [...other.engine.state.values()];
      expect(other.emulator.get(Number(entry.id))!.settings).toMatchObject({ outgoingWebhook: "yes", incomingWebhook: "yes" });
      expect((await other.engine.refresh()).map((s) => s.op)).toEqual(["refresh-same"]);
      expect([...other.engine.state.values()][0]).toEqual(entry);
      expect(entry.outputs).toMatchObject({ incomingWebhook: true });
      for (const undeclared of ["outgoingWebhook", "stateWebhook", "keepOnlineStatus", "delaySendMessagesMilliseconds"]) {
        expect(entry.outputs[undeclared]).toBeUndefined();
      }
    } finally {
      await other.close();
    }
  });

  it("drops an instance deleted outside Pulumi on refresh, and the next up creates it again", async () => {
    const registrations = await stack.declare({ bot: {} });
    await stack.engine.up(goals(registrations));
    const { id } = onlyEntry();
    stack.emulator.deleteOutOfBand(Number(id));

    expect((await stack.engine.refresh()).map((s) => s.op)).toEqual(["refresh-gone"]);
    expect(stack.engine.state.size).toBe(0);

    expect((await stack.engine.up(goals(registrations))).map((s) => s.op)).toEqual(["create"]);
    expect(onlyEntry().id).not.toBe(id);
  });

  it("picks up an instance token reset in the console on refresh", async () => {
    await stack.engine.up(goals(await stack.declare({ bot: {} })));
    const { id } = onlyEntry();
    const reset = "5ec0nd70ken5ec0nd70ken5ec0nd70ken5ec0nd70ken5ec0nd";
    stack.emulator.changeOutOfBand(Number(id), { apiTokenInstance: reset });
    await stack.engine.refresh();
    expect(onlyEntry().outputs).toMatchObject({
      apiTokenInstance: reset,
      qrUrl: `https://qr.green-api.com/waInstance${id}/${reset}`,
      stateInstance: "notAuthorized", // read with the new token
    });
  });

  it("tells the user to refresh when an update meets an instance deleted outside Pulumi", async () => {
    await stack.engine.up(goals(await stack.declare({ bot: { incomingWebhook: false } })));
    stack.emulator.deleteOutOfBand(Number(onlyEntry().id));
    const error: HostError = await stack.engine.up(goals(await stack.declare({ bot: { incomingWebhook: true } }))).catch((e) => e);
    expect(error.message).toMatch(/setSettings: the instance has been deleted outside Pulumi.*pulumi refresh.*pulumi up/s);
    expect((await stack.engine.refresh()).map((s) => s.op)).toEqual(["refresh-gone"]);
  });

  it("changes a setting in place with one setSettings, and replaces on a new name (create first)", async () => {
    await stack.engine.up(goals(await stack.declare({ bot: { name: "bot-v1", incomingWebhook: true, stateWebhook: true } })));
    const { id } = onlyEntry();

    const steps = await stack.engine.up(
      goals(await stack.declare({ bot: { name: "bot-v1", incomingWebhook: false, stateWebhook: true } })),
    );
    expect(steps.map((s) => s.op)).toEqual(["update"]);
    expect(stack.emulator.count("setSettings")).toBe(1);
    const setSettings = stack.emulator.requests.filter((r) => r.method === "setSettings");
    expect(setSettings.map((r) => r.body)).toEqual([{ incomingWebhook: "no" }]);
    expect(onlyEntry()).toMatchObject({ id, outputs: { incomingWebhook: false, stateWebhook: true, idInstance: Number(id) } });
    expect(onlyEntry().outputs.apiTokenInstance).toBe(stack.emulator.get(Number(id))!.apiTokenInstance);

    const replaced = await stack.engine.up(goals(await stack.declare({ bot: { name: "bot-v2", incomingWebhook: false } })));
    expect(replaced.map((s) => s.op)).toEqual(["replace"]);
    const order = stack.emulator.requests.map((r) => r.method).filter((m) => m === "createInstance" || m === "deleteInstanceAccount");
    expect(order.slice(-2)).toEqual(["createInstance", "deleteInstanceAccount"]);
    expect(stack.emulator.get(Number(id))!.deleted).toBe(true);
    expect(onlyEntry().outputs.name).toBe("bot-v2");
  });

  it("destroys with deleteInstanceAccount, and an instance already deleted counts as destroyed", async () => {
    await stack.engine.up(goals(await stack.declare({ a: {}, b: {} })));
    const [a, b] = [...stack.engine.state.values()].map((e) => Number(e.id));
    stack.emulator.deleteOutOfBand(b);

    expect((await stack.engine.destroy()).map((s) => s.op)).toEqual(["delete", "delete"]);
    expect(stack.engine.state.size).toBe(0);
    expect(stack.emulator.count("deleteInstanceAccount")).toBe(2);
    expect(stack.emulator.get(a)!.deleted).toBe(true);
  });

  it("rejects bad inputs at check, naming each property, before any request", async () => {
    const registrations = await stack.declare({
      bot: { delaySendMessagesMilliseconds: 100, webhookUrl: "not a url", incomingWebhook: "sometimes" as never },
    });
    const error = await stack.engine.up(goals(registrations)).catch((e) => e);
    expect(error).toBeInstanceOf(CheckFailedError);
    expect((error as CheckFailedError).failures.map((f) => f.property).sort()).toEqual([
      "delaySendMessagesMilliseconds",
      "incomingWebhook",
      "webhookUrl",
    ]);
    expect(Object.values(stack.emulator.counts()).reduce((a, b) => a + b, 0)).toBe(0);
    expect(stack.engine.state.size).toBe(0);
  });
});

describe("a rejected partner token", () => {
  it("fails with a message naming greenapi:partnerToken, never the token", async () => {
    const badToken = "definitely-not-the-partner-token";
    const stackWithBadToken = await startStack({
      config: () => ({ "greenapi:partnerToken": badToken }),
    });
    try {
      const error: HostError = await stackWithBadToken.engine.up(goals(await stackWithBadToken.declare({ bot: {} }))).catch((e) => e);
      expect(error).toBeInstanceOf(HostError);
      expect(error.message).toContain("greenapi:partnerToken");
      expect(error.message).toContain("GREEN_API_PARTNER_TOKEN");
      expect(error.message).not.toContain(badToken);
      expect(stackWithBadToken.output()).not.toContain(badToken);
      expect(stackWithBadToken.emulator.count("createInstance")).toBe(0);
      expect(stackWithBadToken.engine.state.size).toBe(0);
    } finally {
      await stackWithBadToken.close();
    }
  });

  it.each([
    ["greenapi:apiUrl", "http://api.green-api.com", /greenapi:apiUrl \(or GREEN_API_URL\) must be an https URL/],
    ["greenapi:partnerApiUrl", "api.green-api.com", /greenapi:partnerApiUrl \(or GREEN_API_PARTNER_API_URL\) must be an https URL/],
    [
      "greenapi:operationTimeoutSeconds",
      "10",
      /greenapi:operationTimeoutSeconds \(or GREEN_API_OPERATION_TIMEOUT_SECONDS\) must be at least/,
    ],
    [
      "greenapi:requestTimeoutSeconds",
      "soon",
      /greenapi:requestTimeoutSeconds \(or GREEN_API_REQUEST_TIMEOUT_SECONDS\) must be a positive number/,
    ],
  ])("a malformed %s fails at the first check (pulumi preview), naming the key, before any request", async (key, value, message) => {
    const host = await startConfiguredHost({ ...stack.config, [key]: value }, { programDir: stack.programDir });
    try {
      const [registration] = await stack.declare({ bot: {} });
      const urn = "urn:pulumi:dev::test::" + INSTANCE_TYPE + "::bot";
      await expect(host.check(urn, {}, registration.inputs)).rejects.toThrow(message);
      // Every later call of the process fails the same way, not with an unconfigured provider.
      await expect(host.check(urn, {}, registration.inputs)).rejects.toThrow(message);
      await expect(host.create(urn, registration.inputs)).rejects.toThrow(message);
      expect(stack.emulator.requests).toEqual([]);
    } finally {
      await host.stop();
    }
  });

  it("a missing token names the config key and the environment variable", async () => {
    const host = await ProviderHost.start({ programDir: stack.programDir, env: withoutDeveloperSettings() });
    try {
      await host.configure({});
      const [registration] = await stack.declare({ bot: {} });
      const error = await host.create("urn:pulumi:dev::test::" + INSTANCE_TYPE + "::bot", registration.inputs).catch((e) => e);
      expect(error.message).toMatch(/greenapi:partnerToken.*GREEN_API_PARTNER_TOKEN/s);
    } finally {
      await host.stop();
    }
  });
});

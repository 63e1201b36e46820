/**
 * Settings as live state, through Pulumi's provider host: in-place updates, drift after refresh,
 * instance state, logout before delete, adoption, per-instance API host and rate limits.
 */
import { HostError } from "../../harness";
import { goals, startStack, useStack } from "./stack";

const stack = useStack();

const entries = () => [...stack.engine.state.values()];
const onlyEntry = () => {
  expect(entries()).toHaveLength(1);
  return entries()[0];
};

describe("settings through Pulumi's provider host", () => {
  it("updates several settings with exactly one setSettings carrying exactly the changed fields", async () => {
    const declared = {
      name: "upd-1",
      webhookUrl: "https://a.example.com/h",
      incomingWebhook: true,
      stateWebhook: false,
      delaySendMessagesMilliseconds: 1000,
    };
    await stack.engine.up(goals(await stack.declare({ bot: declared })));
    const { id } = onlyEntry();
    stack.emulator.resetCounts();

    const changed = { ...declared, webhookUrl: "https://b.example.com/h", stateWebhook: true, delaySendMessagesMilliseconds: 2000 };
    expect((await stack.engine.up(goals(await stack.declare({ bot: changed })))).map((s) => s.op)).toEqual(["update"]);
    const calls = stack.emulator.requests.filter((r) => r.method === "setSettings");
    expect(calls).toHaveLength(1);
    expect(calls[0].body).toEqual({ webhookUrl: "https://b.example.com/h", stateWebhook: "yes", delaySendMessagesMilliseconds: 2000 });
    expect(stack.emulator.count("createInstance") + stack.emulator.count("deleteInstanceAccount")).toBe(0);
    expect(onlyEntry()).toMatchObject({ id, outputs: { ...changed, idInstance: Number(id), stateInstance: "notAuthorized" } });
    expect(onlyEntry().outputs.apiTokenInstance).toBeTruthy();
  });

  it("shows a setting changed outside Pulumi after refresh, and the next up puts the declared value back", async () => {
    const registrations = await stack.declare({ bot: { webhookUrl: "https://declared.example.com/h", incomingWebhook: true } });
    await stack.engine.up(goals(registrations));
    const { id } = onlyEntry();
    expect((await stack.engine.refresh()).map((s) => s.op)).toEqual(["refresh-same"]);

    stack.emulator.changeOutOfBand(Number(id), { settings: { webhookUrl: "https://console.example.com/h", incomingWebhook: "no" } });
    expect((await stack.engine.refresh()).map((s) => s.op)).toEqual(["refresh-changed"]);
    expect(onlyEntry().outputs).toMatchObject({ webhookUrl: "https://console.example.com/h", incomingWebhook: false });
    expect(onlyEntry().inputs).toMatchObject({ webhookUrl: "https://console.example.com/h", incomingWebhook: false });
    // Only what the program declares: no apiUrl it never set, which the next up would show as removed.
    expect(onlyEntry().inputs.apiUrl).toBeUndefined();

    stack.emulator.resetCounts();
    expect((await stack.engine.up(goals(registrations))).map((s) => s.op)).toEqual(["update"]);
    expect(stack.emulator.requests.filter((r) => r.method === "setSettings").map((r) => r.body)).toEqual([
      { webhookUrl: "https://declared.example.com/h", incomingWebhook: "yes" },
    ]);
    expect(stack.emulator.get(Number(id))!.settings).toMatchObject({
      webhookUrl: "https://declared.example.com/h",
      incomingWebhook: "yes",
    });
  });

  it("reads an instance's state and settings side by side on refresh, not one after the other", async () => {
    await stack.engine.up(goals(await stack.declare({ bot: { incomingWebhook: true } })));
    const idInstance = Number(onlyEntry().id);
    stack.emulator.resetCounts();
    // getStateInstance hangs until its deadline: getSettings must not wait for it.
    stack.emulator.injectFault({ method: "getStateInstance", kind: "hang", idInstance });
    expect((await stack.engine.refresh()).map((s) => s.op)).toEqual(["refresh-same"]);
    const order = stack.emulator.requests.filter((r) => r.idInstance === idInstance).map((r) => `${r.method}:${r.status}`);
    expect(order).toEqual(["getStateInstance:0", "getSettings:200", "getStateInstance:200"]);
  });

  it("refreshes an instance still being built (401, null, starting) without failing or reporting drift", async () => {
    await stack.engine.up(goals(await stack.declare({ bot: { webhookUrl: "https://a.example.com/h" } })));
    const { id, outputs } = onlyEntry();
    for (const phase of ["building", "starting"] as const) {
      stack.emulator.changeOutOfBand(Number(id), { startupPhase: phase });
      const before = stack.output().length;
      const steps = await stack.engine.refresh();
      expect(steps.map((s) => s.op)).not.toContain("refresh-gone");
      expect(onlyEntry().outputs).toMatchObject({ webhookUrl: outputs.webhookUrl, stateInstance: "starting" });
      expect(onlyEntry().inputs.webhookUrl).toBe("https://a.example.com/h");
      expect(stack.output().slice(before)).toMatch(/keeping its last known settings/);
    }
    stack.emulator.changeOutOfBand(Number(id), { startupPhase: null });
    await stack.engine.refresh();
    expect(onlyEntry().outputs.stateInstance).toBe("notAuthorized");
  });

  it("logs the phone out before deleting an authorized instance, unless logoutOnDelete is false", async () => {
    await stack.engine.up(goals(await stack.declare({ linked: {}, keep: { logoutOnDelete: false } })));
    for (const { id } of entries()) stack.emulator.changeOutOfBand(Number(id), { stateInstance: "authorized" });
    const [linked, keep] = entries().map((e) => Number(e.id));
    stack.emulator.resetCounts();

    await stack.engine.destroy();
    const forLinked = stack.emulator.requests.filter(
      (r) => r.idInstance === linked || (r.body as { idInstance?: number })?.idInstance === linked,
    );
    expect(forLinked.map((r) => r.method)).toEqual(["getStateInstance", "logout", "deleteInstanceAccount"]);
    expect(stack.emulator.get(linked)).toMatchObject({ deleted: true, stateInstance: "notAuthorized" });
    expect(stack.emulator.count("logout")).toBe(1);
    expect(stack.emulator.get(keep)!.deleted).toBe(true);
  });

  it("adopts an existing instance without createInstance, applies the declared settings once, and deletes it on destroy", async () => {
    const [existing] = stack.emulator.seed([{ name: "made-in-console" }]);
    const registrations = await stack.declare({
      adopted: { adoptIdInstance: existing.idInstance, incomingWebhook: true, webhookUrl: "https://a.example.com/h" },
    });
    expect((await stack.engine.up(goals(registrations))).map((s) => s.op)).toEqual(["create"]);
    expect(stack.emulator.count("createInstance")).toBe(0);
    expect(stack.emulator.requests.filter((r) => r.method === "setSettings").map((r) => r.body)).toEqual([
      { incomingWebhook: "yes", webhookUrl: "https://a.example.com/h" },
    ]);
    expect(onlyEntry()).toMatchObject({
      id: String(existing.idInstance),
      outputs: {
        name: "made-in-console",
        apiTokenInstance: existing.apiTokenInstance,
        incomingWebhook: true,
        adoptIdInstance: existing.idInstance,
      },
    });
    // Nothing to do on the next run: the adopted instance keeps its own name.
    expect((await stack.engine.up(goals(registrations))).map((s) => s.op)).toEqual(["same"]);

    await stack.engine.destroy();
    expect(stack.emulator.get(existing.idInstance)!.deleted).toBe(true);
  });

  it("refuses to adopt a missing instance, and replaces when adoptIdInstance changes", async () => {
    const missing = await stack.engine.up(goals(await stack.declare({ adopted: { adoptIdInstance: 4242 } }))).catch((e) => e);
    expect(missing).toBeInstanceOf(HostError);
    expect(missing.message).toMatch(/adoptIdInstance: instance 4242 is not in this Green API account/);
    expect(stack.engine.state.size).toBe(0);

    const [first, second] = stack.emulator.seed([{ name: "first" }, { name: "second" }]);
    await stack.engine.up(goals(await stack.declare({ adopted: { adoptIdInstance: first.idInstance } })));
    const steps = await stack.engine.up(goals(await stack.declare({ adopted: { adoptIdInstance: second.idInstance } })));
    expect(steps.map((s) => s.op)).toEqual(["replace"]);
    expect(onlyEntry().id).toBe(String(second.idInstance));
    expect(stack.emulator.get(first.idInstance)!.deleted).toBe(true);
    expect(stack.emulator.count("createInstance")).toBe(0);
  });

  it("uses an instance's own apiUrl for the instance API", async () => {
    const isolated = await startStack({
      config: () => ({
        // Nothing listens here: only the per-instance apiUrl can reach the instance API.
        "greenapi:apiUrl": "http://127.0.0.1:9",
        "greenapi:requestTimeoutSeconds": "2",
        "greenapi:operationTimeoutSeconds": "8",
      }),
    });
    try {
      const registrations = await isolated.declare({ bot: { apiUrl: isolated.emulator.url, incomingWebhook: true } });
      await isolated.engine.up(goals(registrations));
      const [entry] = [...isolated.engine.state.values()];
      expect(entry.outputs).toMatchObject({ apiUrl: isolated.emulator.url, stateInstance: "notAuthorized" });
      await isolated.engine.up(goals(await isolated.declare({ bot: { apiUrl: isolated.emulator.url, incomingWebhook: false } })));
      expect(isolated.emulator.count("setSettings")).toBe(1);
    } finally {
      await isolated.close();
    }
  });

  it("updates many instances at once without a rate-limit failure when Green API's limits are on", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `fleet-${i}`);
    const declare = (incomingWebhook: boolean) => stack.declare(Object.fromEntries(names.map((n) => [n, { incomingWebhook }])));
    stack.emulator.setRateLimit(true);
    await stack.engine.up(goals(await declare(false)));
    const steps = await stack.engine.up(goals(await declare(true)));
    expect(steps.map((s) => s.op)).toEqual(names.map(() => "update"));
    await stack.engine.refresh();
    for (const { id } of entries()) expect(stack.emulator.get(Number(id))!.settings.incomingWebhook).toBe("yes");
    // Each command runs in a new host, so a call may land within a second of the previous
    // command's: Green API answers 429, and the retry after Retry-After must succeed.
    const setSettings = stack.emulator.requests.filter((r) => r.method === "setSettings");
    for (const { id } of entries()) {
      const statuses = setSettings.filter((r) => r.idInstance === Number(id)).map((r) => r.status);
      expect(statuses[statuses.length - 1]).toBe(200);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    }
  });
});

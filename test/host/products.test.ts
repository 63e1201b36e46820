/**
 * Green API's products and partner fields through Pulumi's provider host: each product's instance
 * API on a host of its own (the emulator's instanceHosts, which answers 404 to an instance call on
 * another host or with another product's prefix), typeInstance / countryInstance / partnerUserUiid
 * sent at create and refreshed, createInstance's code 100, and deleteInstanceAccount's `false`.
 */
import { HostError } from "../../harness";
import { goals, useStack } from "./stack";

// greenapi:apiUrl is MAX's host: an instance that fell back to it instead of its own host would fail there.
const stack = useStack({ emulator: { instanceHosts: true }, config: (emulator) => ({ "greenapi:apiUrl": emulator.instanceUrl("v3") }) });

const entries = () => [...stack.engine.state.values()];
const byName = (name: string) => entries().find((entry) => entry.urn.endsWith(`::${name}`))!;
const PARTNER_METHODS = ["createInstance", "getInstances", "deleteInstanceAccount"];

/** Every instance API request so far was answered on its instance's own host, with its product's prefix. */
function expectInstanceCallsOnOwnHosts(): void {
  const instanceCalls = stack.emulator.requests.filter((r) => !PARTNER_METHODS.includes(r.method));
  expect(instanceCalls.length).toBeGreaterThan(0);
  expect(instanceCalls.filter((r) => r.method === "unknown")).toEqual([]);
  for (const request of instanceCalls) {
    const instance = stack.emulator.get(request.idInstance!)!;
    expect({ id: request.idInstance, host: request.host, prefix: request.prefix, status: request.status }).toEqual({
      id: instance.idInstance,
      host: instance.apiUrlInstance.startsWith("http://127.0.0.1") ? instance.apiUrlInstance : stack.emulator.instanceUrl("v3"),
      prefix: instance.typeInstance === "v3" ? "/v3" : "",
      status: 200,
    });
  }
}

describe("products and hosts through Pulumi's provider host", () => {
  it("creates one instance of each product in one stack, each on its own host; refresh and up change nothing; destroy deletes all", async () => {
    const registrations = await stack.declare({
      wa: { incomingWebhook: true },
      tg: { typeInstance: "telegram", incomingWebhook: true },
      max: { typeInstance: "max", incomingWebhook: true },
      ig: { typeInstance: "instagram", incomingWebhook: true },
    });
    expect((await stack.engine.up(goals(registrations))).map((s) => s.op)).toEqual(["create", "create", "create", "create"]);
    const sent = stack.emulator.requests
      .filter((r) => r.method === "createInstance")
      .map((r) => (r.body as { typeInstance?: string }).typeInstance);
    expect(sent.sort()).toEqual(["instagram", "telegram", "v3", undefined]);

    const expected = { wa: "whatsapp", tg: "telegram", max: "v3", ig: "instagram" };
    for (const [name, typeInstance] of Object.entries(expected)) {
      const { id, outputs } = byName(name);
      const host = stack.emulator.instanceUrl(typeInstance);
      expect(stack.emulator.get(Number(id))!.typeInstance).toBe(typeInstance);
      // Output typeInstance is Green API's own value ("v3" for max), as released versions wrote it.
      expect(outputs).toMatchObject({
        typeInstance,
        apiUrl: host,
        apiUrlInstance: host,
        stateInstance: "notAuthorized",
        incomingWebhook: true,
      });
    }

    expect((await stack.engine.refresh()).map((s) => s.op)).toEqual(["refresh-same", "refresh-same", "refresh-same", "refresh-same"]);
    expect((await stack.engine.up(goals(registrations))).map((s) => s.op)).toEqual(["same", "same", "same", "same"]);
    expect(stack.emulator.count("getSettings")).toBe(4);

    const ids = entries().map((e) => Number(e.id));
    await stack.engine.destroy();
    for (const id of ids) expect(stack.emulator.get(id)!.deleted).toBe(true);
    expectInstanceCallsOnOwnHosts();
  });

  it("sends partnerUserUiid and countryInstance to createInstance, refreshes them, and replaces when they change out of band", async () => {
    const declared = { typeInstance: "telegram" as const, countryInstance: "kz", partnerUserUiid: "customer-42", incomingWebhook: true };
    const registrations = await stack.declare({ bot: declared });
    await stack.engine.up(goals(registrations));
    expect(stack.emulator.requests.find((r) => r.method === "createInstance")!.body).toMatchObject({
      typeInstance: "telegram",
      countryInstance: "kz",
      partnerUserUiid: "customer-42",
    });
    const first = Number(byName("bot").id);
    expect(stack.emulator.get(first)).toMatchObject({ partnerUserUiid: "customer-42", settings: { countryInstance: "kz" } });
    expect(byName("bot").outputs).toMatchObject({ countryInstance: "kz", partnerUserUiid: "customer-42", typeInstance: "telegram" });
    expect((await stack.engine.refresh()).map((s) => s.op)).toEqual(["refresh-same"]);

    stack.emulator.changeOutOfBand(first, { partnerUserUiid: "customer-43", countryInstance: "uz" });
    expect((await stack.engine.refresh()).map((s) => s.op)).toEqual(["refresh-changed"]);
    expect(byName("bot").outputs).toMatchObject({ partnerUserUiid: "customer-43", countryInstance: "uz" });
    expect(byName("bot").inputs).toMatchObject({ partnerUserUiid: "customer-43", countryInstance: "uz" });

    // The new instance keeps the name, so the old one goes first.
    const steps = await stack.engine.up(goals(registrations));
    expect(steps.map((s) => [s.op, s.detail])).toEqual([
      ["replace", expect.stringMatching(/^countryInstance, partnerUserUiid \(delete-before-replace/)],
    ]);
    const second = Number(byName("bot").id);
    expect(second).not.toBe(first);
    expect(stack.emulator.get(first)!.deleted).toBe(true);
    expect(stack.emulator.get(second)).toMatchObject({ deleted: false, partnerUserUiid: "customer-42", typeInstance: "telegram" });
    expect((await stack.engine.up(goals(registrations))).map((s) => s.op)).toEqual(["same"]);
    expectInstanceCallsOnOwnHosts();
  });

  it("waits out createInstance's code 100 (no free instances) and tries again within the operation", async () => {
    stack.emulator.injectFault({
      method: "createInstance",
      kind: "status",
      status: 200,
      body: JSON.stringify({ code: 100, description: "no free instances, try later" }),
      times: 2,
    });
    const before = stack.output().length;
    const registrations = await stack.declare({ bot: { typeInstance: "max" } });
    expect((await stack.engine.up(goals(registrations))).map((s) => s.op)).toEqual(["create"]);
    expect(stack.emulator.requests.filter((r) => r.method === "createInstance").map((r) => r.status)).toEqual([200, 200, 200]);
    expect(stack.emulator.list().filter((i) => !i.deleted)).toHaveLength(1);
    expect(stack.output().slice(before)).toMatch(/no free instances right now \(createInstance code 100\)/);
    expect(byName("bot").outputs).toMatchObject({ typeInstance: "v3", stateInstance: "notAuthorized" });
  });

  it("reports deleteInstanceAccount false as an instance that was not deleted, and keeps it in the stack", async () => {
    await stack.engine.up(goals(await stack.declare({ bot: { typeInstance: "instagram" } })));
    const id = Number(byName("bot").id);
    stack.emulator.injectFault({ method: "deleteInstanceAccount", kind: "status", status: 200, body: '{"deleteInstanceAccount": false}' });
    const failure = await stack.engine.destroy().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HostError);
    expect((failure as Error).message).toMatch(/deleteInstanceAccount: false: instance \d+ was not deleted/);
    expect((failure as Error).message).not.toMatch(/documented shape|malformed/);
    expect(stack.engine.state.size).toBe(1);
    expect(stack.emulator.get(id)!.deleted).toBe(false);
    await stack.engine.destroy();
    expect(stack.emulator.get(id)!.deleted).toBe(true);
  });

  it("passes unknown states through, and never sends a token to an apiUrlInstance that is plain http off loopback", async () => {
    const [legacy] = stack.emulator.seed([{ name: "legacy-max", typeInstance: "v3", apiUrlInstance: "http://203.0.113.7:8080" }]);
    const before = stack.output().length;
    await stack.engine.up(goals(await stack.declare({ legacy: { adoptIdInstance: legacy.idInstance, typeInstance: "max" } })));
    expect(stack.output().slice(before)).toMatch(/not using Green API's apiUrlInstance "http:\/\/203\.0\.113\.7:8080"/);
    // Not its own host: greenapi:apiUrl, which is MAX's in this stack.
    expect(byName("legacy").outputs).toMatchObject({ apiUrl: stack.emulator.instanceUrl("v3"), stateInstance: "notAuthorized" });

    stack.emulator.changeOutOfBand(legacy.idInstance, { stateInstance: "pendingPassword" });
    await stack.engine.refresh();
    expect(byName("legacy").outputs.stateInstance).toBe("pendingPassword");
    expectInstanceCallsOnOwnHosts();
  });

  it("refuses to adopt an instance of another product, naming typeInstance", async () => {
    const [telegram] = stack.emulator.seed([{ name: "tg-console", typeInstance: "telegram" }]);
    const failure = await stack.engine
      .up(goals(await stack.declare({ adopted: { adoptIdInstance: telegram.idInstance, typeInstance: "max" } })))
      .catch((error: unknown) => error);
    expect((failure as Error).message).toMatch(/typeInstance: "max" is not the adopted instance's typeInstance "telegram"/);
    expect(stack.engine.state.size).toBe(0);
  });
});

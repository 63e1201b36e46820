/**
 * "Created but failed to initialize", through Pulumi's provider host: when the instance exists but a
 * later step of create fails, the engine must record it (id, outputs, __provider) so that refresh,
 * the next up and destroy all work on it — never an orphan billed outside the stack.
 */
import { HostError } from "../../harness";
import { Struct } from "../../harness/wire";
import { initFailure } from "../../provider/lifecycle/init-failure";
import { goals, startStack, type TestStack } from "./stack";

const WEBHOOK_TOKEN = "whk-init-failure-5d1e";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

describe("created but failed to initialize", () => {
  it("adopting an instance whose settings cannot be applied records it, and later runs finish or delete it", async () => {
    const [existing] = stack.emulator.seed([{ name: "made-in-console" }]);
    const declared = { adoptIdInstance: existing.idInstance, incomingWebhook: true, webhookUrlToken: WEBHOOK_TOKEN };
    const registrations = await stack.declare({ adopted: declared });
    stack.emulator.injectFault({
      method: "setSettings",
      kind: "status",
      status: 400,
      body: "Validation failed",
      idInstance: existing.idInstance,
    });

    const error: HostError = await stack.engine.up(goals(registrations)).catch((e) => e);
    expect(error).toBeInstanceOf(HostError);
    expect(error.initFailed).toMatchObject({
      id: String(existing.idInstance),
      reasons: [expect.stringContaining("Green API setSettings: HTTP 400")],
    });
    const recorded = error.initFailed!.properties;
    // Without __provider the host could not load the provider for the recorded resource later.
    expect(recorded.__provider).toBe(registrations[0].inputs.__provider);
    expect(recorded).toMatchObject({ idInstance: existing.idInstance, apiTokenInstance: existing.apiTokenInstance });
    expect(recorded.incomingWebhook).toBeUndefined(); // not applied: the next up sees it as a change
    expect(error.message).toMatch(/Instance \d+ exists, but setting it up failed: .*recorded in the stack.*pulumi up.*pulumi destroy/s);
    for (const secret of [stack.emulator.partnerToken, existing.apiTokenInstance, WEBHOOK_TOKEN]) {
      expect(error.message).not.toContain(secret);
      expect(stack.output()).not.toContain(secret);
    }
    expect([...stack.engine.state.values()].map((e) => e.id)).toEqual([String(existing.idInstance)]);

    // The recorded resource works like any other: refresh, finish the setup, destroy.
    expect((await stack.engine.refresh()).map((s) => s.id)).toEqual([String(existing.idInstance)]);
    expect((await stack.engine.up(goals(registrations))).map((s) => s.op)).toEqual(["update"]);
    expect(stack.emulator.get(existing.idInstance)!.settings).toMatchObject({ incomingWebhook: "yes", webhookUrlToken: WEBHOOK_TOKEN });
    await stack.engine.destroy();
    expect(stack.emulator.get(existing.idInstance)!.deleted).toBe(true);
    expect(stack.emulator.count("createInstance")).toBe(0);
  });

  // The other path to an init failure — an instance created by an interrupted earlier run, taken over
  // by name, whose settings cannot be applied — is in exactly-once.test.ts.

  it("builds properties the host can send: undefined values dropped (the dynamic door adds __provider: exactly-once.test.ts)", () => {
    const error = initFailure("1101728000", { idInstance: 1101728000, tariff: undefined }, "no answer");
    expect(error).toMatchObject({ id: "1101728000", properties: { idInstance: 1101728000 }, reasons: ["no answer"] });
    // What the host does with them; a throw here would lose the init failure, and the instance's record with it.
    expect(() => Struct.fromJavaScript(error.properties as never)).not.toThrow();
    expect(error.message).toBe(
      "Instance 1101728000 exists, but setting it up failed: no answer. It is recorded in the stack: run `pulumi up` again to finish, or `pulumi destroy` to delete it.",
    );
  });
});

/**
 * Exactly-once create across runs, through each front door: a `pulumi up` killed after
 * createInstance reached Green API leaves an instance the stack does not know; the next run must find
 * it by name and take it over instead of creating (and billing) a second one.
 */
import { HostError, makeUrn, startConfiguredHost, unwrapSecrets, waitUntil } from "../../harness";
import { eachDoor, goals, useStack } from "./stack";

eachDoor((door) => {
  const stack = useStack({ door });

  const alive = () => stack.emulator.list().filter((i) => !i.deleted);

  /** A first `pulumi up` whose provider process is killed once createInstance has been performed. */
  async function interruptedUp(name: string, inputs: Record<string, unknown>): Promise<void> {
    const host = await startConfiguredHost(stack.config, { programDir: stack.programDir, door });
    const urn = makeUrn(stack.instanceType, name, host.stack, host.project);
    const { inputs: checked } = await host.check(urn, {}, inputs);
    // Green API performs the create, then takes its time to answer: the process dies meanwhile.
    stack.emulator.setLatency(2_000);
    const creating = host.create(urn, checked).catch((error: unknown) => error);
    await waitUntil(() => stack.emulator.count("createInstance") === 1 && alive().length === 1, "Green API to perform the create");
    process.kill(host.pid!, "SIGKILL");
    expect(await creating).toBeInstanceOf(HostError);
    await host.stop();
    stack.emulator.setLatency(0);
  }

  describe("a run interrupted after createInstance", () => {
    it("is finished by the next run, which takes the instance over by its auto-name and applies the declared settings", async () => {
      const [first] = await stack.declare({ "support-bot": { incomingWebhook: true } });
      await interruptedUp("support-bot", first.inputs);
      const [orphan] = alive();
      expect(orphan.name).toBe(stack.autoName("support-bot"));
      expect(stack.engine.state.size).toBe(0); // the engine never heard back

      // The program changed in between: the taken-over instance gets what is declared now.
      const [next] = await stack.declare({ "support-bot": { incomingWebhook: true, stateWebhook: true } });
      expect((await stack.engine.up(goals([next]))).map((s) => s.op)).toEqual(["create"]);
      expect(stack.emulator.count("createInstance")).toBe(1);
      expect(alive().map((i) => i.idInstance)).toEqual([orphan.idInstance]);
      const [entry] = stack.engine.state.values();
      expect(entry.id).toBe(String(orphan.idInstance));
      expect(unwrapSecrets(entry.outputs)).toMatchObject({
        apiTokenInstance: orphan.apiTokenInstance,
        incomingWebhook: true,
        stateWebhook: true,
      });
      expect(stack.emulator.get(orphan.idInstance)!.settings).toMatchObject({ incomingWebhook: "yes", stateWebhook: "yes" });
      expect(stack.output()).toMatch(/created by an earlier, interrupted run: using it instead of creating another/);
    });

    it("records the taken-over instance as created but failed to initialize when its settings cannot be applied", async () => {
      const [registration] = await stack.declare({ "sales-bot": { incomingWebhook: true } });
      await interruptedUp("sales-bot", registration.inputs);
      const [orphan] = alive();
      stack.emulator.injectFault({
        method: "setSettings",
        kind: "status",
        status: 400,
        body: "Validation failed",
        idInstance: orphan.idInstance,
      });

      const error: HostError = await stack.engine.up(goals([registration])).catch((e) => e);
      expect(error.initFailed).toMatchObject({ id: String(orphan.idInstance) });
      // The dynamic door records its serialized provider with the instance, or no later call could load it;
      // the plugin records only the declared properties.
      if (door === "dynamic") expect(error.initFailed!.properties.__provider).toBe(registration.inputs.__provider);
      else expect(Object.keys(error.initFailed!.properties).filter((key) => key.startsWith("__"))).toEqual([]);
      expect([...stack.engine.state.values()].map((e) => e.id)).toEqual([String(orphan.idInstance)]);

      stack.emulator.clearFaults();
      expect((await stack.engine.up(goals([registration]))).map((s) => s.op)).toEqual(["update"]);
      expect(stack.emulator.get(orphan.idInstance)!.settings.incomingWebhook).toBe("yes");
      expect(alive()).toHaveLength(1);
      expect(stack.emulator.count("createInstance")).toBe(1);
    });

    it("stops, rather than share it, when an explicit name is already taken in the account", async () => {
      const [taken] = stack.emulator.seed([{ name: "shared-name" }]);
      const error: HostError = await stack.engine.up(goals(await stack.declare({ bot: { name: "shared-name" } }))).catch((e) => e);
      expect(error.message).toContain(
        `An instance named "shared-name" already exists in this Green API account (idInstance ${taken.idInstance})`,
      );
      expect(error.message).toContain(`adoptIdInstance: ${taken.idInstance}`);
      expect(stack.emulator.count("createInstance")).toBe(0);
      expect(stack.engine.state.size).toBe(0);
    });
  });
});

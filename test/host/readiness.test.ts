/**
 * A new instance through each front door while Green API still builds it: `waitForReady`
 * waits for the start-up phase to pass (and only then returns), a wait that runs out records the
 * instance and the next `up` waits again, `wid` follows authorization, and an instance of another
 * product than declared is not kept.
 */
import { HostError, makeUrn, unwrapSecrets } from "../../harness";
import { waitUntil } from "../../harness/wait-until";
import { eachDoor, goals, useStack } from "./stack";

// Start-ups outlast every test: each one ends the phase itself (changeOutOfBand), so timing decides nothing.
const LONG_STARTUP_MS = 30 * 60_000;

eachDoor((door) => {
  describe("waitForReady and wid", () => {
    const stack = useStack({
      door,
      emulator: { startupMs: LONG_STARTUP_MS },
      // 2 s per request, 30 s per operation: a wait that runs out does so within a test.
      config: () => ({ "greenapi:requestTimeoutSeconds": "2", "greenapi:operationTimeoutSeconds": "30" }),
    });
    const entry = (name: string) => {
      const found = [...stack.engine.state.values()].find((e) => e.urn.endsWith(`::${name}`));
      return found && { ...found, outputs: unwrapSecrets(found.outputs) as Record<string, unknown> };
    };
    const stateLooks = (id: number) => stack.emulator.requests.filter((r) => r.method === "getStateInstance" && r.idInstance === id).length;

    it("create returns only once the start-up phase has passed; without waitForReady it reports starting", async () => {
      const registrations = await stack.declare({ ready: { waitForReady: true, typeInstance: "telegram" }, quick: {} });
      const up = stack.engine.up(goals(registrations));
      const creating = () => stack.emulator.list().find((i) => i.name.startsWith("ready-"));
      await waitUntil(() => creating() !== undefined && stateLooks(creating()!.idInstance) >= 3, "the create to poll the state");
      const id = creating()!.idInstance;
      expect(stack.emulator.get(id)!.startupPhase).not.toBeNull();
      // Still waiting: nothing recorded for it yet.
      expect(entry("ready")).toBeUndefined();
      stack.emulator.changeOutOfBand(id, { startupPhase: null });
      expect((await up).map((s) => s.op)).toEqual(["create", "create"]);
      expect(entry("ready")!.outputs).toMatchObject({ stateInstance: "notAuthorized", typeInstance: "telegram" });
      expect(entry("quick")!.outputs.stateInstance).toBe("starting");
      expect(stack.output()).toMatch(new RegExp(`instance ${id} "ready-\\w+" is ready \\(notAuthorized\\) after \\d+ s`));
    });

    it("a wait that runs out records the instance and fails with what to do; the next up waits again", async () => {
      const registrations = await stack.declare({ slow: { waitForReady: true } });
      const failure = await stack.engine.up(goals(registrations)).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(HostError);
      const message = (failure as Error).message;
      expect(message).toMatch(/waitForReady: instance \d+ "slow-\w+" was still not ready after \d+ s \(starting\)/);
      expect(message).toContain("The next `pulumi up` waits again; raise greenapi:operationTimeoutSeconds to wait longer in one run");
      // Progress while it waited, every ~15 s: the plugin logs it to the engine under the resource, as info.
      expect(stack.output()).toMatch(/waiting for instance \d+ "slow-\w+" to be ready: starting, \d+ s so far/);
      if (door === "plugin") {
        const urn = makeUrn(stack.instanceType, "slow");
        expect(stack.output()).toContain(`[info ${urn}] waiting for instance`);
      }
      // Recorded, not orphaned: exactly one instance, in the stack.
      const id = Number(entry("slow")!.id);
      expect(
        stack.emulator
          .list()
          .filter((i) => !i.deleted)
          .map((i) => i.idInstance),
      ).toEqual([id]);
      expect(entry("slow")!.outputs.stateInstance).toBe("starting");

      stack.emulator.changeOutOfBand(id, { startupPhase: null });
      expect((await stack.engine.up(goals(registrations))).map((s) => s.op)).toEqual(["update"]);
      expect(entry("slow")!.outputs.stateInstance).toBe("notAuthorized");
      expect((await stack.engine.up(goals(registrations))).map((s) => s.op)).toEqual(["same"]);
      expect(stack.emulator.count("createInstance")).toBe(1);
    });

    it("wid shows the linked account while authorized, and goes when the phone is logged out", async () => {
      const registrations = await stack.declare({ linked: { incomingWebhook: true } });
      await stack.engine.up(goals(registrations));
      const id = Number(entry("linked")!.id);
      stack.emulator.changeOutOfBand(id, { startupPhase: null, stateInstance: "authorized" });
      await stack.engine.refresh();
      const wid = stack.emulator.get(id)!.settings.wid;
      expect(wid).toMatch(/@c\.us$/);
      expect(entry("linked")!.outputs).toMatchObject({ stateInstance: "authorized", wid });
      stack.emulator.changeOutOfBand(id, { stateInstance: "notAuthorized" });
      await stack.engine.refresh();
      expect(entry("linked")!.outputs.stateInstance).toBe("notAuthorized");
      expect(entry("linked")!.outputs.wid).toBeUndefined();
    });
  });

  describe("a partner API that ignores typeInstance", () => {
    const stack = useStack({ door, emulator: { ignoreTypeInstance: true } });

    it("deletes the WhatsApp instance it created instead of the declared Telegram one, and says so", async () => {
      const failure = await stack.engine.up(goals(await stack.declare({ bot: { typeInstance: "telegram" } }))).catch((e: unknown) => e);
      expect((failure as Error).message).toMatch(
        /typeInstance: Green API created a "whatsapp" instance \(\d+ "bot-\w+"\) although "telegram" was declared; it was deleted again at once/,
      );
      expect(stack.engine.state.size).toBe(0);
      expect(stack.emulator.list().map((i) => i.deleted)).toEqual([true]);
    });
  });
});

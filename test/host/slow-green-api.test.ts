/**
 * A slow Green API, through each front door: requests it performs after the client gave up
 * on them (the emulator's "late" fault). The promises: one live instance per resource, recorded in
 * state — in the same `up`, or after the next one when the first could not find out — and no late
 * setSettings putting older values back over newer ones.
 */
import { Engine, HostError, unwrapSecrets, waitUntil } from "../../harness";
import { eachDoor, goals, useStack } from "./stack";

const REQUEST_MS = 1_000;
// As with the defaults (30 s and 120 s), room for one settle window (3 request deadlines + 1 s) but not two.
const OPERATION_MS = 5_000;
eachDoor((door) => {
  const stack = useStack({
    door,
    config: () => ({
      "greenapi:requestTimeoutSeconds": String(REQUEST_MS / 1000),
      "greenapi:operationTimeoutSeconds": String(OPERATION_MS / 1000),
    }),
  });

  const named = (name: string) => stack.emulator.list().filter((i) => i.name === name);
  const createsFor = (name: string) =>
    stack.emulator.requests.filter((r) => r.method === "createInstance" && (r.body as { name?: string }).name === name);

  /** Exactly one live instance with this name, and it is the one the state holds. */
  function expectOneRecorded(name: string, engine: Engine = stack.engine): void {
    const live = named(name).filter((i) => !i.deleted);
    expect(live).toHaveLength(1);
    expect([...engine.state.values()].map((e) => Number(e.id))).toEqual([live[0].idInstance]);
    expect(named(name)).toHaveLength(1); // createInstance took effect once
  }

  describe("createInstance performed after the client gave up", () => {
    it.each([1.25, 1.5, 3])("late by %s × the request deadline: one instance, in state, no second createInstance", async (factor) => {
      const registrations = await stack.declare({ [`late-${String(factor).replace(".", "-")}`]: { incomingWebhook: true } });
      const name = stack.autoName(registrations[0].name);
      stack.emulator.injectFault({ method: "createInstance", kind: "late", delayMs: factor * REQUEST_MS, name });

      const first = await stack.engine.up(goals(registrations)).then(
        () => undefined,
        (error: unknown) => error as HostError,
      );
      // The settle window (3 request deadlines + 1 s) covers even 3×, so the first up finds it.
      expect(first).toBeUndefined();
      expect(createsFor(name)).toHaveLength(1);
      expectOneRecorded(name);
      expect(stack.emulator.get(Number([...stack.engine.state.values()][0].id))!.settings.incomingWebhook).toBe("yes");
      expect(stack.output()).toContain(`createInstance lost its answer, but instance`);
    });

    it.each([
      ["in a new host, as the CLI runs each command", async () => stack.engine],
      ["in the same host, whose list from before the instance existed must not count", async () => new Engine(await stack.host())],
    ])(
      "when the account cannot be listed to find out, fails saying the outcome is unknown; the next up (%s) takes the instance over",
      async (_, engineFor) => {
        const engine = await engineFor();
        const registrations = await stack.declare({ [`unknowable-${engine === stack.engine ? "a" : "b"}`]: { incomingWebhook: true } });
        const name = stack.autoName(registrations[0].name);
        const { running } = await startLateCreateWithoutLists(name, () => engine.up(goals(registrations)));
        const error = (await running.catch((e: unknown) => e)) as HostError;

        expect(error).toBeInstanceOf(HostError);
        expect(error.message).toContain("the outcome is unknown");
        expect(error.message).toContain(`whether instance "${name}" was created`);
        expect(error.message).toContain(`The next \`pulumi up\` looks for an instance named "${name}" first and takes it over`);
        expect(engine.state.size).toBe(0);

        stack.emulator.clearFaults();
        await stack.emulator.lateRequestsPerformed();
        expect((await engine.up(goals(registrations))).map((s) => s.op)).toEqual(["create"]);
        expectOneRecorded(name, engine);
        expect(createsFor(name)).toHaveLength(1);
        await engine.destroy();
      },
    );

    it("with an explicit name, the next up stops and shows the exact adoptIdInstance; with it, the stack manages that instance", async () => {
      const name = "explicit-late-bot";
      const registrations = await stack.declare({ explicit: { name } });
      const { running } = await startLateCreateWithoutLists(name, () => stack.engine.up(goals(registrations)));
      const error = (await running.catch((e: unknown) => e)) as HostError;
      expect(error.message).toContain("the outcome is unknown");
      expect(error.message).toContain("shows the `adoptIdInstance` that makes this resource manage it");

      stack.emulator.clearFaults();
      await stack.emulator.lateRequestsPerformed();
      const [orphan] = named(name);
      const next = await stack.engine.up(goals(registrations)).catch((e: unknown) => e as HostError);
      expect(next).toBeInstanceOf(HostError);
      expect((next as HostError).message).toContain(
        "It may be this resource's own instance, from an earlier `pulumi up` whose createInstance timed out",
      );
      expect((next as HostError).message).toContain(`set \`adoptIdInstance: ${orphan.idInstance}\``);

      await stack.engine.up(goals(await stack.declare({ explicit: { name, adoptIdInstance: orphan.idInstance } })));
      expectOneRecorded(name);
    });
  });

  /**
   * Starts `up` with a createInstance Green API performs 1.5 request deadlines late, and once that
   * request has arrived, a getInstances that keeps failing: the lookups cannot tell.
   */
  async function startLateCreateWithoutLists(name: string, up: () => Promise<unknown>): Promise<{ running: Promise<unknown> }> {
    stack.emulator.injectFault({ method: "createInstance", kind: "late", delayMs: 1.5 * REQUEST_MS, name });
    const running = up();
    running.catch(() => undefined);
    await waitUntil(() => createsFor(name).length === 1, "the createInstance to arrive");
    stack.emulator.injectFault({ method: "getInstances", kind: "status", status: 503, times: 1_000 });
    return { running };
  }

  describe("other methods performed late", () => {
    it("a late setSettings never lands over a later update's values", async () => {
      const declare = (delay: number) => stack.declare({ paced: { delaySendMessagesMilliseconds: delay } });
      await stack.engine.up(goals(await declare(1000)));
      const id = Number([...stack.engine.state.values()][0].id);
      // The first update's request lands 3 request deadlines late. With the defaults' shape there is
      // no time for a retry: the update waits until no attempt can land, then finds the settings live.
      stack.emulator.injectFault({ method: "setSettings", kind: "late", delayMs: 3 * REQUEST_MS, idInstance: id });
      expect((await stack.engine.up(goals(await declare(2000)))).map((s) => s.op)).toEqual(["update"]);
      const ended = Date.now();
      expect((await stack.engine.up(goals(await declare(3000)))).map((s) => s.op)).toEqual(["update"]);
      await stack.emulator.lateRequestsPerformed();

      const writes = stack.emulator.requests.filter((r) => r.method === "setSettings" && r.idInstance === id);
      expect(writes.map((r) => (r.body as { delaySendMessagesMilliseconds: number }).delaySendMessagesMilliseconds)).toEqual([2000, 3000]);
      expect(writes[0].performedAt).toBeLessThanOrEqual(ended); // the first update ended after its late request landed
      expect(stack.emulator.get(id)!.settings.delaySendMessagesMilliseconds).toBe(3000);
      expect(stack.output()).toContain(`setSettings on instance ${id} got no answer, but Green API applied it`);
    });

    it("a late getStateInstance and getSettings on refresh, and a late logout and deleteInstanceAccount on destroy, leave nothing behind", async () => {
      await stack.engine.up(goals(await stack.declare({ phone: { incomingWebhook: true } })));
      const id = Number([...stack.engine.state.values()][0].id);
      stack.emulator.changeOutOfBand(id, { stateInstance: "authorized", settings: { incomingWebhook: "no" } });
      for (const method of ["getStateInstance", "getSettings"] as const) {
        stack.emulator.injectFault({ method, kind: "late", delayMs: 1.5 * REQUEST_MS, idInstance: id });
      }
      expect((await stack.engine.refresh()).map((s) => s.op)).toEqual(["refresh-changed"]);
      expect(unwrapSecrets([...stack.engine.state.values()][0].outputs)).toMatchObject({
        stateInstance: "authorized",
        incomingWebhook: false,
      });

      for (const method of ["logout", "deleteInstanceAccount"] as const) {
        stack.emulator.injectFault({ method, kind: "late", delayMs: 1.5 * REQUEST_MS, idInstance: id });
      }
      expect((await stack.engine.destroy()).map((s) => s.op)).toEqual(["delete"]);
      await stack.emulator.lateRequestsPerformed();
      expect(stack.engine.state.size).toBe(0);
      expect(stack.emulator.get(id)).toMatchObject({ deleted: true, stateInstance: "notAuthorized" });
    });
  });
});

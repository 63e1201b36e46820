/**
 * Credentials never leak, through each front door: not in error messages (even when Green API or a
 * proxy echoes a token back), not in anything the provider prints or logs, not in the dynamic door's
 * `__provider` (which lands in the state file in clear text), and every output or input holding one
 * is marked secret. lifecycle.test.ts checks the fixed list of secret outputs; this checks by value.
 */
import { HostError, isSecretValue, type Registration } from "../../harness";
import { eachDoor, goals, startStack, type TestStack } from "./stack";

const PARTNER_TOKEN = "gacLeakScanPartnerToken0123456789abcdef";
const WEBHOOK_TOKENS = ["whk-leak-scan-first-3c9a", "whk-leak-scan-second-8e21"];

eachDoor((door) => {
  let stack: TestStack;
  beforeAll(async () => {
    // The default operation deadline outlasts all six attempts at a failing call: the failures end
    // each operation, not the clock, so every error carries Green API's echoed answer (a 1 s request
    // and 5 s operation deadline let a slow machine's last attempt end as a timeout instead).
    stack = await startStack({ door, emulator: { partnerToken: PARTNER_TOKEN } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Every credential of the run, plain and as it travels in a URL. */
  function credentials(): string[] {
    const plain = [PARTNER_TOKEN, ...WEBHOOK_TOKENS, ...stack.emulator.list().map((i) => i.apiTokenInstance)];
    return [...new Set(plain.flatMap((secret) => [secret, encodeURIComponent(secret)]))];
  }

  function leaked(text: string): string[] {
    return credentials().filter((secret) => text.includes(secret));
  }

  /** Declares like a program would, with the partner token also in the program's environment. */
  async function declare(settings: object): Promise<Registration[]> {
    const saved = process.env.GREEN_API_PARTNER_TOKEN;
    process.env.GREEN_API_PARTNER_TOKEN = PARTNER_TOKEN;
    try {
      return await stack.declare({ bot: settings });
    } finally {
      if (saved === undefined) delete process.env.GREEN_API_PARTNER_TOKEN;
      else process.env.GREEN_API_PARTNER_TOKEN = saved;
    }
  }

  describe("no credential leaks", () => {
    it("a run full of failures whose answers echo the tokens prints none of them", async () => {
      const first = { webhookUrl: "https://hooks.example.com/a", webhookUrlToken: WEBHOOK_TOKENS[0], incomingWebhook: true };
      const second = { ...first, webhookUrlToken: WEBHOOK_TOKENS[1] };
      const registrations = [...(await declare(first)), ...(await declare(second))];
      const errors: string[] = [];
      const failing = async (run: () => Promise<unknown>, echoed: RegExp) => {
        const error = await run().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(HostError);
        const { message } = error as HostError;
        // The echo arrived and was redacted (not dropped): the check below is about something real.
        expect(message).toMatch(echoed);
        errors.push(message);
      };

      // Create: the lookup by name, then createInstance itself, answer with the credentials in them.
      stack.emulator.injectFault({
        method: "getInstances",
        kind: "status",
        status: 400,
        body: `no route /partner/getInstances/${PARTNER_TOKEN}`,
      });
      await failing(() => stack.engine.up(goals([registrations[0]])), /getInstances\/\*\*\*/);
      stack.emulator.injectFault({
        method: "createInstance",
        kind: "status",
        status: 400,
        body: `Validation failed: webhookUrlToken "${WEBHOOK_TOKENS[0]}" at /partner/createInstance/${PARTNER_TOKEN}`,
      });
      await failing(() => stack.engine.up(goals([registrations[0]])), /webhookUrlToken \\"\*\*\*\\" at \/partner\/createInstance\/\*\*\*/);
      // A lost answer: recovered by name, and logged.
      stack.emulator.injectFault({ method: "createInstance", kind: "performThenDrop" });
      await stack.engine.up(goals([registrations[0]]));
      const [entry] = stack.engine.state.values();
      const idInstance = Number(entry.id);
      const instanceToken = stack.emulator.get(idInstance)!.apiTokenInstance;

      // Update: the instance API echoes its token and the new webhook token.
      stack.emulator.injectFault({
        method: "setSettings",
        kind: "status",
        status: 400,
        body: `webhookUrlToken ${WEBHOOK_TOKENS[1]} rejected at /waInstance${idInstance}/setSettings/${instanceToken}`,
        idInstance,
      });
      await failing(
        () => stack.engine.up(goals([registrations[1]])),
        /webhookUrlToken \*\*\* rejected at \/waInstance\d+\/setSettings\/\*\*\*/,
      );
      await stack.engine.up(goals([registrations[1]]));

      // Refresh: the instance API fails with its token in the text (the provider logs a note, goes on).
      stack.emulator.injectFault({
        method: "getStateInstance",
        kind: "status",
        status: 400,
        body: `bad token ${instanceToken}`,
        idInstance,
      });
      await stack.engine.refresh();

      // Destroy: a proxy keeps failing with the partner token in its page, until the deadline.
      stack.emulator.injectFault({
        method: "deleteInstanceAccount",
        kind: "status",
        status: 503,
        body: `upstream /partner/deleteInstanceAccount/${PARTNER_TOKEN} timed out`,
        times: 100,
      });
      await failing(() => stack.engine.destroy(), /deleteInstanceAccount\/\*\*\* timed out.*gave up after \d attempts/s);
      stack.emulator.clearFaults();
      await stack.engine.destroy();
      expect(stack.emulator.get(idInstance)!.deleted).toBe(true);

      expect(errors).toHaveLength(4);
      for (const message of errors) expect(leaked(message)).toEqual([]);
      expect(stack.output()).toMatch(/createInstance lost its answer/); // the host did print things
      expect(leaked(stack.output())).toEqual([]);
      // The dynamic door's serialized provider is stored in clear text; the plugin stores none.
      for (const registration of registrations) expect(leaked(String(registration.inputs.__provider ?? ""))).toEqual([]);
      if (door === "plugin") expect(registrations.filter((r) => "__provider" in r.inputs)).toEqual([]);
    });

    it("every input and output that holds a credential is marked secret", async () => {
      const registrations = await declare({
        webhookUrl: "https://hooks.example.com/b",
        webhookUrlToken: WEBHOOK_TOKENS[0],
        stateWebhook: true,
      });
      await stack.engine.up(goals(registrations));
      const [registration] = registrations;
      const [entry] = stack.engine.state.values();
      try {
        const holding = (values: Record<string, unknown>) =>
          Object.entries(values)
            .filter(([key, value]) => key !== "__provider" && leaked(JSON.stringify(value)).length > 0)
            .map(([key]) => key)
            .sort();
        const secretOutputs = holding(entry.outputs);
        // Not vacuous: the outputs do carry the instance token (twice) and the webhook token.
        expect(secretOutputs).toEqual(expect.arrayContaining(["apiTokenInstance", "qrUrl", "webhookUrlToken"]));
        const secretInputs = holding(registration.inputs);
        expect(secretInputs).toEqual(["webhookUrlToken"]);
        expect(registration.secretInputs).toEqual(expect.arrayContaining(secretInputs));
        if (door === "dynamic") {
          // A dynamic provider cannot return secrets: the resource asks the engine to mark them.
          expect(registration.additionalSecretOutputs).toEqual(expect.arrayContaining(secretOutputs));
          expect(leaked(String(entry.outputs.__provider))).toEqual([]);
        } else {
          // The plugin marks them itself, in its outputs and in the checked inputs it returns.
          expect(secretOutputs.filter((key) => !isSecretValue(entry.outputs[key]))).toEqual([]);
          expect(holding(entry.inputs).filter((key) => !isSecretValue(entry.inputs[key]))).toEqual([]);
        }
      } finally {
        await stack.engine.destroy();
      }
    });
  });
});

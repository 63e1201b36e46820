/**
 * A bulk `pulumi up` through Pulumi's provider host: each create looks its instance up afterwards
 * (for timeCreated, tariff, …), and those lookups share lists instead of each downloading the whole
 * account again.
 */
import { goals, startStack, type TestStack } from "./stack";

const N = 40;

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ emulator: { latencyMs: 20 } });
});
afterAll(async () => {
  await stack?.close();
});

it(`creates ${N} instances with far fewer getInstances than creates, every one with complete outputs`, async () => {
  const declared = Object.fromEntries(Array.from({ length: N }, (_, i) => [`tenant-${i}`, { incomingWebhook: true }]));
  const steps = await stack.engine.up(goals(await stack.declare(declared)));
  expect(steps.map((s) => s.op)).toEqual(Array(N).fill("create"));
  expect(stack.emulator.count("createInstance")).toBe(N);
  expect(stack.emulator.count("getInstances")).toBeLessThanOrEqual(N / 4);
  for (const entry of stack.engine.state.values()) {
    const live = stack.emulator.get(Number(entry.id))!;
    expect(entry.outputs).toMatchObject({ timeCreated: live.timeCreated, tariff: live.tariff, expirationDate: live.expirationDate });
  }
});

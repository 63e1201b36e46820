/**
 * A refresh of 1,000 instances through Pulumi's provider host: every read needs the account's
 * instance list, and the host's concurrent reads must share it — at most two getInstances calls,
 * not one per resource — while each resource still gets its own, correct answer.
 */
import { accountState } from "../../bench/account-state";
import { goals, startStack, type TestStack } from "./stack";

const N = 1_000;

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ emulator: { latencyMs: 20 } });
});
afterAll(async () => {
  await stack?.close();
});

it(`refreshes ${N.toLocaleString("en")} instances with at most 2 getInstances calls`, async () => {
  const { emulator, engine } = stack;
  emulator.seedAccount({ alive: N - 1, deleted: 100 });
  // One real create: its state entry is the shape every other entry is built in.
  await engine.up(goals(await stack.declare({ template: { name: "scale-template" } })));
  const [template] = engine.state.values();
  const seeded = emulator.list().filter((instance) => String(instance.idInstance) !== template.id);
  for (const entry of accountState(seeded, template)) engine.state.set(entry.urn, entry);
  expect(engine.state.size).toBe(N);

  // A few deleted in the console: the shared list must still tell each read its own truth.
  const gone = seeded
    .filter((instance) => !instance.deleted)
    .slice(100, 103)
    .map((instance) => String(instance.idInstance));
  for (const id of gone) emulator.deleteOutOfBand(Number(id));
  emulator.resetCounts();

  // In a provider host of its own, as `pulumi refresh` runs: nothing is left over from the create.
  const steps = await engine.refresh();

  expect(emulator.count("getInstances")).toBeGreaterThanOrEqual(1);
  expect(emulator.count("getInstances")).toBeLessThanOrEqual(2);
  expect(steps).toHaveLength(N);
  expect(
    steps
      .filter((step) => step.op === "refresh-gone")
      .map((step) => step.id)
      .sort(),
  ).toEqual([...gone].sort());
  expect(engine.state.size).toBe(N - gone.length);
  for (const entry of engine.state.values()) {
    const live = emulator.get(Number(entry.id))!;
    expect(entry.outputs).toMatchObject({ idInstance: live.idInstance, name: live.name, apiTokenInstance: live.apiTokenInstance });
  }
}, 300_000);

/**
 * Upgrades: every state entry a released version wrote still works with today's package.
 * Dynamic resources (test/fixtures/state/): refresh and destroy run the `__provider` text stored in
 * the state, which loads `pulumi-greenapi/lifecycle` by name and calls its functions; an update runs
 * today's text on the recorded outputs. A change to the dynamic door's names, argument shapes or
 * reading of old outputs fails here. Plugin resources (test/fixtures/plugin-state/): entries whose
 * inputs still hold the `__autoName` earlier plugins stored refresh and preview with no changes, and
 * the next `up` stores only the properties schema.json declares.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SeedInstance } from "../../emulator";
import { startConfiguredHost, waitUntil, type StateEntry } from "../../harness";
import { PROVIDER_MODULE } from "../../provider/resource";
import { goals, REPO_ROOT, useStack, type TestStack } from "./stack";

const FIXTURES = join(__dirname, "..", "fixtures", "state");

interface Recorded {
  recorded: string;
  instance: SeedInstance & { idInstance: number; name: string };
  entry: StateEntry;
}

const fixturesIn = (dir: string) =>
  readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .map((file) => [file] as const);
const fixtures = fixturesIn(FIXTURES);

const stack = useStack();

/** A recorded entry put back: its instance in the account, the entry in the stack's state. */
function loadInto(into: TestStack, dir: string, file: string): Recorded {
  const text = readFileSync(join(dir, file), "utf8").split("{{apiUrl}}").join(into.emulator.url);
  const recorded = JSON.parse(text) as Recorded;
  into.emulator.seed([recorded.instance]);
  into.engine.state.set(recorded.entry.urn, recorded.entry);
  return recorded;
}
const load = (file: string) => loadInto(stack, FIXTURES, file);

describe.each(fixtures)("through the dynamic host: the state entry in %s", (file) => {
  it("refreshes and destroys with its own __provider", async () => {
    const { entry, instance } = load(file);
    const recordedProvider = entry.outputs.__provider;
    expect((await stack.engine.refresh()).map((s) => s.op)).toEqual([expect.stringMatching(/^refresh-(same|changed)$/)]);
    const [refreshed] = stack.engine.state.values();
    expect(refreshed.id).toBe(String(instance.idInstance));
    expect(refreshed.outputs).toMatchObject({
      idInstance: instance.idInstance,
      apiTokenInstance: instance.apiTokenInstance,
      name: instance.name,
    });
    expect(refreshed.outputs.__provider).toBe(recordedProvider);

    expect((await stack.engine.destroy()).map((s) => s.op)).toEqual(["delete"]);
    expect(stack.emulator.get(instance.idInstance)!.deleted).toBe(true);
    expect(stack.engine.state.size).toBe(0);
  });

  it("updates in place from its outputs with today's package, and plans nothing more after", async () => {
    const { entry, instance } = load(file);
    const declared = { webhookUrl: "https://hooks.example.com/a", incomingWebhook: false, delaySendMessagesMilliseconds: 1000 };
    const registrations = await stack.declare({ [entry.urn.split("::").pop()!]: { name: instance.name, ...declared } });
    expect((await stack.engine.up(goals(registrations))).map((s) => s.op)).toEqual(["update"]);
    expect(stack.emulator.requests.filter((r) => r.method === "setSettings").map((r) => r.body)).toEqual([{ incomingWebhook: "no" }]);
    expect(stack.emulator.count("createInstance")).toBe(0);
    expect((await stack.engine.up(goals(registrations))).map((s) => s.op)).toEqual(["same"]);
    expect([...stack.engine.state.values()].map((e) => e.id)).toEqual([String(instance.idInstance)]);
  });
});

/** One entry for each older `__provider` text: a host serving it and new resources loads both texts. */
const olderProviderFixtures = [
  ...new Map(
    fixtures
      .map(
        ([file]) =>
          [(JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as Recorded).entry.inputs.__provider, [file] as const] as const,
      )
      .filter(([text]) => text !== PROVIDER_MODULE),
  ).values(),
];

describe.each(olderProviderFixtures)("through the dynamic host: the older __provider in %s", (file) => {
  it("shares one provider with today's text in one host: a new resource's check leaves its refresh running", async () => {
    const { entry, instance } = load(file);
    const [registration] = await stack.declare({ newcomer: {} });
    // A host that has loaded neither text yet: each text it loads configures the provider again.
    const host = await startConfiguredHost(stack.config, { programDir: stack.programDir });
    try {
      // The refresh's getStateInstance gets no answer: it is retried after its request deadline.
      stack.emulator.injectFault({ method: "getStateInstance", kind: "hang", idInstance: instance.idInstance });
      const reading = host.read(entry.urn, entry.id, entry.outputs, entry.inputs);
      await waitUntil(() => stack.emulator.count("getStateInstance") > 0, "the refresh's getStateInstance");
      await host.check(registration.urn, {}, registration.inputs);
      const { properties } = await reading;
      expect(properties).toMatchObject({ idInstance: instance.idInstance, apiTokenInstance: instance.apiTokenInstance });
      expect(stack.emulator.count("getStateInstance")).toBe(2);
    } finally {
      await host.stop();
    }
  });
});

const PLUGIN_FIXTURES = join(__dirname, "..", "fixtures", "plugin-state");
const pluginFixtures = fixturesIn(PLUGIN_FIXTURES);

describe("through the greenapi plugin", () => {
  const plugin = useStack({ door: "plugin" });
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, "provider", "plugin", "schema.json"), "utf8"));
  const declared = new Set(Object.keys(schema.resources["greenapi:index:Instance"].inputProperties));

  describe.each(pluginFixtures)("the state entry in %s", (file) => {
    it("refreshes and previews with no changes; the next up stores only declared inputs; destroy deletes", async () => {
      const { entry, instance } = loadInto(plugin, PLUGIN_FIXTURES, file);
      expect(Object.keys(entry.inputs)).toContain("__autoName"); // what earlier plugins stored
      expect((await plugin.engine.refresh()).map((s) => s.op)).toEqual(["refresh-same"]);

      // The same program as recorded: its inputs, minus what the engine never sent (the auto-name, the name the check filled in).
      const { __autoName: _autoName, name: _name, ...program } = entry.inputs;
      const goal = { type: entry.type, name: entry.urn.split("::").pop()!, inputs: program };
      expect((await plugin.engine.up([goal])).map((s) => s.op)).toEqual(["same"]);
      expect(plugin.emulator.requests.filter((r) => r.method === "createInstance" || r.method === "setSettings")).toEqual([]);
      const [upgraded] = plugin.engine.state.values();
      expect(Object.keys(upgraded.inputs).filter((key) => !declared.has(key))).toEqual([]);
      expect(upgraded.inputs.name).toBe(instance.name);

      expect((await plugin.engine.destroy()).map((s) => s.op)).toEqual(["delete"]);
      expect(plugin.emulator.get(instance.idInstance)!.deleted).toBe(true);
    });
  });
});

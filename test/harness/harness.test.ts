import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { captureRegistrations, CheckFailedError, Engine, HostError, makeUrn, ProviderHost, type Registration } from "../../harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a dynamic provider's property bags are untyped
type Props = Record<string, any>;

// Runs inside the host process after the SDK serializes it: it must not reference anything outside
// itself. Behaviour is driven entirely by the properties it receives.
const testProvider = {
  seen: {} as Props,
  async configure(req: pulumi.dynamic.ConfigureRequest) {
    this.seen = { token: req.config.get("greenapi:partnerToken"), region: req.config.get("region") };
  },
  async check(_olds: Props, news: Props) {
    if (news.explode) {
      throw new Error("check exploded");
    }
    const failures = news.size < 0 ? [{ property: "size", reason: "must not be negative" }] : [];
    return { inputs: news, failures };
  },
  async diff(_id: string, olds: Props, news: Props) {
    const changed = Object.keys(news).filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return {
      changes: changed.length > 0,
      replaces: changed.filter((k) => k === "key"),
      deleteBeforeReplace: news.deleteFirst === true,
    };
  },
  async create(inputs: Props) {
    if (inputs.failInit) {
      const error = new Error("created but not ready");
      const properties = inputs.keepProvider ? { key: inputs.key, __provider: inputs.__provider } : { key: inputs.key };
      throw Object.assign(error, { id: inputs.key, properties, reasons: ["not ready"] });
    }
    console.log(`create ${inputs.key}`);
    return { id: inputs.key, outs: { ...inputs, seen: this.seen } };
  },
  async read(id: string, props: Props) {
    if (props.gone) {
      return {};
    }
    const { seen: _seen, ...inputs } = props;
    return { id, props: { ...props, size: 99 }, inputs: { ...inputs, size: 99 } };
  },
  async update(_id: string, olds: Props, news: Props) {
    return { outs: { ...news, seen: olds.seen } };
  },
  async delete(id: string) {
    console.log(`delete ${id}`);
  },
};

class Thing extends pulumi.dynamic.Resource {
  constructor(name: string, props: Props) {
    super(testProvider, name, props);
  }
}

class SecretThing extends pulumi.dynamic.Resource {
  constructor(name: string, props: { key: pulumi.Input<string>; apiToken: pulumi.Input<string> }) {
    super(testProvider, name, props, { additionalSecretOutputs: ["apiToken"] }, "harness", "SecretThing");
  }
}

const TYPE = "pulumi-nodejs:dynamic:Resource";

let host: ProviderHost;
let providerText: string;
let programDir: string;

function inputs(props: Props): Props {
  return { ...props, __provider: providerText };
}

/** What the host printed while `action` ran. */
async function printedDuring(action: () => Promise<unknown>): Promise<string> {
  const before = host.output().length;
  await action();
  return host.output().slice(before);
}

beforeAll(async () => {
  programDir = fs.mkdtempSync(path.join(os.tmpdir(), "harness-"));
  const [registration] = await captureRegistrations(() => {
    new Thing("r1", { key: "a" });
  });
  providerText = registration.inputs.__provider as string;
  host = await ProviderHost.start({ programDir });
  await host.configure({ "greenapi:partnerToken": "tok-123", "test:region": "eu-1" }, ["greenapi:partnerToken"]);
});

afterAll(async () => {
  await host?.stop();
  fs.rmSync(programDir, { recursive: true, force: true });
});

describe("captureRegistrations", () => {
  it("records the SDK's registration with the serialized provider", async () => {
    const [registration] = await captureRegistrations(() => {
      new Thing("r1", { key: "a" });
    });
    expect(registration).toMatchObject<Partial<Registration>>({
      type: TYPE,
      name: "r1",
      urn: makeUrn(TYPE, "r1"),
      additionalSecretOutputs: [],
      secretInputs: [],
    });
    expect(registration.inputs.key).toBe("a");
    expect(registration.inputs.__provider).toBe(providerText);
    expect(providerText).toContain("exports.handler");
  });

  it("captures additionalSecretOutputs and secret inputs from a Resource subclass", async () => {
    const [registration] = await captureRegistrations(() => {
      new SecretThing("s1", { key: "s", apiToken: pulumi.secret("hush") });
    });
    expect(registration.type).toBe("pulumi-nodejs:dynamic/harness:SecretThing");
    expect(registration.additionalSecretOutputs).toEqual(["apiToken"]);
    expect(registration.secretInputs).toEqual(["apiToken"]);
    expect(registration.inputs.apiToken).toBe("hush");
  });

  it("gives the program its stack config and resets it between runs", async () => {
    const program = () => {
      const region = new pulumi.Config("greenapi").get("region") ?? "none";
      new Thing("cfg", { key: region });
    };
    const [configured] = await captureRegistrations(program, {
      config: { "greenapi:region": "eu-2" },
      project: "p",
      stack: "s",
    });
    const [plain] = await captureRegistrations(program);
    expect(configured.inputs.key).toBe("eu-2");
    expect(configured.urn).toBe(makeUrn(TYPE, "cfg", "s", "p"));
    expect(plain.inputs.key).toBe("none");
  });

  it("waits for registrations made after the program's own awaits", async () => {
    const registrations = await captureRegistrations(async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      new Thing("late", { key: "l" });
    });
    expect(registrations.map((r) => r.name)).toEqual(["late"]);
  });
});

describe("ProviderHost", () => {
  const urn = makeUrn(TYPE, "direct");

  it("passes namespaced config, secrets unwrapped, to provider.configure", async () => {
    const created = await host.create(urn, inputs({ key: "cfg" }));
    // "region" without a namespace resolves against PULUMI_NODEJS_PROJECT ("test").
    expect(created.properties.seen).toEqual({ token: "tok-123", region: "eu-1" });
  });

  it("returns check failures and checked inputs", async () => {
    const result = await host.check(urn, {}, inputs({ key: "x", size: -1 }));
    expect(result.failures).toEqual([{ property: "size", reason: "must not be negative" }]);
    expect(result.inputs).toEqual(inputs({ key: "x", size: -1 }));
  });

  it("reports diff changes, replaces and deleteBeforeReplace", async () => {
    const olds = inputs({ key: "a", size: 1 });
    expect(await host.diff(urn, "a", olds, olds)).toEqual({
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await host.diff(urn, "a", olds, inputs({ key: "b", size: 1, deleteFirst: true }), olds)).toEqual({
      changes: "some",
      replaces: ["key"],
      deleteBeforeReplace: true,
    });
  });

  it("returns read inputs when the provider gives them", async () => {
    const read = await host.read(urn, "r", inputs({ key: "r", size: 1 }), inputs({ key: "r", size: 1 }));
    expect(read).toEqual({
      id: "r",
      properties: inputs({ key: "r", size: 99 }),
      inputs: inputs({ key: "r", size: 99 }),
    });
  });

  it("surfaces a provider error as HostError with the host's message", async () => {
    const failure = await host.check(urn, {}, inputs({ explode: true })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(HostError);
    expect(failure).toMatchObject({ code: 2, details: expect.stringContaining("check exploded") });
    expect((failure as HostError).initFailed).toBeUndefined();
  });

  it("decodes 'created but failed to initialize' into HostError.initFailed", async () => {
    const failure = await host.create(urn, inputs({ key: "half", failInit: true })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(HostError);
    expect((failure as HostError).initFailed).toEqual({
      id: "half",
      properties: { key: "half" },
      reasons: ["not ready"],
    });
  });

  it("exposes everything the host printed", async () => {
    const printed = await printedDuring(() => host.delete(urn, "gone-1", inputs({ key: "gone-1" })));
    expect(printed).toContain("delete gone-1");
    expect(host.output()).toMatch(/^\d+\n/);
  });
});

describe("Engine", () => {
  const goal = (name: string, props: Props) => ({ type: TYPE, name, inputs: inputs(props) });

  it("creates, keeps, updates and deletes in the engine's order", async () => {
    const engine = new Engine(host);
    const urn = makeUrn(TYPE, "life");

    expect(await engine.up([goal("life", { key: "k1", size: 1 })])).toEqual([{ op: "create", urn, id: "k1" }]);
    expect(engine.state.get(urn)).toMatchObject({ id: "k1", inputs: inputs({ key: "k1", size: 1 }) });

    expect(await engine.up([goal("life", { key: "k1", size: 1 })])).toEqual([{ op: "same", urn, id: "k1" }]);

    expect(await engine.up([goal("life", { key: "k1", size: 2 })])).toEqual([{ op: "update", urn, id: "k1" }]);
    expect(engine.state.get(urn)?.outputs).toMatchObject({ size: 2, seen: { token: "tok-123" } });

    const printed = await printedDuring(() => engine.up([])).then(lines);
    expect(printed).toEqual(["delete k1"]);
    expect(engine.state.size).toBe(0);
  });

  it("replaces create-before-delete, or delete-first when the provider asks", async () => {
    const engine = new Engine(host);
    await engine.up([goal("swap", { key: "v1" })]);

    let steps: unknown;
    const createFirst = await printedDuring(async () => {
      steps = await engine.up([goal("swap", { key: "v2" })]);
    });
    expect(steps).toEqual([expect.objectContaining({ op: "replace", id: "v2" })]);
    expect(lines(createFirst)).toEqual(["create v2", "delete v1"]);

    const deleteFirst = await printedDuring(() => engine.up([goal("swap", { key: "v3", deleteFirst: true })]));
    expect(lines(deleteFirst)).toEqual(["delete v2", "create v3"]);
    expect(engine.state.get(makeUrn(TYPE, "swap"))?.id).toBe("v3");
    await engine.destroy();
  });

  it("throws CheckFailedError and leaves state alone when check fails", async () => {
    const engine = new Engine(host);
    const failure = await engine.up([goal("bad", { key: "b", size: -1 })]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CheckFailedError);
    expect((failure as CheckFailedError).failures).toEqual([{ property: "size", reason: "must not be negative" }]);
    expect(engine.state.size).toBe(0);
  });

  it("refresh stores what read returns and drops what read reports gone", async () => {
    const engine = new Engine(host);
    await engine.up([goal("kept", { key: "kept", size: 1 }), goal("lost", { key: "lost", gone: true })]);

    const steps = await engine.refresh();
    expect(steps).toEqual([
      { op: "refresh-changed", urn: makeUrn(TYPE, "kept"), id: "kept", detail: expect.stringContaining("inputs updated") },
      { op: "refresh-gone", urn: makeUrn(TYPE, "lost"), id: "lost" },
    ]);
    expect([...engine.state.keys()]).toEqual([makeUrn(TYPE, "kept")]);
    expect(engine.state.get(makeUrn(TYPE, "kept"))?.inputs).toEqual(inputs({ key: "kept", size: 99 }));
    await engine.destroy();
  });

  it("records a resource that was created but failed to initialize", async () => {
    const engine = new Engine(host);
    await expect(engine.up([goal("half", { key: "half", failInit: true })])).rejects.toBeInstanceOf(HostError);
    expect(engine.state.get(makeUrn(TYPE, "half"))).toMatchObject({ id: "half", outputs: { key: "half" } });
    // The engine stores the error's properties as the outputs, so without __provider the host
    // cannot load a provider to delete (or read) the resource later.
    await expect(engine.destroy()).rejects.toThrow("code must be a string");
  });

  it("can delete a failed-to-initialize resource whose error properties carry __provider", async () => {
    const engine = new Engine(host);
    const failing = goal("half2", { key: "half2", failInit: true, keepProvider: true });
    await expect(engine.up([failing])).rejects.toBeInstanceOf(HostError);
    const printed = await printedDuring(() => engine.destroy());
    expect(lines(printed)).toEqual(["delete half2"]);
    expect(engine.state.size).toBe(0);
  });
});

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line.length > 0);
}

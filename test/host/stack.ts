/**
 * A test stack: the emulator, a front door's real provider process — Pulumi's dynamic-provider host
 * or the greenapi plugin — running from a temporary program directory where `pulumi-greenapi` is
 * installed (linked to this repo's build, as npm would), and the harness engine driving it. One per
 * test file and door: spawning the host is the slow part.
 */
import { GreenApiEmulator, type EmulatorOptions } from "../../emulator";
import {
  captureRegistrations,
  DEFAULT_PROJECT,
  DEFAULT_STACK,
  DOOR_NAMES,
  DOORS,
  Engine,
  INSTANCE_TYPES,
  makeUrn,
  secretValue,
  type Door,
  makeProgramDir,
  removeProgramDir,
  startConfiguredHost,
  type ProviderHost,
  type Registration,
} from "../../harness";
import type { GreenApiInstanceArgs } from "pulumi-greenapi";

import { autoNameOf } from "../../provider/lifecycle/names";

export { DOORS, DOOR_NAMES, makeProgramDir, REPO_ROOT, type Door } from "../../harness";
export const INSTANCE_TYPE = INSTANCE_TYPES.dynamic;

/** Inputs a program declares that are credentials: the plugin's SDKs send them as secrets (schema.json). */
const SECRET_INPUTS = ["webhookUrlToken"];

export interface TestStack {
  door: Door;
  /** The resource's type token at this door. */
  instanceType: string;
  emulator: GreenApiEmulator;
  /** A configured host kept for the whole file, started on first use (few files need one). */
  host(): Promise<ProviderHost>;
  /** Runs each command (up, refresh, destroy) in a provider host of its own, as the CLI does. */
  engine: Engine;
  /** Everything every provider host of this stack printed so far. */
  output(): string;
  config: Record<string, string>;
  /** Where this stack's hosts run: `pulumi-greenapi` installed in node_modules. */
  programDir: string;
  /** The program's registrations for these instances, as this door's engine receives them. */
  declare(instances: Record<string, GreenApiInstanceArgs>): Promise<Registration[]>;
  /** The name a resource's instance gets when its program sets none (the same at both doors). */
  autoName(resource: string): string;
  close(): Promise<void>;
}

/** A resource's auto-name in the harness's default project and stack. */
export function autoName(resource: string): string {
  return autoNameOf(DEFAULT_PROJECT, DEFAULT_STACK, resource);
}

export async function startStack(
  options: {
    emulator?: EmulatorOptions;
    /** Config over the defaults (the emulator's URL and partner token, 5 s per request). */
    config?: (emulator: GreenApiEmulator) => Record<string, string>;
    env?: Record<string, string | undefined>;
    door?: Door;
  } = {},
): Promise<TestStack> {
  const door = options.door ?? "dynamic";
  const emulator = await GreenApiEmulator.start(options.emulator);
  const config = {
    "greenapi:partnerToken": emulator.partnerToken,
    "greenapi:partnerApiUrl": emulator.url,
    "greenapi:apiUrl": emulator.url,
    "greenapi:requestTimeoutSeconds": "5",
    ...options.config?.(emulator),
  };
  const programDir = makeProgramDir();
  const startHost = () => startConfiguredHost(config, { programDir, env: options.env, door });
  let host: Promise<ProviderHost> | undefined;
  let started: ProviderHost | undefined;
  const engine = new Engine(startHost);
  return {
    door,
    instanceType: INSTANCE_TYPES[door],
    emulator,
    host: () => (host ??= startHost().then((h) => (started = h))),
    engine,
    output: () => engine.output() + (started?.output() ?? ""),
    config,
    programDir,
    declare: (instances) => (door === "plugin" ? declarePluginInstances(instances) : declareInstances(instances, config)),
    autoName,
    async close() {
      await (await host?.catch(() => undefined))?.stop();
      await emulator.close();
      removeProgramDir(programDir);
    },
  };
}

/**
 * One stack for a test file: started before its tests and closed after them; before each test the
 * emulator is quiet again (no faults, latency or rate limits) and the stack empty.
 */
export function useStack(options?: Parameters<typeof startStack>[0]): TestStack {
  const stack = {} as TestStack;
  beforeAll(async () => {
    Object.assign(stack, await startStack(options));
  });
  afterAll(async () => {
    await stack.close?.();
  });
  beforeEach(async () => {
    stack.emulator.setRateLimit(false);
    stack.emulator.setLatency(0);
    stack.emulator.clearFaults();
    await stack.emulator.lateRequestsPerformed();
    // Housekeeping, not under test: the file's own host deletes what the last test left, instead of
    // a host started for it (starting hosts is most of these tests' CPU time).
    if (stack.engine.state.size > 0) {
      const cleanup = new Engine(await stack.host());
      cleanup.state = stack.engine.state;
      await cleanup.destroy();
    }
    stack.emulator.resetCounts();
  });
  return stack;
}

export async function declareInstances(instances: Record<string, GreenApiInstanceArgs>, config: Record<string, string> = {}) {
  // Loaded from the built package, exactly as a user's program loads it.
  const { GreenApiInstance } = await import("pulumi-greenapi");
  return captureRegistrations(
    () => {
      for (const [name, args] of Object.entries(instances)) new GreenApiInstance(name, args);
    },
    { config, secretKeys: ["greenapi:partnerToken"] },
  );
}

/**
 * What the engine sends the plugin for these resources: the program's inputs, credentials as secrets
 * (every generated SDK and YAML mark them so from schema.json), no engine keys.
 */
export async function declarePluginInstances(instances: Record<string, GreenApiInstanceArgs>): Promise<Registration[]> {
  return Object.entries(instances).map(([name, args]) => {
    const inputs = Object.fromEntries(
      Object.entries(args)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [key, SECRET_INPUTS.includes(key) ? secretValue(value) : value]),
    );
    return {
      type: INSTANCE_TYPES.plugin,
      name,
      urn: makeUrn(INSTANCE_TYPES.plugin, name),
      inputs,
      secretInputs: SECRET_INPUTS.filter((key) => key in inputs),
      additionalSecretOutputs: [],
    };
  });
}

/** A suite run through each front door, inside a describe named for it ("through the greenapi plugin"). */
export function eachDoor(suite: (door: Door) => void): void {
  describe.each(DOORS.map((door) => [DOOR_NAMES[door], door] as const))("%s", (_, door) => suite(door));
}

export function goals(registrations: Registration[]) {
  return registrations.map(({ type, name, inputs }) => ({ type, name, inputs }));
}

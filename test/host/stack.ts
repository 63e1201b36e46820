/**
 * A test stack: the emulator, Pulumi's real provider host running from a temporary program
 * directory where `pulumi-greenapi` is installed (linked to this repo's build, as npm would), and
 * the harness engine driving it. One per test file: spawning the host is the slow part.
 */
import { GreenApiEmulator, type EmulatorOptions } from "../../emulator";
import {
  captureRegistrations,
  Engine,
  makeProgramDir,
  removeProgramDir,
  startConfiguredHost,
  type ProviderHost,
  type Registration,
} from "../../harness";
import type { GreenApiInstanceArgs } from "pulumi-greenapi";

export { makeProgramDir, REPO_ROOT } from "../../harness";
export const INSTANCE_TYPE = "pulumi-nodejs:dynamic/greenapi:Instance";

export interface TestStack {
  emulator: GreenApiEmulator;
  /** A configured host kept for the whole file, for tests that make RPCs directly. */
  host: ProviderHost;
  /** Runs each command (up, refresh, destroy) in a provider host of its own, as the CLI does. */
  engine: Engine;
  /** Everything every provider host of this stack printed so far. */
  output(): string;
  config: Record<string, string>;
  /** Where this stack's hosts run: `pulumi-greenapi` installed in node_modules. */
  programDir: string;
  /** The program's registrations for these instances (serialized by the SDK itself). */
  declare(instances: Record<string, GreenApiInstanceArgs>): Promise<Registration[]>;
  close(): Promise<void>;
}

export async function startStack(
  options: {
    emulator?: EmulatorOptions;
    /** Config over the defaults (the emulator's URL and partner token, 5 s per request). */
    config?: (emulator: GreenApiEmulator) => Record<string, string>;
    env?: Record<string, string | undefined>;
  } = {},
): Promise<TestStack> {
  const emulator = await GreenApiEmulator.start(options.emulator);
  const config = {
    "greenapi:partnerToken": emulator.partnerToken,
    "greenapi:partnerApiUrl": emulator.url,
    "greenapi:apiUrl": emulator.url,
    "greenapi:requestTimeoutSeconds": "5",
    ...options.config?.(emulator),
  };
  const programDir = makeProgramDir();
  const startHost = () => startConfiguredHost(config, { programDir, env: options.env });
  const host = await startHost();
  const engine = new Engine(startHost);
  return {
    emulator,
    host,
    engine,
    output: () => engine.output() + host.output(),
    config,
    programDir,
    declare: (instances) => declareInstances(instances, config),
    async close() {
      await host.stop();
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
    await stack.engine.destroy();
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

export function goals(registrations: Registration[]) {
  return registrations.map(({ type, name, inputs }) => ({ type, name, inputs }));
}

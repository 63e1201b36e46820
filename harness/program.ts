/**
 * Runs a Pulumi program's resource declarations under the SDK's own mocks and records the
 * RegisterResource requests it sends, so inputs (including the serialized `__provider`) are exactly
 * what the SDK would hand the engine.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import type { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import { DEFAULT_PROJECT, DEFAULT_STACK } from "./host";
import { fromStruct, isSecretValue, unwrapSecrets, type PropertyMap } from "./wire";

export interface Registration {
  type: string;
  name: string;
  urn: string;
  /** Plain values, as the engine passes them to a provider that refuses secrets; includes `__provider`. */
  inputs: PropertyMap;
  /** Top-level inputs the program marked secret. */
  secretInputs: string[];
  additionalSecretOutputs: string[];
}

export interface CaptureOptions {
  project?: string;
  stack?: string;
  /** Stack config with namespaced keys, e.g. `greenapi:partnerToken`. */
  config?: Record<string, string>;
  /** Config keys the program should see as secret. */
  secretKeys?: string[];
}

// Internal SDK hooks, absent from the published typings.
interface SdkSettings {
  getMonitor(): unknown;
  waitForRPCs(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an SDK internal without type declarations
const settings = require("@pulumi/pulumi/runtime/settings") as SdkSettings;

// The SDK keeps one global runtime, so captures must not overlap.
let queue: Promise<unknown> = Promise.resolve();

export function captureRegistrations(program: () => void | Promise<void>, options: CaptureOptions = {}): Promise<Registration[]> {
  const run = queue.then(() => capture(program, options));
  queue = run.catch(() => undefined);
  return run;
}

async function capture(program: () => void | Promise<void>, options: CaptureOptions): Promise<Registration[]> {
  pulumi.runtime.setAllConfig(options.config ?? {}, options.secretKeys ?? []);
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (args) => args.inputs,
    },
    options.project ?? DEFAULT_PROJECT,
    options.stack ?? DEFAULT_STACK,
  );
  const registrations: Registration[] = [];
  recordRegistrations(installedMonitor(), registrations);
  await failOnUnhandledRejection(async () => {
    await program();
    await settings.waitForRPCs();
  });
  return registrations;
}

function installedMonitor(): MockMonitor {
  const monitor = settings.getMonitor();
  if (!(monitor instanceof MockMonitor)) {
    throw new Error("pulumi.runtime.setMocks did not install a MockMonitor");
  }
  return monitor;
}

/**
 * The mocks' `newResource` callback never sees the request's options (additionalSecretOutputs among
 * them), so wrap the monitor's entry point to read the real RegisterResourceRequest.
 */
function recordRegistrations(monitor: MockMonitor, sink: Registration[]): void {
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: RegisterResourceRequest, callback) => {
    const registration = toRegistration(req);
    if (registration) {
      sink.push(registration);
    }
    return register(req, (error: unknown, res: RegisterResourceResponse) => {
      if (registration && !error) {
        registration.urn = res.getUrn();
      }
      callback(error, res);
    });
  };
}

/** Only custom resources reach a provider; components and explicit provider resources are skipped. */
function toRegistration(req: RegisterResourceRequest): Registration | undefined {
  const type = req.getType();
  if (!req.getCustom() || type.startsWith("pulumi:providers:")) {
    return undefined;
  }
  const wire = fromStruct(req.getObject());
  return {
    type,
    name: req.getName(),
    urn: "",
    inputs: unwrapSecrets(wire) as PropertyMap,
    secretInputs: Object.keys(wire).filter((key) => isSecretValue(wire[key])),
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
  };
}

/**
 * A resource whose inputs fail to serialize (a provider the closure serializer rejects, say) never
 * reaches the monitor: the SDK only leaves an unhandled rejection behind. Turn that into our failure.
 * Under jest the listener never fires (jest keeps its own process object) and jest fails the running
 * test with the SDK's error instead.
 */
async function failOnUnhandledRejection(body: () => Promise<void>): Promise<void> {
  let failure: unknown;
  const onRejection = (reason: unknown) => {
    failure ??= reason;
  };
  process.on("unhandledRejection", onRejection);
  try {
    await body();
    // Rejections are reported after the microtask queue drains.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("unhandledRejection", onRejection);
  }
  if (failure !== undefined) {
    throw failure;
  }
}

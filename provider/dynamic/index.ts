/**
 * The dynamic front door: what GreenApiInstance's `__provider` text (resource.ts) loads by package
 * name inside Pulumi's dynamic-provider host, as `require("pulumi-greenapi/lifecycle")`.
 * It speaks that host's dialect — the serialized `__provider` and the `__autoName` GreenApiInstance
 * adds to its inputs, the stack config handed to `configure`, progress as printed lines — and
 * adapts it at this edge to the plain requests of provider/lifecycle.
 *
 * A contract with every stack ever deployed: their state holds a `__provider` that loads this module
 * by that name — as the provider itself (resource.ts: PROVIDER_MODULE), or, in entries written
 * before December 2026, through a shim the SDK serialized, which calls
 * `require("pulumi-greenapi/lifecycle").<configure|check|diff|create|read|update|delete>(...args)` —
 * and refresh and destroy run that stored text. Keep these names and the dynamic host's argument
 * shapes, and keep reading the outputs every released version wrote; test/host/upgrade.test.ts runs
 * recorded entries (test/fixtures/state/) to prove it.
 */
import { randomBytes } from "node:crypto";
import * as lifecycle from "../lifecycle";
import type { InstanceInputs, InstanceOutputs, Provider, Report } from "../lifecycle";
import { AUTO_NAME_KEY, PROVIDER_KEY } from "./keys";

export { AUTO_NAME_KEY };

type Properties = Record<string, unknown>;

/** Pulumi shows a dynamic provider's output on the stack's row: each line names its instance. */
const report: Report = (severity, message) => {
  console.log(`greenapi: ${severity === "warning" || severity === "error" ? `${severity}: ` : ""}${message}`);
};

/**
 * This process's provider, or why it has none. Pulumi's host configures a process once before its
 * first call, and keeps calling a provider whose configure failed: each call then fails the same way.
 */
let current: Provider | lifecycle.ConfigurationError | undefined;

function provider(): Provider {
  // Without a configure call (an older host), the environment alone.
  current ??= lifecycle.configure(() => undefined, lifecycle.STACK_CONFIG);
  if (current instanceof lifecycle.ConfigurationError) throw current;
  return current;
}

/**
 * The stack config `current` came from. The host configures once for each distinct `__provider` text
 * it loads (a stack's older entries may hold an older text), always with the same config: those calls
 * keep the provider in use, whose operations may be running, instead of replacing and closing it.
 */
let configuredWith: string | undefined;

/** Called by the host with the stack config before its first call; throws on a malformed value, naming its key. */
export async function configure(request: { config: { get(key: string): string | undefined } }): Promise<void> {
  const lookup = (setting: lifecycle.ClientSetting) => request.config.get(lifecycle.CONFIG_KEYS[setting].key);
  const config = JSON.stringify((Object.keys(lifecycle.CONFIG_KEYS) as lifecycle.ClientSetting[]).map(lookup));
  if (current !== undefined && config === configuredWith) {
    if (current instanceof lifecycle.ConfigurationError) throw current;
    return;
  }
  const previous = current instanceof lifecycle.ConfigurationError ? undefined : current;
  configuredWith = config;
  try {
    current = lifecycle.configure(lookup, lifecycle.STACK_CONFIG);
  } catch (error) {
    if (!(error instanceof lifecycle.ConfigurationError)) throw error;
    current = error;
    throw error;
  } finally {
    await lifecycle.closeProvider(previous);
  }
}

/** Properties without this door's own keys: what the lifecycle sees. */
function plain(properties: Properties | undefined): Properties {
  const { [PROVIDER_KEY]: _provider, [AUTO_NAME_KEY]: _autoName, ...rest } = properties ?? {};
  return rest;
}

/** The auto-name the resource sent; a random one for an input set without it (the name then comes from the state). */
function autoNameIn(inputs: Properties): string {
  const autoName = inputs[AUTO_NAME_KEY];
  return typeof autoName === "string" && autoName ? autoName : `instance-${randomBytes(4).toString("hex").slice(0, 7)}`;
}

/** Validation only, no network: runs on every preview. The auto-name stays in the inputs, for create. */
export async function check(olds: Properties, news: Properties): Promise<{ inputs: Properties; failures?: lifecycle.CheckFailure[] }> {
  provider();
  const result = lifecycle.check({ olds: plain(olds), news: plain(news), autoName: autoNameIn(news) });
  if (result.failures) return { inputs: news, failures: result.failures };
  const autoName = news[AUTO_NAME_KEY];
  return { inputs: autoName === undefined ? { ...result.inputs } : { ...result.inputs, [AUTO_NAME_KEY]: autoName } };
}

export async function diff(_id: string, olds: Properties, news: Properties): Promise<lifecycle.DiffResult> {
  return lifecycle.diff(plain(olds), plain(news) as InstanceInputs);
}

export async function create(inputs: Properties): Promise<{ id: string; outs: InstanceOutputs }> {
  try {
    return await lifecycle.create(provider(), { inputs: plain(inputs) as InstanceInputs, autoName: autoNameIn(inputs), report });
  } catch (error) {
    // The host does not add `__provider` to an init failure's properties, and without it every later
    // operation on the recorded resource fails to load the provider.
    if (error instanceof lifecycle.ResourceInitError) {
      throw new lifecycle.ResourceInitError(
        error.id,
        { ...error.properties, [PROVIDER_KEY]: inputs[PROVIDER_KEY] },
        error.reasons,
        error.message,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

export async function read(id: string, props: Properties): Promise<lifecycle.ReadResult> {
  return lifecycle.read(provider(), { id, outputs: lifecycle.storedOutputs(plain(props)), report });
}

export async function update(id: string, olds: Properties, news: Properties): Promise<{ outs: InstanceOutputs }> {
  return lifecycle.update(provider(), { id, olds: lifecycle.storedOutputs(plain(olds)), news: plain(news) as InstanceInputs, report });
}

async function deleteInstance(id: string, props: Properties): Promise<void> {
  return lifecycle.deleteInstance(provider(), { id, outputs: lifecycle.storedOutputs(plain(props)), report });
}
export { deleteInstance as delete };

/**
 * The provider's implementation: what the thin provider in resource.ts loads by package name at
 * call time inside Pulumi's provider host. Plain functions over plain data; nothing here is
 * serialized into state.
 *
 * A contract with every stack ever deployed: their state holds a `__provider` that calls
 * `require("pulumi-greenapi/lifecycle").<configure|check|diff|create|read|update|delete>(...args)`
 * with the dynamic host's arguments, and refresh and destroy run that stored text. Keep these names
 * and argument shapes, and keep reading the outputs every released version wrote;
 * test/host/upgrade.test.ts runs recorded entries (test/fixtures/state/) to prove it.
 */
import { assertConfigured, configureProvider } from "./config";
import { create } from "./create";
import { deleteInstance } from "./delete";
import { diff as diffInputs, type DiffResult } from "./diff";
import { normalizeInputs, validateInputs, type CheckFailure, type InstanceInputs } from "./inputs";
import type { InstanceOutputs } from "./outputs";
import { read } from "./read";
import { update } from "./update";

export { SECRET_OUTPUTS, type InstanceOutputs } from "./outputs";
export { AUTO_NAME_KEY, type InstanceInputs } from "./inputs";
export { CONFIG_KEYS, ConfigurationError } from "./config";

/** The configuration, read and checked once per provider process: a bad value fails `pulumi preview`. */
export async function configure(request: { config: { get(key: string): string | undefined } }): Promise<void> {
  configureProvider((key) => request.config.get(key));
}

/** Validation only, no network: runs on every preview. */
export async function check(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<{ inputs: Record<string, unknown>; failures?: CheckFailure[] }> {
  assertConfigured();
  const failures = validateInputs(news);
  if (failures.length > 0) return { inputs: news, failures };
  return { inputs: normalizeInputs(news, olds ?? {}) as unknown as Record<string, unknown> };
}

export async function diff(_id: string, olds: InstanceOutputs, news: InstanceInputs): Promise<DiffResult> {
  return diffInputs(olds, news);
}

export { create, read, update };
export { deleteInstance as delete };

/**
 * The lifecycle of a Green API instance, shared by both front doors (provider/dynamic for
 * GreenApiInstance, provider/plugin for the `greenapi` plugin): plain requests in — checked inputs,
 * stored outputs, the resource's auto-name, the door's way to report progress, the configured
 * provider — and plain outputs back. Nothing here knows how a door stores or sends them.
 */
import { normalizeInputs, validateInputs, type CheckFailure } from "./inputs";
import type { InstanceInputs } from "./inputs";

export { checkConfig, closeProvider, configure, CONFIG_KEYS, ConfigurationError, STACK_CONFIG, providerProperties } from "./config";
export type { ClientSetting, Provider, SettingNames } from "./config";
export { SECRET_OUTPUTS, type InstanceOutputs } from "./outputs";
export { UNKNOWN, type CheckFailure, type InstanceInputs } from "./inputs";
export { autoNameOf } from "./names";
export { SECRET_INPUTS } from "./properties";
export { storedOutputs, StoredStateError } from "./state";
export { diff, type DiffResult } from "./diff";
export { create, type CreateRequest } from "./create";
export { read, type ReadRequest, type ReadResult } from "./read";
export { update, type UpdateRequest } from "./update";
export { deleteInstance, type DeleteRequest } from "./delete";
export { importInstance } from "./import";
export { getInstance, getInstances, LookupArgumentError, type InstanceSummary } from "./lookups";
export { InputError, forPulumi } from "./errors";
export type { Report, Severity } from "./report";
export { ResourceInitError } from "./init-failure";

export interface CheckRequest {
  /** The resource's previous inputs (empty for a new resource). */
  olds: Record<string, unknown>;
  /** The program's inputs, plain values. */
  news: Record<string, unknown>;
  /** The name the instance gets when the program sets none (autoNameOf). */
  autoName: string;
}

/** Validation only, no network: runs on every preview. The checked inputs, or what is wrong with them. */
export function check({ olds, news, autoName }: CheckRequest): { inputs: InstanceInputs; failures?: never } | { failures: CheckFailure[] } {
  const failures = validateInputs(news);
  return failures.length > 0 ? { failures } : { inputs: normalizeInputs(news, olds, autoName) };
}

/**
 * The `greenapi` plugin's provider methods over provider/lifecycle: this maps Pulumi's provider
 * protocol (URNs, secret markers, the Configure request's variables) onto the very functions the
 * dynamic resource calls; every decision — validation, diff, exactly-once create, drift — stays in
 * the lifecycle. Plain data in, plain data out: server.ts does the gRPC.
 */
import * as lifecycle from "../lifecycle";
import type { InstanceInputs, InstanceOutputs } from "../lifecycle";
import { ResourceInitError } from "../lifecycle/init-failure";
import { importInstance } from "../lifecycle/import";
import { getInstance, getInstances, LookupArgumentError, type InstanceSummary } from "../lifecycle/lookups";
import { AUTO_NAME_KEY, autoNameOf, SECRET_INPUTS, UNKNOWN, type CheckFailure } from "../lifecycle/inputs";
import type { DiffResult } from "../lifecycle/diff";
import { revealAll, secretKeys, withSecrets, type Properties } from "./wire";

export const PACKAGE = "greenapi";
export const INSTANCE_TYPE = "greenapi:index:Instance";

const SECRET_OUTPUTS: readonly string[] = lifecycle.SECRET_OUTPUTS;
/** Provider inputs that are credentials: kept secret in the provider resource's state. */
const SECRET_CONFIG = ["partnerToken"];

export type { CheckFailure } from "../lifecycle/inputs";
export type { DiffResult } from "../lifecycle/diff";

function assertInstance(urn: string): void {
  const type = urn.split("::")[2];
  if (type !== INSTANCE_TYPE) throw new Error(`unknown resource type ${type ?? urn}: the greenapi provider serves ${INSTANCE_TYPE}`);
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → its parts. */
function urnParts(urn: string): { stack: string; project: string; name: string } {
  const [head, project = "", , name = ""] = urn.split("::");
  return { stack: head.replace(/^urn:pulumi:/, ""), project, name };
}

/** The auto-name GreenApiInstance would give this resource (see autoNameOf). */
export function autoName(urn: string): string {
  const { stack, project, name } = urnParts(urn);
  return autoNameOf(project, stack, name);
}

/** A lookup of `greenapi:<key>` in the Configure request's variables (`greenapi:config:<key>`). */
function lookupIn(variables: ReadonlyMap<string, string>): { get(key: string): string | undefined } {
  return { get: (key) => variables.get(key.replace(/^greenapi:/, `${PACKAGE}:config:`)) };
}

/** Provider inputs as strings, as the engine turns them into Configure variables. */
function asVariables(inputs: Properties): Map<string, string> {
  return new Map(
    Object.entries(revealAll(inputs))
      .filter(([key, value]) => key !== "version" && value !== undefined && value !== null)
      .map(([key, value]) => [`${PACKAGE}:config:${key}`, typeof value === "string" ? value : JSON.stringify(value)]),
  );
}

/**
 * Provider configuration: checked when the engine checks the provider's inputs (so a malformed
 * value fails preview naming its key), read when it configures the provider. Each provider resource,
 * default or explicit, runs in a plugin process of its own, so the lifecycle's per-process
 * configuration is this provider's.
 */
export async function checkConfig(news: Properties): Promise<{ inputs: Properties; failures: CheckFailure[] }> {
  const inputs = withSecrets(news, [...SECRET_CONFIG, ...secretKeys(news)]);
  // Values not known until apply are checked when Configure sees them.
  if (Object.values(revealAll(news)).includes(UNKNOWN)) return { inputs, failures: [] };
  try {
    // Configure follows in this same process and reads the config again.
    await lifecycle.configure({ config: lookupIn(asVariables(news)) });
    return { inputs, failures: [] };
  } catch (error) {
    if (!(error instanceof lifecycle.ConfigurationError)) throw error;
    return { inputs, failures: [{ property: "", reason: error.message }] };
  }
}

export async function configure(variables: ReadonlyMap<string, string>): Promise<void> {
  await lifecycle.configure({ config: lookupIn(variables) });
}

export async function check(urn: string, olds: Properties, news: Properties): Promise<{ inputs: Properties; failures: CheckFailure[] }> {
  assertInstance(urn);
  const plain = { ...revealAll(news), [AUTO_NAME_KEY]: autoName(urn) };
  const result = await lifecycle.check(revealAll(olds), plain);
  const secrets = [...SECRET_INPUTS, ...secretKeys(news)];
  // Failures name properties, never values; the inputs keep their secret marks either way.
  return { inputs: withSecrets(result.inputs, secrets), failures: result.failures ?? [] };
}

export async function diff(id: string, urn: string, olds: Properties, news: Properties): Promise<DiffResult> {
  assertInstance(urn);
  return lifecycle.diff(id, revealAll(olds) as unknown as InstanceOutputs, revealAll(news) as unknown as InstanceInputs);
}

/** Outputs with every credential marked secret: the lifecycle's secret outputs and whatever arrived secret. */
function outputsOf(outs: object, inputs: Properties): Properties {
  return withSecrets(outs, [...SECRET_OUTPUTS, ...secretKeys(inputs)]);
}

export async function create(urn: string, inputs: Properties): Promise<{ id: string; outs: Properties }> {
  assertInstance(urn);
  try {
    const { id, outs } = await lifecycle.create(revealAll(inputs) as unknown as InstanceInputs);
    return { id, outs: outputsOf(outs, inputs) };
  } catch (error) {
    // Created but not set up: the instance is recorded, its credentials secret like any outputs.
    if (error instanceof ResourceInitError) {
      const { __provider: _provider, ...properties } = error.properties;
      throw new ResourceInitError(error.id, outputsOf(properties, inputs), error.reasons, error.message);
    }
    throw error;
  }
}

/**
 * refresh; and import, which reads by id alone (no outputs): every live setting
 * then becomes an input (lifecycle/import.ts). A refresh gets inputs back only when the live settings
 * drifted; otherwise the stored inputs stand.
 */
export async function read(
  id: string,
  urn: string,
  props: Properties,
  inputs: Properties,
): Promise<{ id: string; props: Properties; inputs?: Properties }> {
  assertInstance(urn);
  // No outputs: `pulumi import` or the import resource option (which sends the program's inputs).
  const importing = Object.keys(props).length === 0;
  const result = importing ? await importInstance(id) : await lifecycle.read(id, revealAll(props) as unknown as InstanceOutputs);
  if (!result.id) return { id: "", props: {} };
  return {
    id: result.id,
    props: outputsOf(result.props, props),
    inputs: result.inputs === undefined ? inputs : withSecrets(result.inputs, [...SECRET_INPUTS, ...secretKeys(inputs)]),
  };
}

export async function update(id: string, urn: string, olds: Properties, news: Properties): Promise<{ outs: Properties }> {
  assertInstance(urn);
  const { outs } = await lifecycle.update(id, revealAll(olds) as unknown as InstanceOutputs, revealAll(news) as unknown as InstanceInputs);
  return { outs: outputsOf(outs, news) };
}

export async function deleteInstance(id: string, urn: string, props: Properties): Promise<void> {
  assertInstance(urn);
  await lifecycle.delete(id, revealAll(props) as unknown as InstanceOutputs);
}

export const FUNCTIONS = { getInstances: "greenapi:index:getInstances", getInstance: "greenapi:index:getInstance" } as const;

/** A row with its token secret. */
const secretRow = (row: InstanceSummary): Properties => withSecrets(row, ["apiTokenInstance"]);

/** The lookups; a wrong argument is a failure naming it, as the engine shows check failures. */
export async function invoke(token: string, args: Properties): Promise<{ outputs: Properties; failures: CheckFailure[] }> {
  const plain = revealAll(args);
  try {
    if (token === FUNCTIONS.getInstances) {
      const { instances } = await getInstances(plain);
      return { outputs: { instances: instances.map(secretRow) }, failures: [] };
    }
    if (token === FUNCTIONS.getInstance) return { outputs: secretRow(await getInstance(plain)), failures: [] };
  } catch (error) {
    if (error instanceof LookupArgumentError) return { outputs: {}, failures: [{ property: "", reason: error.message }] };
    throw error;
  }
  throw new Error(`unknown function ${token}: the greenapi provider serves ${Object.values(FUNCTIONS).join(", ")}`);
}

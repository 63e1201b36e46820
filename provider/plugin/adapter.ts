/**
 * The `greenapi` plugin's provider methods over provider/lifecycle: this maps Pulumi's provider
 * protocol (URNs, secret markers, the provider's own properties) onto the plain requests of the
 * lifecycle, which decides everything — validation, diff, exactly-once create, drift. Plain data in,
 * plain data out: server.ts does the gRPC.
 */
import * as lifecycle from "../lifecycle";
import type { InstanceInputs, Provider, Report, SettingNames } from "../lifecycle";
import { FUNCTIONS, INSTANCE_TYPE, PACKAGE } from "./tokens";
import { revealAll, secretKeys, withSecrets, type Properties } from "./wire";

const SECRET_OUTPUTS: readonly string[] = lifecycle.SECRET_OUTPUTS;
/** Provider inputs that are credentials: kept secret in the provider resource's state. */
const SECRET_CONFIG = ["partnerToken"];

export type { CheckFailure, DiffResult } from "../lifecycle";

function assertInstance(urn: string): void {
  const type = urn.split("::")[2];
  if (type !== INSTANCE_TYPE) throw new Error(`unknown resource type ${type ?? urn}: the greenapi provider serves ${INSTANCE_TYPE}`);
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → its parts. */
function urnParts(urn: string): { stack: string; project: string; type: string; name: string } {
  const [head, project = "", type = "", ...rest] = urn.split("::");
  return { stack: head.replace(/^urn:pulumi:/, ""), project, type, name: rest.join("::") };
}

/** The auto-name GreenApiInstance would give this resource (see autoNameOf). */
export function autoName(urn: string): string {
  const { stack, project, name } = urnParts(urn);
  return lifecycle.autoNameOf(project, stack, name);
}

/**
 * Where the user of the provider resource `urn` sets its settings: a default provider (`default`,
 * `default_0_1_0`) reads the stack config, an explicit one only its own properties.
 */
export function settingNamesOf(providerUrn: string): SettingNames {
  const { name } = urnParts(providerUrn);
  return !name || /^default(_|$)/.test(name) ? lifecycle.STACK_CONFIG : lifecycle.providerProperties(name);
}

/** The provider's properties as the setting lookup the lifecycle reads. */
function settingsIn(properties: Properties): (setting: lifecycle.ClientSetting) => string | undefined {
  const plain = revealAll(properties);
  return (setting) => {
    const value = plain[setting];
    return value === undefined || value === null ? undefined : typeof value === "string" ? value : JSON.stringify(value);
  };
}

/** A lookup of the Configure request's variables (`greenapi:config:<setting>`), which older engines send alone. */
function settingsInVariables(variables: ReadonlyMap<string, string>): (setting: lifecycle.ClientSetting) => string | undefined {
  return (setting) => variables.get(`${PACKAGE}:config:${setting}`);
}

/** Outputs with every credential marked secret: the lifecycle's secret outputs and whatever arrived secret. */
function outputsOf(outs: object, inputs: Properties): Properties {
  return withSecrets(outs, [...SECRET_OUTPUTS, ...secretKeys(inputs)]);
}

/** Checked inputs with every credential marked secret: the secret inputs and whatever arrived secret. */
function inputsOf(inputs: object, news: Properties): Properties {
  return withSecrets(inputs, [...lifecycle.SECRET_INPUTS, ...secretKeys(news)]);
}

/**
 * One plugin process: the engine starts one per provider resource, default or explicit, so its
 * configuration is that provider's.
 */
export class GreenApiPlugin {
  private provider?: Provider;

  /** `reportFor(urn)`: how lines about the resource `urn` reach the user. */
  constructor(private readonly reportFor: (urn: string) => Report) {}

  /** Validation only: a malformed value fails preview, naming the setting where this provider's user sets it. */
  checkConfig(urn: string, news: Properties): { inputs: Properties; failures: lifecycle.CheckFailure[] } {
    const inputs = withSecrets(news, [...SECRET_CONFIG, ...secretKeys(news)]);
    // Values not known until apply are checked when Configure sees them.
    if (Object.values(revealAll(news)).includes(lifecycle.UNKNOWN)) return { inputs, failures: [] };
    const problem = lifecycle.checkConfig(settingsIn(news), settingNamesOf(urn));
    return { inputs, failures: problem ? [{ property: "", reason: problem.message }] : [] };
  }

  /**
   * Builds this process's provider: its client, shared by every operation. Configured again (the
   * engine may), the previous provider's connections are closed.
   */
  async configure(urn: string, args: Properties | undefined, variables: ReadonlyMap<string, string>): Promise<void> {
    const lookup = args && Object.keys(args).length > 0 ? settingsIn(args) : settingsInVariables(variables);
    const previous = this.provider;
    this.provider = lifecycle.configure(lookup, settingNamesOf(urn));
    await lifecycle.closeProvider(previous);
  }

  async close(): Promise<void> {
    await lifecycle.closeProvider(this.provider);
    this.provider = undefined;
  }

  private configured(): Provider {
    if (!this.provider) throw new lifecycle.ConfigurationError("the greenapi provider was used before the engine configured it");
    return this.provider;
  }

  check(urn: string, olds: Properties, news: Properties): { inputs: Properties; failures: lifecycle.CheckFailure[] } {
    assertInstance(urn);
    const result = lifecycle.check({ olds: revealAll(olds), news: revealAll(news), autoName: autoName(urn) });
    // Failures name properties, never values; the inputs keep their secret marks either way.
    if (result.failures) return { inputs: news, failures: result.failures };
    return { inputs: inputsOf(result.inputs, news), failures: [] };
  }

  diff(urn: string, olds: Properties, news: Properties): lifecycle.DiffResult {
    assertInstance(urn);
    return lifecycle.diff(revealAll(olds), revealAll(news) as InstanceInputs);
  }

  async create(urn: string, inputs: Properties): Promise<{ id: string; outs: Properties }> {
    assertInstance(urn);
    const request = { inputs: revealAll(inputs) as InstanceInputs, autoName: autoName(urn), report: this.reportFor(urn) };
    try {
      const { id, outs } = await lifecycle.create(this.configured(), request);
      return { id, outs: outputsOf(outs, inputs) };
    } catch (error) {
      // Created but not set up: the instance is recorded, its credentials secret like any outputs.
      if (error instanceof lifecycle.ResourceInitError) {
        throw new lifecycle.ResourceInitError(error.id, outputsOf(error.properties, inputs), error.reasons, error.message, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /**
   * refresh; and import, which reads by id alone (no outputs): every live setting then becomes an
   * input (lifecycle/import.ts). A refresh gets inputs back only when the live settings drifted;
   * otherwise the stored inputs stand.
   */
  async read(
    id: string,
    urn: string,
    props: Properties,
    inputs: Properties,
  ): Promise<{ id: string; props: Properties; inputs?: Properties }> {
    assertInstance(urn);
    const report = this.reportFor(urn);
    // No outputs: `pulumi import` or the import resource option (which sends the program's inputs).
    const importing = Object.keys(props).length === 0;
    const result = importing
      ? await lifecycle.importInstance(this.configured(), { id, report })
      : await lifecycle.read(this.configured(), { id, outputs: lifecycle.storedOutputs(revealAll(props)), report });
    if (!result.id) return { id: "", props: {} };
    return {
      id: result.id,
      props: outputsOf(result.props, props),
      inputs: result.inputs === undefined ? inputs : inputsOf(result.inputs, inputs),
    };
  }

  async update(id: string, urn: string, olds: Properties, news: Properties): Promise<{ outs: Properties }> {
    assertInstance(urn);
    const { outs } = await lifecycle.update(this.configured(), {
      id,
      olds: lifecycle.storedOutputs(revealAll(olds)),
      news: revealAll(news) as InstanceInputs,
      report: this.reportFor(urn),
    });
    return { outs: outputsOf(outs, news) };
  }

  async delete(id: string, urn: string, props: Properties): Promise<void> {
    assertInstance(urn);
    await lifecycle.deleteInstance(this.configured(), {
      id,
      outputs: lifecycle.storedOutputs(revealAll(props)),
      report: this.reportFor(urn),
    });
  }

  /**
   * The lookups; a wrong argument is a failure naming it, as the engine shows check failures. Rows
   * carry tokens (secret) only with `includeTokens`, so a plain invoke works in every language.
   */
  async invoke(token: string, args: Properties): Promise<{ outputs: Properties; failures: lifecycle.CheckFailure[] }> {
    const plain = revealAll(args);
    const report = this.reportFor("");
    const secretRow = (row: lifecycle.InstanceSummary): Properties => withSecrets(row, ["apiTokenInstance"]);
    try {
      if (token === FUNCTIONS.getInstances) {
        const { instances } = await lifecycle.getInstances(this.configured(), plain, report);
        return { outputs: { instances: instances.map(secretRow) }, failures: [] };
      }
      if (token === FUNCTIONS.getInstance)
        return { outputs: secretRow(await lifecycle.getInstance(this.configured(), plain, report)), failures: [] };
    } catch (error) {
      if (error instanceof lifecycle.LookupArgumentError) return { outputs: {}, failures: [{ property: "", reason: error.message }] };
      throw error;
    }
    throw new Error(`unknown function ${token}: the greenapi provider serves ${Object.values(FUNCTIONS).join(", ")}`);
  }
}

/** The dynamic door's own names: its resource type and its keys in a resource's inputs, apart so the program loads no lifecycle code for them. */

/** GreenApiInstance's type token: a dynamic resource (module "greenapi", type "Instance") that Pulumi's dynamic-provider host serves. */
export const DYNAMIC_INSTANCE_TYPE = "pulumi-nodejs:dynamic/greenapi:Instance";

/** The key the dynamic host keeps the provider's text under, in inputs and outputs alike. */
export const PROVIDER_KEY = "__provider";

/** A provider text: a module whose `handler()` gives the dynamic host the provider that `module` exports. */
export function providerLoading(module: string): string {
  return `exports.handler = () => require(${JSON.stringify(module)});\n`;
}

/**
 * The auto-name GreenApiInstance adds to its inputs (autoNameOf): the dynamic host passes no URN to
 * a provider, so the resource computes it in the program and the door carries it through check.
 */
export const AUTO_NAME_KEY = "__autoName";

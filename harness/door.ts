/**
 * The project's two front doors over one lifecycle, as the harness starts them: Pulumi's own
 * dynamic-provider host (for GreenApiInstance) and the `greenapi` provider plugin. Both are driven
 * over the same gRPC protocol, so a suite parametrized by door runs the very same calls through each.
 */
import { join } from "node:path";
import { DYNAMIC_INSTANCE_TYPE } from "../provider/dynamic/keys";
import { INSTANCE_TYPE as PLUGIN_INSTANCE_TYPE, PACKAGE } from "../provider/plugin/tokens";
import { REPO_ROOT } from "./repo";

export type Door = "dynamic" | "plugin";
export const DOORS: readonly Door[] = ["dynamic", "plugin"];

/** For test names: which door a test ran through. */
export const DOOR_NAMES: Record<Door, string> = {
  dynamic: "through the dynamic host",
  plugin: "through the greenapi plugin",
};

/** The resource's type token at each door. */
export const INSTANCE_TYPES: Record<Door, string> = {
  dynamic: DYNAMIC_INSTANCE_TYPE,
  plugin: PLUGIN_INSTANCE_TYPE,
};

/** The package whose provider the engine configures at each door. */
export const PROVIDER_PACKAGES: Record<Door, string> = { dynamic: "pulumi-nodejs", plugin: PACKAGE };

/** The plugin's launcher, as the CLI starts it (from a plugins.providers path, PATH or the plugin cache). */
export const PLUGIN_LAUNCHER = join(REPO_ROOT, "provider", "plugin", "bin", "pulumi-resource-greenapi");

/**
 * Provider configuration: read once, when the engine configures the provider (`configure`, which
 * Pulumi's dynamic host calls before a process's first Check or CRUD call), from the stack config
 * it hands over or else the environment — never captured into the serialized provider, so no
 * credential can end up in `__provider` in the state file. A malformed value fails there, naming
 * its key; a missing token fails only the operations that need one.
 */
import { PartnerClient } from "../greenapi/client";
import {
  ConfigurationError,
  PARTNER_CLIENT_ENV,
  readClientSettings,
  type ClientSetting,
  type ClientSettings,
} from "../greenapi/client-settings";

export type ProviderConfig = Required<ClientSettings>;

/** Each setting: its stack config key and the environment variable that stands in for it. */
export const CONFIG_KEYS = Object.fromEntries(
  Object.entries(PARTNER_CLIENT_ENV).map(([setting, env]) => [setting, { key: `greenapi:${setting}`, env }]),
) as { readonly [S in ClientSetting]: { key: `greenapi:${S}`; env: (typeof PARTNER_CLIENT_ENV)[S] } };

export { ConfigurationError };

type Lookup = (key: string) => string | undefined;

/** What configure made of the configuration: the client, or why there is none. */
type Configured = { settings: ClientSettings; client?: { client: PartnerClient; config: ProviderConfig } } | { error: ConfigurationError };

let configured: Configured | undefined;

/** Called by the provider's `configure` with the engine's stack config. Throws on a malformed value. */
export function configureProvider(stackConfig: Lookup, env: NodeJS.ProcessEnv = process.env): void {
  configured = resolve(stackConfig, env);
  if ("error" in configured) throw configured.error;
}

/** Throws what configure threw: Pulumi's host keeps using a provider whose configure failed. */
export function assertConfigured(): void {
  if (configured && "error" in configured) throw configured.error;
}

/** The client every operation of this process shares. */
export function partnerClient(): { client: PartnerClient; config: ProviderConfig } {
  // Without a configure call (an older host), the environment alone.
  configured ??= resolve(() => undefined, process.env);
  if ("error" in configured) throw configured.error;
  if (!configured.client) {
    const { key, env: variable } = CONFIG_KEYS.partnerToken;
    throw new ConfigurationError(
      `No Green API partner token: run \`pulumi config set --secret ${key} <token>\` ` +
        `or set the ${variable} environment variable (the token is in the partner console).`,
    );
  }
  return configured.client;
}

/** Stack config first, then the environment variable. */
function resolve(stackConfig: Lookup, env: NodeJS.ProcessEnv): Configured {
  try {
    const settings = readClientSettings(
      (setting) => stackConfig(CONFIG_KEYS[setting].key)?.trim() || env[CONFIG_KEYS[setting].env],
      (setting) => `${CONFIG_KEYS[setting].key} (or ${CONFIG_KEYS[setting].env})`,
    );
    if (!settings.partnerToken) return { settings };
    const config = { ...settings, partnerToken: settings.partnerToken };
    return { settings, client: { client: new PartnerClient(config), config } };
  } catch (error) {
    if (error instanceof ConfigurationError) return { error };
    throw error;
  }
}

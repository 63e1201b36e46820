/**
 * Provider configuration, read at run time from the stack config the engine hands to `configure`
 * (or from the environment) — never captured into the serialized provider, so no credential can
 * end up in `__provider` in the state file.
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

let stackConfig: Lookup = () => undefined;
let cached: { fingerprint: string; client: PartnerClient; config: ProviderConfig } | undefined;

/** Called by the provider's `configure` with the engine's stack config. */
export function setStackConfig(lookup: Lookup): void {
  stackConfig = lookup;
}

/** Stack config first, then the environment variable. */
function resolveConfig(env: NodeJS.ProcessEnv = process.env): ProviderConfig {
  const settings = readClientSettings(
    (setting) => stackConfig(CONFIG_KEYS[setting].key)?.trim() || env[CONFIG_KEYS[setting].env],
    (setting) => `${CONFIG_KEYS[setting].key} (or ${CONFIG_KEYS[setting].env})`,
  );
  if (!settings.partnerToken) {
    const { key, env: variable } = CONFIG_KEYS.partnerToken;
    throw new ConfigurationError(
      `No Green API partner token: run \`pulumi config set --secret ${key} <token>\` ` +
        `or set the ${variable} environment variable (the token is in the partner console).`,
    );
  }
  return { ...settings, partnerToken: settings.partnerToken };
}

/** One client per distinct configuration, shared by every resource the host serves. */
export function partnerClient(env: NodeJS.ProcessEnv = process.env): { client: PartnerClient; config: ProviderConfig } {
  const config = resolveConfig(env);
  const fingerprint = JSON.stringify(config);
  if (cached?.fingerprint !== fingerprint) {
    cached = { fingerprint, config, client: new PartnerClient(config) };
  }
  return { client: cached.client, config: cached.config };
}

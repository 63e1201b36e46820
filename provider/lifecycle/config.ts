/**
 * Provider configuration: the settings each front door hands over (the dynamic door the stack
 * config, the plugin its provider resource's properties), with the environment as fallback. Reading
 * has no side effect: `checkConfig` only validates, `configure` builds one provider — the client its
 * operations share — and a front door that is configured again closes the previous one.
 */
import { PartnerClient } from "../greenapi/client";
import { SharedAccount } from "./account";
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

export { ConfigurationError, type ClientSetting };

/**
 * Where the user of a front door sets each setting, for the words of errors and advice: the stack
 * config for the dynamic resource and the plugin's default provider, the provider's own property for
 * an explicit provider — whose resources never read the stack config.
 */
export interface SettingNames {
  /** The setting as the user writes it, e.g. `greenapi:operationTimeoutSeconds`. */
  name(setting: ClientSetting): string;
  /** One sentence: how to give this provider a partner token. */
  setPartnerToken: string;
}

/** The stack config (`greenapi:*`), with the environment variables standing in. */
export const STACK_CONFIG: SettingNames = {
  name: (setting) => CONFIG_KEYS[setting].key,
  setPartnerToken:
    `Set the token from the partner console with \`pulumi config set --secret ${CONFIG_KEYS.partnerToken.key} <token>\` ` +
    `or the ${CONFIG_KEYS.partnerToken.env} environment variable.`,
};

/** The properties of the explicit provider resource `provider` (e.g. `new greenapi.Provider("acctB", …)`). */
export function providerProperties(provider: string): SettingNames {
  return {
    name: (setting) => `\`${setting}\` of provider \`${provider}\``,
    setPartnerToken: `Set \`partnerToken\` of provider \`${provider}\` to the token from the partner console.`,
  };
}

/** A configured provider: what its operations share, and how its user names its settings. */
export interface Provider {
  names: SettingNames;
  /** Absent without a partner token: each operation then fails saying how to set one. */
  account?: SharedAccount;
  config: ClientSettings;
}

type Lookup = (setting: ClientSetting) => string | undefined;

/** The settings, each from the front door's lookup, else its environment variable. Throws ConfigurationError. */
function settingsFrom(lookup: Lookup, names: SettingNames, env: NodeJS.ProcessEnv): ClientSettings {
  return readClientSettings(
    (setting) => lookup(setting)?.trim() || env[CONFIG_KEYS[setting].env],
    (setting) => `${names.name(setting)} (or ${CONFIG_KEYS[setting].env})`,
  );
}

/** Validation only: what is wrong with this configuration, naming the setting; nothing is built. */
export function checkConfig(lookup: Lookup, names: SettingNames, env: NodeJS.ProcessEnv = process.env): ConfigurationError | undefined {
  try {
    settingsFrom(lookup, names, env);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
}

/** The provider for this configuration, with the one client its operations share. Throws ConfigurationError. */
export function configure(lookup: Lookup, names: SettingNames, env: NodeJS.ProcessEnv = process.env): Provider {
  const config = settingsFrom(lookup, names, env);
  const { partnerToken } = config;
  return { names, config, account: partnerToken ? new SharedAccount(new PartnerClient({ ...config, partnerToken })) : undefined };
}

/** The account and full configuration of a provider that has a partner token. */
export function accountOf(provider: Provider): { account: SharedAccount; config: ProviderConfig } {
  if (!provider.account || !provider.config.partnerToken) {
    throw new ConfigurationError(`No Green API partner token. ${provider.names.setPartnerToken}`);
  }
  return { account: provider.account, config: { ...provider.config, partnerToken: provider.config.partnerToken } };
}

/** Ends the provider's connections (a reconfigured front door, or the end of its process). */
export async function closeProvider(provider: Provider | undefined): Promise<void> {
  await provider?.account?.client.close();
}

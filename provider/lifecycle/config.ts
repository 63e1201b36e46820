/**
 * Provider configuration, read at run time from the stack config the engine hands to `configure`
 * (or from the environment) — never captured into the serialized provider, so no credential can
 * end up in `__provider` in the state file.
 */
import { DEFAULT_API_URL, PartnerClient } from "../greenapi/client";

export interface ProviderConfig {
  partnerToken: string;
  partnerApiUrl: string;
  apiUrl: string;
  requestTimeoutMs: number;
  operationTimeoutMs: number;
}

/** Each setting: its stack config key and the environment variable that stands in for it. */
export const CONFIG_KEYS = {
  partnerToken: { key: "greenapi:partnerToken", env: "GREEN_API_PARTNER_TOKEN" },
  partnerApiUrl: { key: "greenapi:partnerApiUrl", env: "GREEN_API_PARTNER_API_URL" },
  apiUrl: { key: "greenapi:apiUrl", env: "GREEN_API_URL" },
  requestTimeoutSeconds: { key: "greenapi:requestTimeoutSeconds", env: "GREEN_API_REQUEST_TIMEOUT_SECONDS" },
  operationTimeoutSeconds: { key: "greenapi:operationTimeoutSeconds", env: "GREEN_API_OPERATION_TIMEOUT_SECONDS" },
} as const;

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigurationError";
  }
}

type Lookup = (key: string) => string | undefined;

let stackConfig: Lookup = () => undefined;
let cached: { fingerprint: string; client: PartnerClient; config: ProviderConfig } | undefined;

/** Called by the provider's `configure` with the engine's stack config. */
export function setStackConfig(lookup: Lookup): void {
  stackConfig = lookup;
}

function setting(name: keyof typeof CONFIG_KEYS, env: NodeJS.ProcessEnv): string | undefined {
  const { key, env: variable } = CONFIG_KEYS[name];
  const value = stackConfig(key) ?? env[variable];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

export function resolveConfig(env: NodeJS.ProcessEnv = process.env): ProviderConfig {
  const partnerToken = setting("partnerToken", env);
  if (!partnerToken) {
    throw new ConfigurationError(
      "No Green API partner token: run `pulumi config set --secret greenapi:partnerToken <token>` " +
        "or set the GREEN_API_PARTNER_TOKEN environment variable (the token is in the partner console).",
    );
  }
  return {
    partnerToken,
    partnerApiUrl: url("partnerApiUrl", env),
    apiUrl: url("apiUrl", env),
    requestTimeoutMs: seconds("requestTimeoutSeconds", env, 30),
    operationTimeoutMs: seconds("operationTimeoutSeconds", env, 120),
  };
}

function url(name: "partnerApiUrl" | "apiUrl", env: NodeJS.ProcessEnv): string {
  const value = setting(name, env) ?? DEFAULT_API_URL;
  if (!/^https?:\/\/[^/\s]+/i.test(value)) {
    const { key, env: variable } = CONFIG_KEYS[name];
    throw new ConfigurationError(`${key} (or ${variable}) must be an http(s) URL such as ${DEFAULT_API_URL}; got "${value}".`);
  }
  return value;
}

function seconds(name: "requestTimeoutSeconds" | "operationTimeoutSeconds", env: NodeJS.ProcessEnv, fallback: number): number {
  const value = setting(name, env);
  if (value === undefined) return fallback * 1000;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    const { key, env: variable } = CONFIG_KEYS[name];
    throw new ConfigurationError(`${key} (or ${variable}) must be a positive number of seconds; got "${value}".`);
  }
  return parsed * 1000;
}

/** One client per distinct configuration, shared by every resource the host serves. */
export function partnerClient(env: NodeJS.ProcessEnv = process.env): { client: PartnerClient; config: ProviderConfig } {
  const config = resolveConfig(env);
  const fingerprint = JSON.stringify(config);
  if (cached?.fingerprint !== fingerprint) {
    cached = {
      fingerprint,
      config,
      client: new PartnerClient({
        partnerToken: config.partnerToken,
        partnerApiUrl: config.partnerApiUrl,
        apiUrl: config.apiUrl,
        deadlines: { requestMs: config.requestTimeoutMs, operationMs: config.operationTimeoutMs },
      }),
    };
  }
  return { client: cached.client, config: cached.config };
}

/**
 * The client's settings, read from wherever the caller keeps them — environment variables for
 * scripts (`PartnerClient.fromEnv`), stack config with the same variables as fallback for the Pulumi
 * provider — and checked in one place, with errors that name the setting to fix.
 */
import type { Deadlines } from "./transport";
import { DEFAULT_DEADLINES } from "./transport";

export const DEFAULT_API_URL = "https://api.green-api.com";

/** The environment variable of each setting. */
export const PARTNER_CLIENT_ENV = {
  partnerToken: "GREEN_API_PARTNER_TOKEN",
  partnerApiUrl: "GREEN_API_PARTNER_API_URL",
  apiUrl: "GREEN_API_URL",
  requestTimeoutSeconds: "GREEN_API_REQUEST_TIMEOUT_SECONDS",
  operationTimeoutSeconds: "GREEN_API_OPERATION_TIMEOUT_SECONDS",
} as const;

export type ClientSetting = keyof typeof PARTNER_CLIENT_ENV;

export interface ClientSettings {
  /** Undefined when not set: the caller says how to set it (their wording differs). */
  partnerToken?: string;
  partnerApiUrl: string;
  apiUrl: string;
  deadlines: Deadlines;
}

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigurationError";
  }
}

/**
 * `read` gives a setting's raw value; `label` names it in errors (e.g. "GREEN_API_URL", or
 * "greenapi:apiUrl (or GREEN_API_URL)"). Blank values count as unset.
 */
export function readClientSettings(read: (setting: ClientSetting) => string | undefined, label: (setting: ClientSetting) => string): ClientSettings {
  const value = (setting: ClientSetting) => read(setting)?.trim() || undefined;
  const url = (setting: "partnerApiUrl" | "apiUrl") => {
    const raw = value(setting) ?? DEFAULT_API_URL;
    if (!/^https?:\/\/[^/\s]+/i.test(raw)) {
      throw new ConfigurationError(`${label(setting)} must be an http(s) URL such as ${DEFAULT_API_URL}; got "${raw}".`);
    }
    return raw;
  };
  const milliseconds = (setting: "requestTimeoutSeconds" | "operationTimeoutSeconds", fallback: number) => {
    const raw = value(setting);
    if (raw === undefined) return fallback;
    const seconds = Number(raw);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new ConfigurationError(`${label(setting)} must be a positive number of seconds; got "${raw}".`);
    }
    return seconds * 1000;
  };
  return {
    partnerToken: value("partnerToken"),
    partnerApiUrl: url("partnerApiUrl"),
    apiUrl: url("apiUrl"),
    deadlines: {
      requestMs: milliseconds("requestTimeoutSeconds", DEFAULT_DEADLINES.requestMs),
      operationMs: milliseconds("operationTimeoutSeconds", DEFAULT_DEADLINES.operationMs),
    },
  };
}

/**
 * The client's settings, read from wherever the caller keeps them — environment variables for
 * scripts (`PartnerClient.fromEnv`), stack config with the same variables as fallback for the Pulumi
 * provider — and checked in one place, with errors that name the setting to fix.
 */
import { DEFAULT_DEADLINES, minimumOperationMs, minimumOperationRule, type Deadlines } from "./deadlines";

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
 * Why a Green API URL cannot be used, or undefined when it can. Every Green API token travels in the
 * URL path, so plain http is accepted only for loopback hosts (a local emulator).
 */
export function apiUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `must be an https URL such as ${DEFAULT_API_URL}; got "${raw}"`;
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && isLoopback(url.hostname)) return undefined;
  if (url.protocol === "http:") {
    return `must be an https URL: Green API tokens travel in the URL path, so plain http is accepted only for loopback hosts (127.0.0.1, localhost, [::1]); got "${raw}"`;
  }
  return `must be an https URL such as ${DEFAULT_API_URL}; got "${raw}"`;
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * `read` gives a setting's raw value; `label` names it in errors (e.g. "GREEN_API_URL", or
 * "greenapi:apiUrl (or GREEN_API_URL)"). Blank values count as unset.
 */
export function readClientSettings(
  read: (setting: ClientSetting) => string | undefined,
  label: (setting: ClientSetting) => string,
): ClientSettings {
  const value = (setting: ClientSetting) => read(setting)?.trim() || undefined;
  const url = (setting: "partnerApiUrl" | "apiUrl") => {
    const raw = value(setting) ?? DEFAULT_API_URL;
    const problem = apiUrlProblem(raw);
    if (problem) throw new ConfigurationError(`${label(setting)} ${problem}.`);
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
  const deadlines = {
    requestMs: milliseconds("requestTimeoutSeconds", DEFAULT_DEADLINES.requestMs),
    operationMs: milliseconds("operationTimeoutSeconds", DEFAULT_DEADLINES.operationMs),
  };
  const minimumMs = minimumOperationMs(deadlines.requestMs);
  if (deadlines.operationMs < minimumMs) {
    throw new ConfigurationError(
      `${label("operationTimeoutSeconds")} must be at least ${minimumOperationRule(label("requestTimeoutSeconds"))} ` +
        `(${minimumMs / 1000} s with requests of ${deadlines.requestMs / 1000} s), so that one operation can wait out ` +
        `a write Green API performs after the request timed out; got ${deadlines.operationMs / 1000}.`,
    );
  }
  return { partnerToken: value("partnerToken"), partnerApiUrl: url("partnerApiUrl"), apiUrl: url("apiUrl"), deadlines };
}
